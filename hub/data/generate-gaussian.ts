// Built-in hard data: unclustered standard normal vectors (issue 17). Every value is drawn
// from N(0, 1) and rounded to the nearest fp16 (ties to even), so the float data and what
// the tiles compute with are the same numbers: recall measures the search, not the wire's
// rounding. Queries come from their own derived stream, as in the clustered generator.
// HNSW is known to be weak on such data at small beams (no cluster structure to exploit).
import type { Prng } from '../prng.ts';
import { fp16ToNumber } from '../../tile/reference/fp16.ts';
import { f32ToFp16Bits } from './fp16.ts';
import { DataConfigError, MAX_GENERATED_VALUES } from './generate.ts';

export interface GaussianDataConfig {
  count: number;
  dim: number;
  queryCount: number;
}

function checkConfig(c: GaussianDataConfig): void {
  const ints: [string, number, number][] = [
    ['count', c.count, 1],
    ['dim', c.dim, 1],
    ['queryCount', c.queryCount, 0],
  ];
  for (const [name, value, min] of ints) {
    if (!Number.isSafeInteger(value) || value < min) throw new DataConfigError(`data ${name} must be an integer >= ${min}, got ${value}`);
  }
  const values = Math.max(c.count, c.queryCount) * c.dim;
  if (values > MAX_GENERATED_VALUES) throw new DataConfigError(`data ${Math.max(c.count, c.queryCount)} x ${c.dim} = ${values} values exceeds the limit ${MAX_GENERATED_VALUES}`);
}

function drawFp16Normal(prng: Prng, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = fp16ToNumber(f32ToFp16Bits(prng.gaussian()));
  return out;
}

/** Standard normal base vectors and queries, fp16-exact, from `prng` (pass a derived stream). */
export function generateGaussianData(prng: Prng, config: GaussianDataConfig): { base: Float32Array; queries: Float32Array; dim: number } {
  checkConfig(config);
  const base = drawFp16Normal(prng.derive('base'), config.count * config.dim);
  const queries = drawFp16Normal(prng.derive('queries'), config.queryCount * config.dim);
  return { base, queries, dim: config.dim };
}
