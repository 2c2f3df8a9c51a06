// Reference PQ with 6-bit codes (docs/format.md "PQ 6-bit codes"): the Hot image's
// rvf_load_pq_codebook and rvf_pq_distances (PQ 6-bit) must equal this bit for bit. 64
// centroids per subspace; four codes in three bytes, the little-endian 24-bit group holding code 4i + j
// in bits 6j..6j+5. The table and the sum are Core PQ's (tile/reference/pq.ts) with K = 64.
import { PQ6_GROUP_BYTES, PQ6_GROUP_CODES, PQ6_K } from '../../wat/layout.ts';
import { pqDistances, pqTable } from './pq.ts';

/** Packed bytes of one code vector of M subspaces (M a multiple of 4). */
export function pq6VectorBytes(m: number): number {
  return (m / PQ6_GROUP_CODES) * PQ6_GROUP_BYTES;
}

/** count x M packed codes -> count x M code bytes (0..63), written the plain way: bit by bit. */
export function unpackPq6(packed: Uint8Array, count: number, m: number): Uint8Array {
  const out = new Uint8Array(count * m);
  for (let v = 0; v < count; v++) {
    const base = v * pq6VectorBytes(m) * 8;
    for (let j = 0; j < m; j++) {
      let code = 0;
      for (let b = 0; b < 6; b++) {
        const bit = base + j * 6 + b;
        code |= ((packed[bit >> 3]! >> (bit & 7)) & 1) << b;
      }
      out[v * m + j] = code;
    }
  }
  return out;
}

/** The M x 64 table for an f32 query (padded or not) and a 64 x dim fp16 codebook. */
export function pq6Table(query: Float32Array, codebook: Uint16Array, m: number, dim: number): Float32Array {
  return pqTable(query, codebook, m, PQ6_K, dim);
}

/** One f32 distance per packed code vector. */
export function pq6Distances(table: Float32Array, packed: Uint8Array, count: number, m: number): Float32Array {
  return pqDistances(table, unpackPq6(packed, count, m), count, m, PQ6_K);
}
