import { describe, expect, it } from 'vitest';
import { f32ToFp16Bits } from '../hub/data/fp16.ts';
import { FP16_MAX, findUncarriedValue } from '../hub/data/value-range.ts';

describe('findUncarriedValue', () => {
  it('accepts every finite value within fp16 range, the limits included', () => {
    expect(findUncarriedValue(Float32Array.from([0, -0, 1e-8, FP16_MAX, -FP16_MAX, 65_503.9]), 3)).toBeNull();
  });

  it('FP16_MAX is the largest finite fp16 (0x7bff), the next fp16 up is Infinity', () => {
    expect(f32ToFp16Bits(FP16_MAX)).toBe(0x7bff);
    expect(f32ToFp16Bits(65_520)).toBe(0x7c00);
  });

  it('names the first bad value by row and column, from 0', () => {
    const dim = 4;
    const cases: [number, string][] = [
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
      [-Infinity, 'Infinity'],
      [65_505, 'beyond fp16'],
      [-1e5, 'beyond fp16'],
    ];
    for (const [value, problem] of cases) {
      const data = new Float32Array(3 * dim);
      data[2 * dim + 1] = value;
      data[2 * dim + 3] = NaN; // a later bad value is not the one reported
      expect(findUncarriedValue(data, dim)).toEqual({ row: 2, column: 1, value: Math.fround(value), problem });
    }
  });
});
