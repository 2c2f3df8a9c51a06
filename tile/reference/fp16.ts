// IEEE-754 half precision <-> single precision, exactly: the tile's reference.
//
// Two independent decoders on purpose: `fp16ToNumber` is the textbook formula (sign,
// exponent, mantissa) the references use, and `fp16BitsToF32Bits` is the kernel's
// integer "magic multiply" (wat/20-fp16.wat) so tests can predict the kernel's bits,
// NaN payloads included.
//
// One encoder, the kernel's (f32BitsToF16): it rounds an f32 to nearest, ties to even,
// and folds every NaN to 0x7E00 as rvf_dequant_i8 does. The hub's production encoder is
// hub/data/fp16.ts, written independently (it keeps NaN payloads); test/kernel-sq.test.ts
// checks the two against each other on every rounding boundary and 200,000 random
// patterns, so keep them separate.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function f32Bits(x: number): number {
  f32[0] = x;
  return u32[0]!;
}

export function f32FromBits(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0]!;
}

/** The value of an fp16 bit pattern (NaN payloads are not representable in a JS number). */
export function fp16ToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

/** The kernel's conversion, bit for bit: payload-preserving for NaN. */
export function fp16BitsToF32Bits(h: number): number {
  const o = Math.fround(f32FromBits((h & 0x7fff) << 13) * 2 ** 112);
  let bits = f32Bits(o);
  if (o >= 65536) bits |= 0x7f800000;
  return (bits | ((h & 0x8000) << 16)) >>> 0;
}

/**
 * f32 bits -> fp16 bits, round to nearest even; >= 65520 -> inf; every NaN -> 0x7E00 (the
 * kernel's canonical NaN). The kernel's own integer rounding (rvf_dequant_i8's encoder),
 * transcribed: the reference that encoder must match bit for bit.
 */
export function f32BitsToF16(x: number): number {
  const a = (x & 0x7fffffff) >>> 0;
  if (a > 0x7f800000) return 0x7e00;
  const sign = (x >>> 16) & 0x8000;
  if (a >= 0x477ff000) return sign | 0x7c00;
  let v: number;
  let s: number;
  if (a < 0x38800000) {
    v = (a & 0x7fffff) | 0x800000;
    s = Math.min(126 - (a >>> 23), 31);
  } else {
    v = a - 0x38000000;
    s = 13;
  }
  const h = Math.floor((v + 2 ** (s - 1) - 1 + (Math.floor(v / 2 ** s) & 1)) / 2 ** s);
  return sign | h;
}

/** The fp16 bit pattern nearest to x rounded first to f32 (ties to even; overflow -> inf; NaN -> 0x7E00). */
export function f32ToFp16Bits(x: number): number {
  return f32BitsToF16(f32Bits(x));
}
