import { describe, it, expect } from 'vitest';
import { generateClusteredData, DataConfigError, MAX_GENERATED_VALUES } from '../hub/data/generate.ts';
import { Prng } from '../hub/prng.ts';

const config = { count: 500, dim: 16, clusters: 5, spread: 0.05, queryCount: 20 };

describe('clustered Gaussian generator', () => {
  it('produces row-major Float32Arrays of the requested sizes', () => {
    const d = generateClusteredData(new Prng(1).derive('data'), config);
    expect(d.base).toBeInstanceOf(Float32Array);
    expect(d.base.length).toBe(500 * 16);
    expect(d.queries.length).toBe(20 * 16);
    expect(d.centres.length).toBe(5 * 16);
    expect([d.count, d.queryCount, d.dim]).toEqual([500, 20, 16]);
  });

  it('is identical for the same seed and different for another', () => {
    const a = generateClusteredData(new Prng(9), config);
    const b = generateClusteredData(new Prng(9), config);
    const c = generateClusteredData(new Prng(10), config);
    expect(Array.from(a.base)).toEqual(Array.from(b.base));
    expect(Array.from(a.queries)).toEqual(Array.from(b.queries));
    expect(Array.from(a.base)).not.toEqual(Array.from(c.base));
  });

  it('keeps the base vectors unchanged when only the query count changes', () => {
    const a = generateClusteredData(new Prng(9), config);
    const b = generateClusteredData(new Prng(9), { ...config, queryCount: 3 });
    expect(Array.from(a.base)).toEqual(Array.from(b.base));
    expect(Array.from(b.queries)).toEqual(Array.from(a.queries.subarray(0, 3 * 16)));
  });

  it('places points near their cluster centre, within the spread', () => {
    const d = generateClusteredData(new Prng(2), config);
    let sumSq = 0;
    for (let i = 0; i < d.count; i++) {
      const c = d.baseClusters[i] as number;
      for (let j = 0; j < d.dim; j++) {
        const diff = (d.base[i * d.dim + j] as number) - (d.centres[c * d.dim + j] as number);
        sumSq += diff * diff;
      }
    }
    const std = Math.sqrt(sumSq / (d.count * d.dim));
    expect(Math.abs(std - 0.05)).toBeLessThan(0.005);
    expect(new Set(d.baseClusters).size).toBe(5);
  });

  it('accepts clusters equal to count, zero queries and zero spread', () => {
    const d = generateClusteredData(new Prng(1), { count: 3, dim: 2, clusters: 3, spread: 0, queryCount: 0 });
    expect(d.queries.length).toBe(0);
    for (let i = 0; i < 3; i++) {
      const c = d.baseClusters[i] as number;
      expect([d.base[i * 2], d.base[i * 2 + 1]]).toEqual([d.centres[c * 2], d.centres[c * 2 + 1]]);
    }
  });

  it('rejects more clusters than points, and non-positive sizes', () => {
    expect(() => generateClusteredData(new Prng(1), { ...config, clusters: 501 })).toThrow('data clusters 501 exceeds count 500');
    expect(() => generateClusteredData(new Prng(1), { ...config, count: 0 })).toThrow('data count must be an integer >= 1, got 0');
    expect(() => generateClusteredData(new Prng(1), { ...config, dim: 2.5 })).toThrow(DataConfigError);
    expect(() => generateClusteredData(new Prng(1), { ...config, queryCount: -1 })).toThrow('data queryCount must be an integer >= 0, got -1');
    expect(() => generateClusteredData(new Prng(1), { ...config, spread: NaN })).toThrow(/spread must be finite/);
  });

  it('rejects sizes past MAX_GENERATED_VALUES before allocating', () => {
    expect(() => generateClusteredData(new Prng(1), { ...config, count: MAX_GENERATED_VALUES / 16 + 1 })).toThrow(/exceeds the limit/);
  });
});
