// Reference product quantization (asymmetric distance): the kernel's rvf_pq_distances
// must equal this bit for bit. Codebook: M subspaces of width w = dim / M, K centroids
// each as w fp16 values, subspace-major (centroid c of subspace m at (m*K + c) * w).
import { fp16ToNumber } from './fp16.ts';
import { CANONICAL_NAN_BITS } from '../../wat/layout.ts';

const f = Math.fround;

/**
 * The M x K table: squared L2 between each query subvector (f32) and each centroid.
 * Width a multiple of 8: element i into accumulator i & 7, total ((a0+a4)+(a1+a5)) +
 * ((a2+a6)+(a3+a7)); otherwise one sequential sum from +0.
 */
export function pqTable(query: Float32Array, codebook: Uint16Array, m: number, k: number, dim: number): Float32Array {
  const w = dim / m;
  const mask = w % 8 === 0 ? 7 : 0;
  const table = new Float32Array(m * k);
  for (let t = 0; t < m * k; t++) {
    const sub = Math.floor(t / k);
    const a = new Array<number>(8).fill(0);
    for (let i = 0; i < w; i++) {
      const d = f(query[sub * w + i]! - f(fp16ToNumber(codebook[t * w + i]!)));
      a[i & mask] = f(a[i & mask]! + f(d * d));
    }
    table[t] = f(f(f(a[0]! + a[4]!) + f(a[1]! + a[5]!)) + f(f(a[2]! + a[6]!) + f(a[3]! + a[7]!)));
  }
  return table;
}

/** One f32 distance per code vector: table[m][code m] summed in m order from +0; NaN canonical. */
export function pqDistances(table: Float32Array, codes: Uint8Array, count: number, m: number, k: number): Float32Array {
  const out = new Float32Array(count);
  const bits = new Uint32Array(out.buffer);
  for (let v = 0; v < count; v++) {
    let s = 0;
    for (let j = 0; j < m; j++) s = f(s + table[j * k + codes[v * m + j]!]!);
    if (Number.isNaN(s)) bits[v] = CANONICAL_NAN_BITS;
    else out[v] = s;
  }
  return out;
}
