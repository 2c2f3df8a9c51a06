// Exact k-nearest-neighbour search by brute force: the reference answer recall is
// measured against (the ground truth of runs, and of the HNSW index's own recall tests).
// Distances are accumulated in f64 (JS numbers) over f32 inputs by the host's one set of
// distance kernels (hub/hnsw/metric.ts), so the result does not depend on summation
// precision the way the tiles' fp16/f32 math does.
//
// Convention: smaller distance = nearer, for every metric:
//   l2      squared Euclidean distance
//   ip      negated inner product (the largest dot product is nearest)
//   cosine  1 - cosine similarity (a zero vector has similarity 0 with everything)
// Ties are broken by lower id.

import { isMetric, metricDistance, rowNorms, type Metric } from '../hnsw/metric.ts';
import { closerThan, DistIdHeap } from '../hnsw/heap.ts';

export type KnnMetric = Metric;

export interface KnnInput {
  /** Row-major base vectors, count * dim. */
  base: Float32Array;
  /** Row-major queries, queryCount * dim. */
  queries: Float32Array;
  dim: number;
  k: number;
  metric: KnnMetric;
}

export interface KnnResult {
  /** queryCount * k ids, each query's row nearest first. */
  ids: Int32Array;
  /** Matching distances (see the metric convention above). */
  distances: Float64Array;
  queryCount: number;
  k: number;
}

export class KnnInputError extends RangeError {
  override name = 'KnnInputError';
}

export function checkKnnInput(input: KnnInput): { count: number; queryCount: number } {
  const { base, queries, dim, k, metric } = input;
  if (!Number.isSafeInteger(dim) || dim <= 0) throw new KnnInputError(`dim must be a positive integer, got ${dim}`);
  if (base.length % dim !== 0) throw new KnnInputError(`base has ${base.length} values, not a whole number of dim-${dim} vectors`);
  if (queries.length % dim !== 0) throw new KnnInputError(`queries have ${queries.length} values, not a whole number of dim-${dim} vectors`);
  const count = base.length / dim;
  if (!Number.isSafeInteger(k) || k <= 0) throw new KnnInputError(`k must be a positive integer, got ${k}`);
  if (k > count) throw new KnnInputError(`k ${k} exceeds the ${count} base vectors`);
  if (!isMetric(metric)) throw new KnnInputError(`unknown metric ${String(metric)}; expected l2, ip or cosine`);
  return { count, queryCount: queries.length / dim };
}

/**
 * Scores every base vector against query q into `best`, the farthest-first heap of the k
 * nearest so far (the HNSW search's heap): its top is the worst kept, so most candidates
 * are rejected by one comparison.
 */
function scanQuery(input: KnnInput, count: number, q: number, best: DistIdHeap, baseNorms: Float64Array | null, queryNorm: number): void {
  const { base, queries, dim, metric, k } = input;
  const qo = q * dim;
  for (let b = 0, bo = 0; b < count; b++, bo += dim) {
    const d = metricDistance(metric, queries, qo, queryNorm, base, bo, baseNorms === null ? 0 : (baseNorms[b] as number), dim);
    if (d !== d) throw new KnnInputError(`distance between query ${q} and base vector ${b} is NaN; the data holds NaN or Infinity`);
    if (best.size === k && !closerThan(d, b, best.topDistance(), best.topId())) continue;
    best.push(d, b);
    if (best.size > k) best.pop();
  }
}

export function bruteForceKnn(input: KnnInput): KnnResult {
  const { count, queryCount } = checkKnnInput(input);
  const { base, queries, dim, k, metric } = input;
  const baseNorms = metric === 'cosine' ? rowNorms(base, count, dim) : null;
  const queryNorms = metric === 'cosine' ? rowNorms(queries, queryCount, dim) : null;
  const ids = new Int32Array(queryCount * k);
  const distances = new Float64Array(queryCount * k);
  const best = new DistIdHeap('farthest-first', k + 1);
  const rowIds = new Uint32Array(k);
  const rowDistances = new Float64Array(k);
  for (let q = 0; q < queryCount; q++) {
    scanQuery(input, count, q, best, baseNorms, queryNorms === null ? 0 : (queryNorms[q] as number));
    best.drainAscending(rowIds, rowDistances);
    ids.set(rowIds, q * k);
    distances.set(rowDistances, q * k);
  }
  return { ids, distances, queryCount, k };
}
