// Exact IEEE 754 binary16 <-> binary32 conversion for the hub's quantization.
//
// f32 -> fp16 rounds to nearest, ties to even, in integer arithmetic on the f32 bit
// pattern (no float tricks that could double-round). Handles subnormals, overflow to
// infinity, and NaN (quieted, top payload bits kept). Inputs are read as f32: a JS number
// is first rounded to f32 (Math.fround), matching data that came from a Float32Array.
//
// fp16 -> f32 is exact (every fp16 value is an f32); bulk conversion uses a 64K-entry table.
//
// The hub's one f32 -> fp16 encoder (data, queries, test inputs). The tile reference's
// encoder (tile/reference/fp16.ts, the kernel's algorithm) is kept apart on purpose as an
// independent check of this one (test/kernel-sq.test.ts). The scalar decoder is the
// reference's: exact conversion has nothing to cross-check that the kernel test does not.

import { fp16ToNumber } from '../../tile/reference/fp16.ts';

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** fp16 bit pattern nearest to `value` (as f32), ties to even. */
export function f32ToFp16Bits(value: number): number {
  f32Scratch[0] = value;
  return f32BitsToFp16Bits(u32Scratch[0] as number);
}

/** The same conversion on an f32 bit pattern. */
export function f32BitsToFp16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) {
    // Inf stays Inf; NaN keeps its top 10 payload bits and is forced quiet (0x200).
    return mantissa === 0 ? sign | 0x7c00 : sign | 0x7c00 | 0x200 | (mantissa >>> 13);
  }
  const unbiased = exponent - 127;
  if (unbiased > 15) return sign | 0x7c00; // beyond 65504 + half ulp: overflow
  if (unbiased >= -14) {
    // Normal fp16. Rounding may carry into the exponent, up to 0x7c00 (Inf): that is correct.
    const truncated = ((unbiased + 15) << 10) | (mantissa >>> 13);
    return sign | roundHalfEven(truncated, mantissa & 0x1fff, 0x1000);
  }
  if (unbiased < -25) return sign; // below half the smallest subnormal: rounds to zero
  // Subnormal fp16: value = significand * 2^(unbiased-23); fp16 unit is 2^-24.
  const significand = mantissa | 0x800000;
  const shift = -unbiased - 1; // 14..24
  const truncated = significand >>> shift;
  const remainder = significand & ((1 << shift) - 1);
  return sign | roundHalfEven(truncated, remainder, 1 << (shift - 1));
}

function roundHalfEven(truncated: number, remainder: number, half: number): number {
  if (remainder > half || (remainder === half && (truncated & 1) === 1)) return truncated + 1;
  return truncated;
}

/**
 * The exact value of an fp16 bit pattern: the tile reference's textbook decoder, shared
 * rather than written again (decoding is exact, and test/kernel-fp16.test.ts checks that
 * formula against the kernel's own decoder on all 65,536 patterns).
 */
export const fp16BitsToF32: (half: number) => number = fp16ToNumber;

let decodeTable: Float32Array | undefined;

/** All 65,536 fp16 values as f32, built once on first bulk use. */
function table(): Float32Array {
  if (decodeTable === undefined) {
    decodeTable = new Float32Array(0x10000);
    for (let h = 0; h < 0x10000; h++) decodeTable[h] = fp16BitsToF32(h);
  }
  return decodeTable;
}

/** Bulk fp16 -> f32. */
export function fp16ArrayToF32(halves: Uint16Array): Float32Array {
  const lookup = table();
  const out = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) out[i] = lookup[halves[i] as number] as number;
  return out;
}

/** Bulk f32 -> fp16 bit patterns, round to nearest even. */
export function f32ArrayToFp16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = f32BitsToFp16Bits(bits[i] as number);
  return out;
}
