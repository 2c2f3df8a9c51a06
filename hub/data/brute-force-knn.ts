// Exact k-nearest-neighbour search by brute force: the reference answer recall is
// measured against. Distances are accumulated in f64 (JS numbers) over f32 inputs, so the
// result does not depend on summation precision the way the tiles' fp16/f32 math does.
//
// Convention: smaller distance = nearer, for every metric:
//   l2      squared Euclidean distance
//   ip      negated inner product (the largest dot product is nearest)
//   cosine  1 - cosine similarity (a zero vector has similarity 0 with everything)
// Ties are broken by lower id.

import { BoundedMaxHeap } from './bounded-heap.ts';

export type KnnMetric = 'l2' | 'ip' | 'cosine';

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
  if (metric !== 'l2' && metric !== 'ip' && metric !== 'cosine') throw new KnnInputError(`unknown metric ${String(metric)}; expected l2, ip or cosine`);
  return { count, queryCount: queries.length / dim };
}

function norms(data: Float32Array, n: number, dim: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    const o = i * dim;
    for (let j = 0; j < dim; j++) {
      const v = data[o + j] as number;
      sum += v * v;
    }
    out[i] = Math.sqrt(sum);
  }
  return out;
}

/** Distance between query q and base row b under the metric (flat loops, no allocation). */
function distance(metric: KnnMetric, base: Float32Array, b: number, queries: Float32Array, q: number, dim: number, baseNorm: number, queryNorm: number): number {
  const bo = b * dim;
  const qo = q * dim;
  let sum = 0;
  if (metric === 'l2') {
    for (let j = 0; j < dim; j++) {
      const d = (base[bo + j] as number) - (queries[qo + j] as number);
      sum += d * d;
    }
    return sum;
  }
  for (let j = 0; j < dim; j++) sum += (base[bo + j] as number) * (queries[qo + j] as number);
  if (metric === 'ip') return -sum;
  const denominator = baseNorm * queryNorm;
  return denominator === 0 ? 1 : 1 - sum / denominator;
}

export function bruteForceKnn(input: KnnInput): KnnResult {
  const { count, queryCount } = checkKnnInput(input);
  const { base, queries, dim, k, metric } = input;
  const baseNorms = metric === 'cosine' ? norms(base, count, dim) : new Float64Array(count);
  const queryNorms = metric === 'cosine' ? norms(queries, queryCount, dim) : new Float64Array(queryCount);
  const ids = new Int32Array(queryCount * k);
  const distances = new Float64Array(queryCount * k);
  const heap = new BoundedMaxHeap(k);
  for (let q = 0; q < queryCount; q++) {
    for (let b = 0; b < count; b++) {
      const d = distance(metric, base, b, queries, q, dim, baseNorms[b] as number, queryNorms[q] as number);
      if (d !== d) throw new KnnInputError(`distance between query ${q} and base vector ${b} is NaN; the data holds NaN or Infinity`);
      heap.offer(d, b);
    }
    heap.drainSorted(ids, distances, q * k);
  }
  return { ids, distances, queryCount, k };
}
