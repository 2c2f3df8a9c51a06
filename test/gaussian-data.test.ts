// --distribution gaussian: unclustered standard normal data, fp16-exact and seeded (issue 17).
import { describe, expect, it } from 'vitest';
import { generateGaussianData } from '../hub/data/generate-gaussian.ts';
import { f32ToFp16Bits } from '../hub/data/fp16.ts';
import { fp16ToNumber } from '../tile/reference/fp16.ts';
import { Prng } from '../hub/prng.ts';
import { refuseUnusedFlags } from '../sim/cli/flag-scope.ts';
import { runData } from '../sim/run/dataset-source.ts';
import { DEFAULT_RUN } from '../sim/run/run-config.ts';

const choice = { mode: 'pull' as const, schedule: 'query' as const, data: false, compare: false, kernelFile: false, shardedPull: true };

describe('gaussian built-in data', () => {
  const g = generateGaussianData(new Prng(7).derive('data'), { count: 2000, dim: 64, queryCount: 50 });

  it('is standard normal: mean near 0, variance near 1, no cluster offset', () => {
    let sum = 0;
    let sq = 0;
    for (const x of g.base) {
      sum += x;
      sq += x * x;
    }
    const mean = sum / g.base.length;
    const variance = sq / g.base.length - mean * mean;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
  });

  it('holds only fp16-exact values', () => {
    let inexact = 0;
    for (const arr of [g.base, g.queries]) for (const x of arr) if (fp16ToNumber(f32ToFp16Bits(x)) !== x) inexact++;
    expect(inexact).toBe(0);
    expect(g.queries.length).toBe(50 * 64);
  });

  it('is seeded: the same seed gives the same values, another seed others', () => {
    const again = generateGaussianData(new Prng(7).derive('data'), { count: 2000, dim: 64, queryCount: 50 });
    const other = generateGaussianData(new Prng(8).derive('data'), { count: 2000, dim: 64, queryCount: 50 });
    expect(Buffer.from(again.base.buffer).equals(Buffer.from(g.base.buffer))).toBe(true);
    expect(Buffer.from(other.base.buffer).equals(Buffer.from(g.base.buffer))).toBe(false);
  });

  it('is what a run with --distribution gaussian uses, and clustered stays the default', () => {
    const cfg = { ...DEFAULT_RUN, vectors: 300, dim: 16, queries: 5 };
    const gauss = runData({ ...cfg, distribution: 'gaussian' }, new Prng(1));
    expect(gauss.name).toMatch(/gaussian/);
    expect(gauss.base).toEqual(generateGaussianData(new Prng(1).derive('data'), { count: 300, dim: 16, queryCount: 5 }).base);
    expect(runData(cfg, new Prng(1)).name).toMatch(/clustered/);
  });

  it('refuses --clusters with gaussian data, and --distribution with --data', () => {
    expect(() => refuseUnusedFlags(new Set(['--clusters']), { ...choice, gaussian: true })).toThrow(/--clusters applies to --distribution clustered/);
    expect(() => refuseUnusedFlags(new Set(['--distribution']), { ...choice, data: true })).toThrow(/--distribution applies to the built-in data/);
    expect(() => refuseUnusedFlags(new Set(['--clusters']), choice)).not.toThrow();
  });
});
