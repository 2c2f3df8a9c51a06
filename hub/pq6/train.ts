// PQ6 training on the hub (docs/format.md "PQ 6-bit codes"): per subspace, k-means with 64
// centroids, seeded and deterministic. Starts from 64 distinct sample vectors drawn by the
// seed; Lloyd iterations (a fixed count, f64 sums, ties to the lower centroid); an empty
// cluster keeps its centroid. The codebook is stored as fp16 (what the tile reads), and
// codes are assigned against the fp16 centroids, so the tile's distances use exactly the
// centroids the codes were chosen for.
import { PQ6_GROUP_CODES, PQ6_K, PQ6_MAX_M } from '../../wat/layout.ts';
import { f32ArrayToFp16, fp16ArrayToF32 } from '../data/fp16.ts';
import type { Prng } from '../prng.ts';
import { packPq6 } from './pack-codes.ts';

export interface Pq6Codebook {
  dim: number;
  m: number;
  /** 64 x dim fp16, subspace-major: centroid c of subspace s at (s*64 + c) * w. */
  halves: Uint16Array;
}

export interface Pq6TrainOptions {
  /** Lloyd iterations per subspace. */
  iterations: number;
  /** Training uses at most this many vectors (drawn by the seed when there are more). */
  maxSamples: number;
}

export const PQ6_TRAIN_DEFAULTS: Pq6TrainOptions = { iterations: 10, maxSamples: 4096 };

export class Pq6ShapeError extends RangeError {
  override name = 'Pq6ShapeError';
}

/** Why M does not fit a dim, or undefined: a multiple of 4 in 4..32 dividing the dim. */
export function pq6ShapeProblem(dim: number, m: number): string | undefined {
  if (!Number.isInteger(m) || m < PQ6_GROUP_CODES || m > PQ6_MAX_M || m % PQ6_GROUP_CODES !== 0) {
    return `PQ6 M must be a multiple of ${PQ6_GROUP_CODES} in ${PQ6_GROUP_CODES}..${PQ6_MAX_M} (the M x 64 f32 table fills the tile's 8 KB PQ table at 32), got ${m}`;
  }
  if (dim % m !== 0) return `PQ6 M ${m} must divide the dim ${dim}`;
  return undefined;
}

/** The largest valid M for a dim (most bits per vector), or undefined when none divides it. */
export function defaultPq6M(dim: number): number | undefined {
  for (let m = PQ6_MAX_M; m >= PQ6_GROUP_CODES; m -= PQ6_GROUP_CODES) if (dim % m === 0) return m;
  return undefined;
}

/** Distinct sample indices in ascending order: all of 0..n-1, or `take` of them drawn by the seed. */
function sampleIndices(n: number, take: number, prng: Prng): Int32Array {
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  if (take >= n) return idx;
  for (let i = 0; i < take; i++) {
    const j = prng.nextInt(i, n - 1);
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.slice(0, take).sort();
}

/** Index of the nearest of 64 centroids (w each, at cents) to x[xo..xo+w); ties to the lower. */
function nearest(x: Float32Array, xo: number, cents: Float64Array | Float32Array, w: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let c = 0; c < PQ6_K; c++) {
    let d = 0;
    for (let i = 0; i < w; i++) {
      const t = x[xo + i]! - cents[c * w + i]!;
      d += t * t;
    }
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

/** k-means of one subspace over the samples; 64 x w f64 centroids. */
function trainSubspace(base: Float32Array, dim: number, s: number, w: number, samples: Int32Array, prng: Prng, iterations: number): Float64Array {
  const cents = new Float64Array(PQ6_K * w);
  const start = sampleIndices(samples.length, PQ6_K, prng);
  for (let c = 0; c < PQ6_K; c++) {
    const v = samples[start[c % start.length]!]!;
    for (let i = 0; i < w; i++) cents[c * w + i] = base[v * dim + s * w + i]!;
  }
  const sums = new Float64Array(PQ6_K * w);
  const counts = new Int32Array(PQ6_K);
  for (let it = 0; it < iterations; it++) {
    sums.fill(0);
    counts.fill(0);
    for (const v of samples) {
      const c = nearest(base, v * dim + s * w, cents, w);
      counts[c]!++;
      for (let i = 0; i < w; i++) sums[c * w + i]! += base[v * dim + s * w + i]!;
    }
    for (let c = 0; c < PQ6_K; c++) {
      if (counts[c] === 0) continue;
      for (let i = 0; i < w; i++) cents[c * w + i] = sums[c * w + i]! / counts[c]!;
    }
  }
  return cents;
}

/** A codebook for n vectors of `dim` (row-major f32), M subspaces, from the seed. */
export function trainPq6(base: Float32Array, dim: number, m: number, prng: Prng, opts: Pq6TrainOptions = PQ6_TRAIN_DEFAULTS): Pq6Codebook {
  const problem = pq6ShapeProblem(dim, m);
  if (problem) throw new Pq6ShapeError(problem);
  const n = base.length / dim;
  if (!Number.isInteger(n) || n < 1) throw new Pq6ShapeError(`PQ6 training needs at least one vector of dim ${dim}, got ${base.length} values`);
  const w = dim / m;
  const samples = sampleIndices(n, opts.maxSamples, prng.derive('samples'));
  const cents = new Float32Array(PQ6_K * dim);
  for (let s = 0; s < m; s++) {
    cents.set(trainSubspace(base, dim, s, w, samples, prng.derive(`subspace-${s}`), opts.iterations), s * PQ6_K * w);
  }
  return { dim, m, halves: f32ArrayToFp16(cents) };
}

/** Packed codes (count x 3M/4 bytes) of n vectors against the codebook's fp16 centroids. */
export function encodePq6(base: Float32Array, book: Pq6Codebook): Uint8Array {
  const { dim, m } = book;
  const w = dim / m;
  const n = base.length / dim;
  const cents = fp16ArrayToF32(book.halves);
  const codes = new Uint8Array(n * m);
  for (let v = 0; v < n; v++) {
    for (let s = 0; s < m; s++) codes[v * m + s] = nearest(base, v * dim + s * w, cents.subarray(s * PQ6_K * w, (s + 1) * PQ6_K * w), w);
  }
  return packPq6(codes, n, m);
}
