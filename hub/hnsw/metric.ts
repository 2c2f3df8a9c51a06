// Distance kernels over Float32Array rows. Smaller is closer for every metric, so the
// graph code never branches on the metric. Accumulation is in f64 with four partial sums
// in a fixed order: the result is the same on every run, which the determinism of the
// index rests on.

export type Metric = 'l2sq' | 'ip' | 'cosine';

/** Stable numeric tags for the file format. */
export const METRIC_CODE: Readonly<Record<Metric, number>> = { l2sq: 0, ip: 1, cosine: 2 };
export const METRIC_BY_CODE: readonly Metric[] = ['l2sq', 'ip', 'cosine'];

export function isMetric(value: unknown): value is Metric {
  return value === 'l2sq' || value === 'ip' || value === 'cosine';
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
 * ip: 1 - <a,b>; cosine: 1 - <a,b>/(|a||b|), and 1 when either norm is zero (a zero
 * vector is equally far from everything).
 */
export function metricDistance(
  metric: Metric,
  a: Float32Array, aOff: number, aNorm: number,
  b: Float32Array, bOff: number, bNorm: number,
  dim: number,
): number {
  if (metric === 'l2sq') return l2sq(a, aOff, b, bOff, dim);
  if (metric === 'ip') return 1 - dot(a, aOff, b, bOff, dim);
  const denom = aNorm * bNorm;
  return denom === 0 ? 1 : 1 - dot(a, aOff, b, bOff, dim) / denom;
}
