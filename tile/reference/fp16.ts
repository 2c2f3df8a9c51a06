// IEEE-754 half precision <-> single precision, exactly.
//
// Two independent decoders on purpose: `fp16ToNumber` is the textbook formula (sign,
// exponent, mantissa) the references use, and `fp16BitsToF32Bits` is the kernel's
// integer "magic multiply" (wat/20-fp16.wat) so tests can predict the kernel's bits,
// NaN payloads included. The encoder rounds an f32 to nearest, ties to even.

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

/** x / 2^shift rounded to nearest, ties to even (x a non-negative integer < 2^31). */
function shiftRoundEven(x: number, shift: number): number {
  const unit = 2 ** shift;
  const q = Math.floor(x / unit);
  const r = x - q * unit;
  const half = unit / 2;
  return r > half || (r === half && (q & 1) === 1) ? q + 1 : q;
}

/** The fp16 bit pattern nearest to x rounded first to f32 (ties to even; overflow -> inf). */
export function f32ToFp16Bits(x: number): number {
  const bits = f32Bits(x);
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return mant === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant >>> 13);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // fp16 subnormal (or zero): units of 2^-24. f32 subnormals are far below that.
    if (exp === 0) return sign;
    const shift = 14 - e; // (mant | implicit 1) * 2^(exp-150) / 2^-24
    if (shift > 24) return sign;
    return sign | shiftRoundEven(mant | 0x800000, shift); // may round up to 0x400, the smallest normal
  }
  // A carry out of the mantissa bumps the exponent, up to 0x7c00 (inf): both correct.
  return sign | ((e << 10) + shiftRoundEven(mant, 13));
}
