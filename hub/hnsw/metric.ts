// The host's distance kernels over Float32Array rows, shared by the HNSW index and the
// brute-force ground truth (hub/data/brute-force-knn.ts). Smaller is closer for every
// metric, so the graph code never branches on the metric, and the convention is the
// tile's (tile/reference/distances.ts): l2 = squared Euclidean, ip = -dot, cosine =
// 1 - cosine similarity. Accumulation is in f64 with four partial sums in a fixed order:
// the result is the same on every run, which the determinism of the index rests on.
import type { MetricName } from '../search-spec.ts';

/** The run's metric names ('l2', 'ip', 'cosine'): one scheme from the CLI to the index file. */
export type Metric = MetricName;

/**
 * Stable numeric tags for the index file format. Code 0 was called 'l2sq' before the
 * names were unified; the stored number did not change, so older files still load.
 */
export const METRIC_CODE: Readonly<Record<Metric, number>> = { l2: 0, ip: 1, cosine: 2 };
export const METRIC_BY_CODE: readonly Metric[] = ['l2', 'ip', 'cosine'];

export function isMetric(value: unknown): value is Metric {
  return value === 'l2' || value === 'ip' || value === 'cosine';
}

/** Squared Euclidean distance between a[aOff..aOff+dim) and b[bOff..bOff+dim). */
export function l2sq(a: Float32Array, aOff: number, b: Float32Array, bOff: number, dim: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const end4 = dim - (dim & 3);
  let i = 0;
  for (; i < end4; i += 4) {
    const d0 = a[aOff + i]! - b[bOff + i]!;
    const d1 = a[aOff + i + 1]! - b[bOff + i + 1]!;
    const d2 = a[aOff + i + 2]! - b[bOff + i + 2]!;
    const d3 = a[aOff + i + 3]! - b[bOff + i + 3]!;
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; i < dim; i++) {
    const d = a[aOff + i]! - b[bOff + i]!;
    s0 += d * d;
  }
  return s0 + s1 + (s2 + s3);
}

/** Dot product of two rows, same summation order as l2sq. */
export function dot(a: Float32Array, aOff: number, b: Float32Array, bOff: number, dim: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const end4 = dim - (dim & 3);
  let i = 0;
  for (; i < end4; i += 4) {
    s0 += a[aOff + i]! * b[bOff + i]!;
    s1 += a[aOff + i + 1]! * b[bOff + i + 1]!;
    s2 += a[aOff + i + 2]! * b[bOff + i + 2]!;
    s3 += a[aOff + i + 3]! * b[bOff + i + 3]!;
  }
  for (; i < dim; i++) s0 += a[aOff + i]! * b[bOff + i]!;
  return s0 + s1 + (s2 + s3);
}

/** Euclidean norm of one row. */
export function norm(a: Float32Array, aOff: number, dim: number): number {
  return Math.sqrt(dot(a, aOff, a, aOff, dim));
}

/** Norms of all n rows; only cosine needs them. Derived data, never serialized. */
export function rowNorms(vectors: Float32Array, n: number, dim: number): Float64Array {
  const norms = new Float64Array(n);
  for (let id = 0; id < n; id++) norms[id] = norm(vectors, id * dim, dim);
  return norms;
}

/**
 * Distance from a query row to a stored row, for the given metric.
 * ip: -<a,b>; cosine: 1 - <a,b>/(|a||b|), and 1 when either norm is zero (a zero
 * vector is equally far from everything).
 */
export function metricDistance(
  metric: Metric,
  a: Float32Array, aOff: number, aNorm: number,
  b: Float32Array, bOff: number, bNorm: number,
  dim: number,
): number {
  if (metric === 'l2') return l2sq(a, aOff, b, bOff, dim);
  if (metric === 'ip') return -dot(a, aOff, b, bOff, dim);
  const denom = aNorm * bNorm;
  return denom === 0 ? 1 : 1 - dot(a, aOff, b, bOff, dim) / denom;
}
