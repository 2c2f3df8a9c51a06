// Byte sizes of a vector on the wire (LOAD_QUERY: unpadded) and in a block stream
// (padded to LANE_ELEMS elements, packed bits to BITS_LANE_BYTES bytes).
import { BITS_LANE_BYTES, DTYPE_BITS, DTYPE_FP16, DTYPE_I8, LANE_ELEMS } from '../wat/layout.ts';

export function isKnownDtype(dtype: number): boolean {
  return dtype === DTYPE_FP16 || dtype === DTYPE_I8 || dtype === DTYPE_BITS;
}

/** Unpadded bytes of one vector of `dim` elements (bits: dim in bits). */
export function vectorBytes(dtype: number, dim: number): number {
  if (dtype === DTYPE_FP16) return dim * 2;
  if (dtype === DTYPE_I8) return dim;
  if (dtype === DTYPE_BITS) return Math.ceil(dim / 8);
  throw new RangeError(`unknown dtype ${dtype}`);
}

/** Bytes per vector in a block stream: zero-padded to the kernel's lane width. */
export function strideBytes(dtype: number, dim: number): number {
  if (dtype === DTYPE_BITS) return Math.ceil(Math.ceil(dim / 8) / BITS_LANE_BYTES) * BITS_LANE_BYTES;
  const padded = Math.ceil(dim / LANE_ELEMS) * LANE_ELEMS;
  return dtype === DTYPE_FP16 ? padded * 2 : dtype === DTYPE_I8 ? padded : vectorBytes(dtype, dim);
}
