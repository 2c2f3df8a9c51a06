// The fp16 reference: the kernel's magic-multiply decoder equals the textbook decoder on
// all 65,536 patterns, and the encoder rounds to nearest even and round-trips exactly.
import { describe, expect, it } from 'vitest';
import { f32Bits, f32FromBits, f32ToFp16Bits, fp16BitsToF32Bits, fp16ToNumber } from '../tile/reference/fp16.ts';

describe('fp16 reference', () => {
  it('decodes every fp16 pattern the same way with the magic multiply and the textbook formula', () => {
    for (let h = 0; h < 0x10000; h++) {
      const magic = fp16BitsToF32Bits(h);
      const text = fp16ToNumber(h);
      if (Number.isNaN(text)) {
        // NaN: exponent all ones, payload kept in the top mantissa bits, sign kept.
        expect(magic >>> 0).toBe((((h & 0x8000) << 16) | 0x7f800000 | ((h & 0x3ff) << 13)) >>> 0);
      } else {
        expect(magic, `h=0x${h.toString(16)}`).toBe(f32Bits(text));
      }
    }
  });

  it('round-trips every non-NaN fp16 pattern through f32 and back', () => {
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) continue;
      expect(f32ToFp16Bits(f32FromBits(fp16BitsToF32Bits(h)))).toBe(h);
    }
  });

  it('rounds halfway cases to even and overflows to infinity past the largest finite value', () => {
    expect(f32ToFp16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie, even stays
    expect(f32ToFp16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie, odd rounds up
    expect(f32ToFp16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // above the tie
    expect(f32ToFp16Bits(65504)).toBe(0x7bff);
    expect(f32ToFp16Bits(65519)).toBe(0x7bff); // below the midpoint to 65536
    expect(f32ToFp16Bits(65520)).toBe(0x7c00); // the midpoint rounds to even: infinity
    expect(f32ToFp16Bits(2 ** -25)).toBe(0x0000); // half the smallest subnormal: tie to even 0
    expect(f32ToFp16Bits(3 * 2 ** -26)).toBe(0x0001); // above half
    expect(f32ToFp16Bits(3 * 2 ** -25)).toBe(0x0002); // 1.5 units: tie to even 2
    expect(f32ToFp16Bits(-0)).toBe(0x8000);
    expect(f32ToFp16Bits(-Infinity)).toBe(0xfc00);
    expect(f32ToFp16Bits(NaN) & 0x7e00).toBe(0x7e00);
  });
});
