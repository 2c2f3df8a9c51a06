import { describe, expect, it } from 'vitest';
import { compareWithBaseline, type BenchRatio } from '../sim/bench/bench-baseline.ts';

const base: BenchRatio[] = [
  { name: 'sim / replay', value: 0.5, better: 'higher' },
  { name: 'fuel overhead', value: 1.2, better: 'lower' },
];

describe('npm run bench --baseline', () => {
  it('passes ratios within the tolerance, either way', () => {
    const now: BenchRatio[] = [
      { name: 'sim / replay', value: 0.45, better: 'higher' },
      { name: 'fuel overhead', value: 1.3, better: 'lower' },
    ];
    expect(compareWithBaseline(now, base, 0.25).regressed).toBe(false);
  });

  it('fails a speed ratio that fell, or an overhead that grew, beyond the tolerance', () => {
    expect(compareWithBaseline([{ ...base[0]!, value: 0.3 }, base[1]!], base, 0.25).regressed).toBe(true);
    const r = compareWithBaseline([base[0]!, { ...base[1]!, value: 1.6 }], base, 0.25);
    expect(r.regressed).toBe(true);
    expect(r.lines.some((l) => l.includes('REGRESSED') && l.includes('fuel overhead'))).toBe(true);
  });

  it('fails when a baseline ratio is missing from the run', () => {
    const r = compareWithBaseline([base[0]!], base, 0.25);
    expect(r.regressed).toBe(true);
    expect(r.lines.some((l) => l.includes('MISSING') && l.includes('fuel overhead'))).toBe(true);
  });
});
