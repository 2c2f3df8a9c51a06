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

// Four independent accumulators break the floating-point add dependency chain (about 2x
// faster in V8). The summation order is fixed, so results stay bit-for-bit reproducible.

/** Squared L2 between base row at `bo` and query row at `qo`, f64 accumulators. */
function squaredL2(base: Float32Array, bo: number, queries: Float32Array, qo: number, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (const end = dim - 3; j < end; j += 4) {
    const d0 = (base[bo + j] as number) - (queries[qo + j] as number);
    const d1 = (base[bo + j + 1] as number) - (queries[qo + j + 1] as number);
    const d2 = (base[bo + j + 2] as number) - (queries[qo + j + 2] as number);
    const d3 = (base[bo + j + 3] as number) - (queries[qo + j + 3] as number);
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; j < dim; j++) {
    const d = (base[bo + j] as number) - (queries[qo + j] as number);
    s0 += d * d;
  }
  return s0 + s1 + (s2 + s3);
}

function dot(base: Float32Array, bo: number, queries: Float32Array, qo: number, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (const end = dim - 3; j < end; j += 4) {
    s0 += (base[bo + j] as number) * (queries[qo + j] as number);
    s1 += (base[bo + j + 1] as number) * (queries[qo + j + 1] as number);
    s2 += (base[bo + j + 2] as number) * (queries[qo + j + 2] as number);
    s3 += (base[bo + j + 3] as number) * (queries[qo + j + 3] as number);
  }
  for (; j < dim; j++) s0 += (base[bo + j] as number) * (queries[qo + j] as number);
  return s0 + s1 + (s2 + s3);
}

/** Scores every base vector against query q into the heap; one loop per metric keeps each monomorphic. */
function scanQuery(input: KnnInput, count: number, q: number, heap: BoundedMaxHeap, baseNorms: Float64Array, queryNorm: number): void {
  const { base, queries, dim, metric } = input;
  const qo = q * dim;
  for (let b = 0, bo = 0; b < count; b++, bo += dim) {
    let d: number;
    if (metric === 'l2') d = squaredL2(base, bo, queries, qo, dim);
    else if (metric === 'ip') d = -dot(base, bo, queries, qo, dim);
    else {
      const denominator = (baseNorms[b] as number) * queryNorm;
      d = denominator === 0 ? 1 : 1 - dot(base, bo, queries, qo, dim) / denominator;
    }
    if (d !== d) throw new KnnInputError(`distance between query ${q} and base vector ${b} is NaN; the data holds NaN or Infinity`);
    heap.offer(d, b);
  }
}

export function bruteForceKnn(input: KnnInput): KnnResult {
  const { count, queryCount } = checkKnnInput(input);
  const { base, queries, dim, k, metric } = input;
  const baseNorms = metric === 'cosine' ? norms(base, count, dim) : new Float64Array(0);
  const queryNorms = metric === 'cosine' ? norms(queries, queryCount, dim) : new Float64Array(queryCount);
  const ids = new Int32Array(queryCount * k);
  const distances = new Float64Array(queryCount * k);
  const heap = new BoundedMaxHeap(k);
  for (let q = 0; q < queryCount; q++) {
    scanQuery(input, count, q, heap, baseNorms, queryNorms[q] as number);
    heap.drainSorted(ids, distances, q * k);
  }
  return { ids, distances, queryCount, k };
}
