// The hub's 6-bit code packing (docs/format.md "PQ 6-bit codes"): four codes in three
// bytes, the little-endian 24-bit group holding code 4i + j in bits 6j..6j+5, so a code
// vector is one LSB-first bit stream of 6-bit fields. The tile unpacks it in WASM; the
// bit-by-bit unpacker in tile/reference/pq6.ts checks both sides.
import { PQ6_GROUP_BYTES, PQ6_GROUP_CODES, PQ6_K } from '../../wat/layout.ts';

/** count x M codes (each 0..63), M a multiple of 4 -> count x 3M/4 packed bytes. */
export function packPq6(codes: Uint8Array, count: number, m: number): Uint8Array {
  if (m % PQ6_GROUP_CODES !== 0) throw new RangeError(`PQ6 M must be a multiple of ${PQ6_GROUP_CODES}, got ${m}`);
  if (codes.length !== count * m) throw new RangeError(`PQ6 codes: expected ${count * m} (count ${count} x M ${m}), got ${codes.length}`);
  const groups = (count * m) / PQ6_GROUP_CODES;
  const out = new Uint8Array(groups * PQ6_GROUP_BYTES);
  for (let g = 0; g < groups; g++) {
    let word = 0;
    for (let j = 0; j < PQ6_GROUP_CODES; j++) {
      const c = codes[g * PQ6_GROUP_CODES + j]!;
      if (c >= PQ6_K) throw new RangeError(`PQ6 code ${g * PQ6_GROUP_CODES + j} is ${c}, above ${PQ6_K - 1}`);
      word |= c << (6 * j);
    }
    out[3 * g] = word & 0xff;
    out[3 * g + 1] = (word >>> 8) & 0xff;
    out[3 * g + 2] = (word >>> 16) & 0xff;
  }
  return out;
}
