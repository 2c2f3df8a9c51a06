// Reference scalar quantization: per-dimension f32 (min, scale), an i8 code c decodes to
// x = min + scale * (c + 128) in f32 (multiply, round, add, round: no FMA), then x is
// rounded to fp16 with round-to-nearest-even on the integer bits. rvf_dequant_i8 must
// match this bit for bit in both kernel builds.

// The f32 bit views and the kernel's fp16 encoder are the fp16 reference's; the bit views
// are re-exported under the names SQ code uses.
import { f32Bits as f32ToBits, f32BitsToF16, f32FromBits as bitsToF32 } from './fp16.ts';

export { bitsToF32, f32ToBits };

/** The f32 value of one decoded code (before fp16 rounding). */
export function sqDecodeF32(min: number, scale: number, code: number): number {
  return Math.fround(Math.fround(min) + Math.fround(Math.fround(scale) * (code + 128)));
}

export function paddedDim(dim: number): number {
  return (dim + 7) & ~7;
}

/**
 * count vectors of i8 codes (stride paddedDim(dim)) -> fp16 bits (same stride); padding
 * elements are 0. params holds dim (min, scale) pairs.
 */
export function dequantI8(codes: Int8Array, count: number, dim: number, params: Float32Array): Uint16Array {
  const padded = paddedDim(dim);
  const out = new Uint16Array(count * padded);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < padded; j++) {
      const e = i * padded + j;
      out[e] = j < dim ? f32BitsToF16(f32ToBits(sqDecodeF32(params[2 * j]!, params[2 * j + 1]!, codes[e]!))) : 0;
    }
  }
  return out;
}

/** Params that spread [lo, hi] over the 256 codes of every dimension. */
export function sqParamsForRange(dim: number, lo: number[], hi: number[]): Float32Array {
  const p = new Float32Array(2 * dim);
  for (let j = 0; j < dim; j++) {
    p[2 * j] = lo[j]!;
    p[2 * j + 1] = (hi[j]! - lo[j]!) / 255;
  }
  return p;
}
