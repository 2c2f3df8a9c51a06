// Built-in seeded data: clustered Gaussian vectors. Cluster centres are uniform in
// [-1, 1]^dim; each point picks a cluster uniformly (integer draw) and adds N(0, spread^2)
// noise per dimension. Queries come from the same mixture but their own derived stream,
// so changing the number of queries never changes the base vectors (and vice versa).

import type { Prng } from '../prng.ts';

export interface ClusteredDataConfig {
  /** Base vectors. */
  count: number;
  dim: number;
  clusters: number;
  /** Standard deviation of each dimension around its cluster centre. */
  spread: number;
  queryCount: number;
}

export interface ClusteredData {
  /** count * dim, row-major. */
  base: Float32Array;
  /** queryCount * dim, row-major. */
  queries: Float32Array;
  /** clusters * dim, row-major. */
  centres: Float32Array;
  /** Cluster of each base vector (diagnostics, balanced-split tests). */
  baseClusters: Int32Array;
  count: number;
  queryCount: number;
  dim: number;
}

/** Float32Array holds at most 2^31 - 1 elements in practice; refuse earlier with a clear message. */
export const MAX_GENERATED_VALUES = 2 ** 30;

export class DataConfigError extends RangeError {
  override name = 'DataConfigError';
}

function checkConfig(config: ClusteredDataConfig): void {
  const ints: [string, number, number][] = [
    ['count', config.count, 1],
    ['dim', config.dim, 1],
    ['clusters', config.clusters, 1],
    ['queryCount', config.queryCount, 0],
  ];
  for (const [name, value, min] of ints) {
    if (!Number.isSafeInteger(value) || value < min) throw new DataConfigError(`data ${name} must be an integer >= ${min}, got ${value}`);
  }
  if (config.clusters > config.count) {
    throw new DataConfigError(`data clusters ${config.clusters} exceeds count ${config.count}`);
  }
  if (!Number.isFinite(config.spread) || config.spread < 0) throw new DataConfigError(`data spread must be finite and >= 0, got ${config.spread}`);
  const values = Math.max(config.count, config.queryCount) * config.dim;
  if (values > MAX_GENERATED_VALUES) {
    throw new DataConfigError(`data ${Math.max(config.count, config.queryCount)} x ${config.dim} = ${values} values exceeds the limit ${MAX_GENERATED_VALUES}`);
  }
}

function drawPoints(prng: Prng, centres: Float32Array, clusters: number, dim: number, n: number, spread: number, labels?: Int32Array): Float32Array {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = prng.nextInt(0, clusters - 1);
    if (labels !== undefined) labels[i] = c;
    const centreOffset = c * dim;
    const rowOffset = i * dim;
    for (let j = 0; j < dim; j++) out[rowOffset + j] = (centres[centreOffset + j] as number) + spread * prng.gaussian();
  }
  return out;
}

/** Generates the data set from `prng` (pass a derived stream, e.g. root.derive('data')). */
export function generateClusteredData(prng: Prng, config: ClusteredDataConfig): ClusteredData {
  checkConfig(config);
  const { count, dim, clusters, spread, queryCount } = config;
  const centreStream = prng.derive('centres');
  const centres = new Float32Array(clusters * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = 2 * centreStream.nextFloat() - 1;
  const baseClusters = new Int32Array(count);
  const base = drawPoints(prng.derive('base'), centres, clusters, dim, count, spread, baseClusters);
  const queries = drawPoints(prng.derive('queries'), centres, clusters, dim, queryCount, spread);
  return { base, queries, centres, baseClusters, count, queryCount, dim };
}
