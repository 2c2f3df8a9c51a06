// How vectors sit in tile memory (docs/memory-map.md "Padding and stride"). The hub lays
// out blocks with these helpers and the kernel (wat/30-query.wat) uses the same rules:
// a vector of dim elements is zero-padded to a multiple of LANE_ELEMS elements (fp16 2 B,
// i8 1 B each); a packed binary code of dim bits takes ceil(dim/8) bytes (bit i is bit
// i % 8 of byte i / 8), zero-padded to a multiple of BITS_LANE_BYTES bytes.
import {
  BITS_LANE_BYTES,
  DTYPE_BITS,
  DTYPE_FP16,
  DTYPE_I8,
  LANE_ELEMS,
  MAX_BLOCK_VECTORS,
  MAX_DIM_BITS,
  MAX_DIM_FP16,
  MAX_DIM_I8,
  IMAGE_LAYOUT,
  type KernelImage,
} from '../../wat/layout.ts';
import { f32ToFp16Bits } from './fp16.ts';

export type Dtype = typeof DTYPE_FP16 | typeof DTYPE_I8 | typeof DTYPE_BITS;

export class VectorLayoutError extends RangeError {
  override name = 'VectorLayoutError';
}

export function isDtype(dtype: number): dtype is Dtype {
  return dtype === DTYPE_FP16 || dtype === DTYPE_I8 || dtype === DTYPE_BITS;
}

/** The kernel image's largest dim for the dtype (bits for binary codes): the Core profile's,
 *  or the Hot image's (fp16 up to 1,024; i8 and binary codes as Core). */
export function maxDim(dtype: Dtype, image: KernelImage = 'core'): number {
  return dtype === DTYPE_FP16 ? (image === 'core' ? MAX_DIM_FP16 : IMAGE_LAYOUT[image].IMG_MAX_DIM_FP16) : dtype === DTYPE_I8 ? MAX_DIM_I8 : MAX_DIM_BITS;
}

// The layout rules hold for every dim either image serves (up to the Hot image's); which
// image serves which dim is the kernel's and the profile's business (tile/pack/profile.ts).
function checkDim(dtype: Dtype, dim: number): void {
  if (!Number.isInteger(dim) || dim < 1 || dim > maxDim(dtype, 'hot')) {
    throw new VectorLayoutError(`dim ${dim} is outside 1..${maxDim(dtype, 'hot')} for dtype ${dtype}`);
  }
}

/** Bytes of one vector as the hub sends it, unpadded. */
export function rawVectorBytes(dtype: Dtype, dim: number): number {
  checkDim(dtype, dim);
  return dtype === DTYPE_FP16 ? dim * 2 : dtype === DTYPE_I8 ? dim : Math.ceil(dim / 8);
}

/** Elements after padding (bytes for binary codes): the kernel's ST_QUERY_PADDED. */
export function paddedElements(dtype: Dtype, dim: number): number {
  const raw = rawVectorBytes(dtype, dim);
  if (dtype === DTYPE_BITS) return Math.ceil(raw / BITS_LANE_BYTES) * BITS_LANE_BYTES;
  return Math.ceil(dim / LANE_ELEMS) * LANE_ELEMS;
}

/** Bytes from one block vector to the next. */
export function vectorStrideBytes(dtype: Dtype, dim: number): number {
  return paddedElements(dtype, dim) * (dtype === DTYPE_FP16 ? 2 : 1);
}

/** Vectors of this shape one block can hold: the image's block region and MAX_BLOCK_VECTORS. */
export function blockCapacity(dtype: Dtype, dim: number, image: KernelImage = 'core'): number {
  return Math.min(MAX_BLOCK_VECTORS, Math.floor(IMAGE_LAYOUT[image].IMG_BLOCK_BYTES / vectorStrideBytes(dtype, dim)));
}

/** Raw vectors -> one block image: each at i * stride, padding zeroed. */
export function layoutBlock(dtype: Dtype, dim: number, vectors: readonly Uint8Array[]): Uint8Array {
  const raw = rawVectorBytes(dtype, dim);
  const stride = vectorStrideBytes(dtype, dim);
  const out = new Uint8Array(vectors.length * stride);
  vectors.forEach((v, i) => {
    if (v.length !== raw) throw new VectorLayoutError(`vector ${i} has ${v.length} B, dtype ${dtype} dim ${dim} needs ${raw} B`);
    out.set(v, i * stride);
  });
  return out;
}

/** Numbers -> raw fp16 bytes (little-endian, rounded to nearest even). */
export function encodeFp16(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  values.forEach((x, i) => view.setUint16(i * 2, f32ToFp16Bits(x), true));
  return out;
}

/** fp16 bit patterns -> raw bytes (for adversarial inputs: NaN payloads, subnormals). */
export function fp16BitsToBytes(bits: readonly number[]): Uint8Array {
  const out = new Uint8Array(bits.length * 2);
  const view = new DataView(out.buffer);
  bits.forEach((h, i) => view.setUint16(i * 2, h & 0xffff, true));
  return out;
}

/** Integers -128..127 -> raw i8 bytes. */
export function encodeI8(values: readonly number[]): Uint8Array {
  for (const v of values) {
    if (!Number.isInteger(v) || v < -128 || v > 127) throw new VectorLayoutError(`i8 value ${v} is outside -128..127`);
  }
  return new Uint8Array(Int8Array.from(values).buffer);
}

/** Bits (0/1) -> packed bytes, bit i at bit i % 8 of byte i / 8. */
export function packBits(bits: readonly number[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => {
    if (b) out[i >> 3]! |= 1 << (i & 7);
  });
  return out;
}
