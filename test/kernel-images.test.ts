// The two kernel images (docs/size-budget.md "Two images"): the preprocessor's image
// conditions and @IMG_* constants, the Hot image's sources (wat/*.wat then wat/hot/*.wat),
// its signed builds and their checked twins, and `cogsim budget` gating both images.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HOT_WAT_SUBDIR, kernelSources, moduleText } from '../tile/build/build-kernel.ts';
import { preprocess, WatPreprocessError } from '../tile/build/preprocess.ts';
import { wasmPath, WAT_DIR } from '../tile/build/paths.ts';
import { budgetFor } from '../tile/budget/budget-table.ts';
import { measureKernel } from '../tile/build/size-report.ts';
import { CORE_VARIANTS, checkedTwinOf, hotTwinOf, KERNEL_VARIANTS } from '../tile/build/variants.ts';
import { loadKernel } from '../tile/kernel-module.ts';
import { HOT_IMAGE_QUERY_PTR, QUERY_PTR } from '../wat/layout.ts';
import { cogsim } from './helpers/cli.ts';

const SOURCE = [';;#if hot', 'H', ';;#if simd', 'HS', ';;#else', 'HN', ';;#endif', ';;#else', 'C', ';;#endif', '@IMG_QUERY_PTR'].join('\n');
const kept = (image: 'core' | 'hot', flavor: 'simd' | 'scalar'): string[] => preprocess(SOURCE, 't.wat', flavor, image).split('\n').filter(Boolean);

describe('the preprocessor knows the two images', () => {
  it('keeps `;;#if hot` lines in the Hot image only, composed with the flavor, and gives @IMG_* the image value', () => {
    expect(kept('hot', 'simd')).toEqual(['H', 'HS', String(HOT_IMAGE_QUERY_PTR)]);
    expect(kept('hot', 'scalar')).toEqual(['H', 'HN', String(HOT_IMAGE_QUERY_PTR)]);
    expect(kept('core', 'simd')).toEqual(['C', String(QUERY_PTR)]);
  });
  it('refuses a condition it does not know, naming the ones it does', () => {
    expect(() => preprocess(';;#if warm\n;;#endif', 'x.wat', 'simd', 'hot')).toThrow(WatPreprocessError);
    expect(() => preprocess(';;#if warm\n;;#endif', 'x.wat', 'simd', 'hot')).toThrow("x.wat:1: #if takes simd, scalar, core, hot, got 'warm'");
  });
});

describe("the Hot image's sources", () => {
  it('are every wat/*.wat in order, then every wat/hot/*.wat in order; the Core image has none of wat/hot/', () => {
    const core = kernelSources(WAT_DIR, 'core').map((s) => s.file.slice(WAT_DIR.length + 1));
    const hot = kernelSources(WAT_DIR, 'hot').map((s) => s.file.slice(WAT_DIR.length + 1));
    expect(core.length).toBeGreaterThan(10);
    expect(core.every((f) => !f.includes('/'))).toBe(true);
    expect(hot.slice(0, core.length)).toEqual(core);
    const own = hot.slice(core.length);
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((f) => f.startsWith(`${HOT_WAT_SUBDIR}/`))).toBe(true);
    expect(own).toEqual([...own].sort());
  });
  it('builds the query-chunk handler into the Hot module text only', () => {
    expect(moduleText('simd', kernelSources(WAT_DIR, 'hot'), 'hot')).toContain('$lq_chunk');
    expect(moduleText('simd', kernelSources(WAT_DIR, 'core'), 'core')).not.toContain('$lq_chunk');
  });
});

describe('the Hot builds', () => {
  it('exist in both flavors with the -strict, -fuel and -strict-fuel twins; runs execute the checked twin of their image', () => {
    const hot = KERNEL_VARIANTS.filter((v) => v.image === 'hot').map((v) => v.name);
    expect(hot).toEqual(['hot-simd', 'hot-simd-strict', 'hot-simd-fuel', 'hot-simd-strict-fuel', 'hot-scalar', 'hot-scalar-strict', 'hot-scalar-fuel', 'hot-scalar-strict-fuel']);
    expect(CORE_VARIANTS.map((v) => v.name)).not.toContain('hot-simd');
    expect(checkedTwinOf('hot-simd')).toBe('hot-simd-strict-fuel');
    expect(checkedTwinOf('scalar')).toBe('scalar-strict-fuel');
    expect(hotTwinOf('scalar-fuel')).toBe('hot-scalar-fuel');
  });
  it('are signed and verified like the Core builds, and load as the Hot image', () => {
    for (const name of ['hot-simd', 'hot-simd-strict-fuel', 'hot-scalar-strict-fuel']) {
      const k = loadKernel(name);
      expect(k.image).toBe('hot');
      expect(k.manifest?.kernel).toBe(name);
    }
    expect(loadKernel('simd').image).toBe('core');
    expect(loadKernel('hot-simd-strict-fuel').hasStrict && loadKernel('hot-simd-strict-fuel').hasFuel).toBe(true);
    // Same sources, one more file: the two images differ.
    expect(Buffer.compare(readFileSync(wasmPath('hot-simd')), readFileSync(wasmPath('simd')))).not.toBe(0);
  });
});

describe('cogsim budget gates both images', () => {
  it('lists the Core and the Hot builds, each against its 8,192 B budget', () => {
    const r = cogsim(['budget', '--json'], 300_000);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { budgets: { variant: string; image: string; budgetBytes: number; moduleBytes: number; withinBudget: boolean }[] };
    expect(j.budgets.map((b) => `${b.variant}:${b.image}:${b.budgetBytes}`)).toEqual(['simd:core:8192', 'scalar:core:8192', 'hot-simd:hot:8192', 'hot-scalar:hot:8192']);
    for (const b of j.budgets) expect(b.withinBudget).toBe(b.moduleBytes <= 8192);
    expect(cogsim(['budget']).stdout).toContain("kernel build 'hot-simd' (Hot image)");
  });
  it('marks a Hot build over its budget (one byte past 8,192 B), and not one at it', () => {
    const report = measureKernel({ name: 'hot-simd', budgeted: true, image: 'hot' }, readFileSync(wasmPath('hot-simd')));
    expect(budgetFor({ ...report, moduleBytes: 8192 }).withinBudget).toBe(true);
    expect(budgetFor({ ...report, moduleBytes: 8193 }).withinBudget).toBe(false);
    expect(budgetFor(report).image).toBe('hot');
  });
});
