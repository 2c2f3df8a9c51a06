// The conformance fixture's LZ4 group (tile/conformance/lz4-checks.ts): the Hot builds pass
// it, a Core build gets no LZ4 check (it has no decoder), and a decoder with a planted bug
// (overlapping matches copied as memmove copies them) fails it with the first difference.
import { describe, expect, it } from 'vitest';
import { Prng } from '../hub/prng.ts';
import { assembleWat } from '../tile/build/assemble.ts';
import { kernelSources, moduleText } from '../tile/build/build-kernel.ts';
import { stripCustomSections } from '../tile/build/wasm-sections.ts';
import { lz4Checks } from '../tile/conformance/lz4-checks.ts';
import { compileKernel, loadKernel } from '../tile/kernel-module.ts';

const prng = () => new Prng(1).derive('conformance');

describe('the LZ4 conformance checks', () => {
  for (const build of ['hot-simd-strict', 'hot-scalar']) {
    it(`${build} passes both, over valid and corrupted blocks`, () => {
      const checks = lz4Checks(loadKernel(build), prng(), () => {});
      expect(checks.map((c) => [c.name.slice(0, 20), c.pass, c.firstDifference])).toEqual([
        ['LZ4 blocks (random s', true, undefined],
        ['corrupted LZ4 blocks', true, undefined],
      ]);
      expect(checks.map((c) => c.cases)).toEqual([120, 300]);
    });
  }

  it('adds no check for a Core build', () => {
    expect(lz4Checks(loadKernel('simd'), prng(), () => {})).toEqual([]);
  });

  it('fails a decoder that copies overlapping matches with memory.copy', async () => {
    const bug = '(if (i32.ge_u (local.get $off) (global.get $lz4_len))';
    const sources = kernelSources(undefined, 'hot').map((s) => (s.file.endsWith('20-lz4.wat') ? { ...s, text: s.text.replace(bug, '(if (i32.const 1)') } : s));
    expect(sources.some((s) => s.text.includes('(if (i32.const 1)'))).toBe(true);
    const bytes = stripCustomSections(await assembleWat(moduleText('simd', sources, 'hot'), { variant: 'hot-simd-bug', simd: true, optimize: true }));
    const checks = lz4Checks(compileKernel('hot-simd-bug', bytes, false, 'hot'), prng(), () => {});
    expect(checks[0]!.pass).toBe(false);
    expect(checks[0]!.firstDifference).toMatch(/valid block \d+: decoded byte \d+ is \d+, the reference's \d+/);
  }, 120_000);
});
