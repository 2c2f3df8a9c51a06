import { describe, it, expect } from 'vitest';
import { f32ToFp16Bits, fp16BitsToF32, f32ArrayToFp16, fp16ArrayToF32, f32BitsToFp16Bits } from '../hub/data/fp16.ts';
import { Prng } from '../hub/prng.ts';

describe('fp16 -> f32', () => {
  it('decodes the edge patterns exactly', () => {
    expect(fp16BitsToF32(0x0000)).toBe(0);
    expect(Object.is(fp16BitsToF32(0x8000), -0)).toBe(true);
    expect(fp16BitsToF32(0x0001)).toBe(2 ** -24); // smallest subnormal
    expect(fp16BitsToF32(0x03ff)).toBe(1023 * 2 ** -24); // largest subnormal
    expect(fp16BitsToF32(0x0400)).toBe(2 ** -14); // smallest normal
    expect(fp16BitsToF32(0x3c00)).toBe(1);
    expect(fp16BitsToF32(0x7bff)).toBe(65504); // largest finite
    expect(fp16BitsToF32(0x7c00)).toBe(Infinity);
    expect(fp16BitsToF32(0xfc00)).toBe(-Infinity);
    expect(fp16BitsToF32(0x7e00)).toBeNaN();
    expect(fp16BitsToF32(0xc000)).toBe(-2);
  });

  it('decodes in bulk the same as one at a time, for all 65,536 patterns', () => {
    const all = new Uint16Array(0x10000).map((_, i) => i);
    const bulk = fp16ArrayToF32(all);
    for (let h = 0; h < 0x10000; h++) expect(Object.is(bulk[h], Math.fround(fp16BitsToF32(h)))).toBe(true);
  });
});

describe('f32 -> fp16', () => {
  it('encodes the edge values to the expected patterns', () => {
    expect(f32ToFp16Bits(2 ** -24)).toBe(0x0001);
    expect(f32ToFp16Bits(1023 * 2 ** -24)).toBe(0x03ff);
    expect(f32ToFp16Bits(2 ** -14)).toBe(0x0400);
    expect(f32ToFp16Bits(65504)).toBe(0x7bff);
    expect(f32ToFp16Bits(Infinity)).toBe(0x7c00);
    expect(f32ToFp16Bits(-Infinity)).toBe(0xfc00);
    expect(f32ToFp16Bits(NaN)).toBe(0x7e00);
    expect(f32ToFp16Bits(-0)).toBe(0x8000);
    expect(f32ToFp16Bits(0)).toBe(0x0000);
  });

  it('round-trips every non-NaN fp16 value exactly', () => {
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) continue;
      expect(f32ToFp16Bits(fp16BitsToF32(h))).toBe(h);
    }
  });

  it('keeps NaN a quiet NaN with its top payload bits', () => {
    expect(f32BitsToFp16Bits(0x7f800001)).toBe(0x7e00); // signalling NaN with low payload -> quiet
    expect(f32BitsToFp16Bits(0xffc02000)).toBe(0xfe01);
  });

  it('rounds ties to even in the normal range', () => {
    expect(f32ToFp16Bits(1 + 2 ** -11)).toBe(0x3c00); // halfway between 0x3c00 (even) and 0x3c01
    expect(f32ToFp16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // halfway between 0x3c01 and 0x3c02 (even)
    expect(f32ToFp16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // just above halfway
    expect(f32ToFp16Bits(-(1 + 2 ** -11))).toBe(0xbc00);
  });

  it('rounds ties to even in the subnormal range and at the zero boundary', () => {
    expect(f32ToFp16Bits(2 ** -25)).toBe(0x0000); // half the smallest subnormal: ties to 0 (even)
    expect(f32ToFp16Bits(2 ** -25 * (1 + 2 ** -23))).toBe(0x0001); // just above: rounds up
    expect(f32ToFp16Bits(3 * 2 ** -25)).toBe(0x0002); // 1.5 ulp: ties to 2 (even)
    expect(f32ToFp16Bits(5 * 2 ** -25)).toBe(0x0002); // 2.5 ulp: ties to 2 (even)
    expect(f32ToFp16Bits(2 ** -26)).toBe(0x0000);
    expect(f32ToFp16Bits(-(2 ** -26))).toBe(0x8000);
  });

  it('carries subnormal rounding into the smallest normal', () => {
    expect(f32ToFp16Bits(1023.5 * 2 ** -24)).toBe(0x0400); // tie, 0x03ff odd -> 0x0400
  });

  it('rounds to 65504 below the overflow midpoint and to infinity at it', () => {
    expect(f32ToFp16Bits(65519)).toBe(0x7bff);
    expect(f32ToFp16Bits(65520)).toBe(0x7c00); // tie between 65504 (odd mantissa) and 65536 -> Inf
    expect(f32ToFp16Bits(1e6)).toBe(0x7c00);
    expect(f32ToFp16Bits(-65520)).toBe(0xfc00);
  });

  it('picks the nearest fp16 (ties to even) for random f32 values', () => {
    const prng = new Prng(77);
    const bits = new Uint32Array(1);
    const f = new Float32Array(bits.buffer);
    for (let i = 0; i < 20_000; i++) {
      bits[0] = prng.nextU32();
      const x = f[0] as number;
      if (!Number.isFinite(x) || Math.abs(x) >= 65520) continue;
      const h = f32ToFp16Bits(x);
      const y = fp16BitsToF32(h);
      // neighbours one ulp either side (same sign direction) must not be strictly closer
      for (const n of [h - 1, h + 1]) {
        if (n < 0 || (n & 0x7fff) >= 0x7c00 || ((n ^ h) & 0x8000) !== 0) continue;
        const z = fp16BitsToF32(n);
        const dy = Math.abs(x - y);
        const dz = Math.abs(x - z);
        expect(dy <= dz).toBe(true);
        if (dy === dz) expect(h & 1).toBe(0);
      }
    }
  });

  it('encodes in bulk the same as one at a time', () => {
    const values = new Float32Array([0, -0, 1.5, 65504, 1e-8, -3.25, Infinity, NaN]);
    expect(Array.from(f32ArrayToFp16(values))).toEqual(Array.from(values, (v) => f32ToFp16Bits(v)));
  });
});
