// Hot upgrade under load: tiles move to a new pack one at a time while queries flow. A good
// pack completes (every tile switched, in the trace) with no query lost; a pack whose
// distance kernel is wrong (the WAT of its L2 loop edited here and built through tile/build)
// fails its first health check and every moved tile goes back to the old image. Either way
// every query returns the same top-K as the run without an upgrade.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleWat } from '../tile/build/assemble.ts';
import { kernelSources, moduleText } from '../tile/build/build-kernel.ts';
import { variantByName } from '../tile/build/variants.ts';
import { stripCustomSections } from '../tile/build/wasm-sections.ts';
import { verifyPack } from '../tile/pack/pack-verify.ts';
import { answers } from '../sim/run/report.ts';
import { buildSimulation, runSimulation } from '../sim/run/simulation.ts';
import { attachUpgrade, type UpgradeHandle, type UpgradePlan } from '../sim/run/upgrade-run.ts';
import { healthCheck } from '../tile/pack/health-check.ts';
import { makePack, trustOnly } from './helpers/pack.ts';
import { pushConfig } from './helpers/push-run.ts';
import { tempDirs } from './helpers/temp-dir.ts';

const tempDir = tempDirs('cogsim-upgrade-');
const CONFIG = pushConfig({ tiles: 4, meshRows: 2, meshCols: 2, vectors: 900, queries: 24, concurrency: 4 });

function run(packDir?: string, key?: Parameters<typeof trustOnly>[0], atCycles = 0, tracePath?: string, check?: UpgradePlan['healthCheck']) {
  const s = buildSimulation(tracePath ? { ...CONFIG, tracePath } : CONFIG);
  const plan: UpgradePlan = { atCycles, kernelId: 'simd', verify: () => verifyPack(packDir!, trustOnly(key!)), ...(check ? { healthCheck: check } : {}) };
  const upgrade: UpgradeHandle | null = packDir ? attachUpgrade(s, plan) : null;
  runSimulation(s);
  const hash = s.trace.close();
  const done = [...s.hub.outcomes.values()].map((o) => o.doneAtCycles);
  return { s, upgrade, ids: answers(s).ids, hash, lastDoneAtCycles: Math.max(...done), answered: s.hub.outcomes.size };
}

/** The simd kernel with its fp16 L2 loop adding where it should subtract. */
async function wrongDistanceKernel(): Promise<Uint8Array> {
  const sources = kernelSources().map((src) => {
    if (!src.file.endsWith('40-distances.wat')) return src;
    const text = src.text.replaceAll('(f32x4.sub (local.get $x) (local.get $y))', '(f32x4.add (local.get $x) (local.get $y))');
    expect(text).not.toBe(src.text);
    return { ...src, text };
  });
  const variant = variantByName('simd');
  return stripCustomSections(await assembleWat(moduleText(variant.flavor, sources), { variant: 'simd', simd: true, optimize: true }));
}

describe('a hot upgrade during a run', () => {
  const baseline = run();
  const at = Math.floor(baseline.lastDoneAtCycles / 10);

  it('to a good pack moves every tile, one at a time, with no query lost and the same answers', () => {
    const dir = tempDir();
    const key = makePack(dir);
    const tracePath = join(tempDir(), 'trace.jsonl');
    const r = run(dir, key, at, tracePath);
    expect(r.upgrade!.outcome).toBe('done');
    expect(r.answered).toBe(CONFIG.queries);
    expect(r.ids).toEqual(baseline.ids);
    const switched = r.upgrade!.steps.filter((st) => st.step === 'switched');
    expect(switched.map((st) => [st.tile, st.detail])).toEqual([[0, 'new'], [1, 'new'], [2, 'new'], [3, 'new']]);
    // One at a time: each tile is withdrawn only after the one before it switched.
    const withdrawn = r.upgrade!.steps.filter((st) => st.step === 'withdrawn');
    for (let i = 1; i < 4; i++) expect(withdrawn[i]!.atCycles).toBeGreaterThanOrEqual(switched[i - 1]!.atCycles);
    // Queries were flowing while it happened, and the new image is what the tiles run.
    expect(withdrawn[0]!.atCycles).toBeLessThan(r.lastDoneAtCycles);
    expect(switched[0]!.atCycles).toBeLessThan(r.lastDoneAtCycles); // and some ran on the new image
    expect(r.s.nodes.every((n) => n.image.limits?.fuelPerMessage === 200_000)).toBe(true);
    const traced = readFileSync(tracePath, 'utf8').split('\n').filter((l) => l.includes('"kind":"upgrade"') && l.includes('"step":"switched"'));
    expect(traced.map((l) => (JSON.parse(l) as { tile: number }).tile)).toEqual([0, 1, 2, 3]);
  });

  it('whose third tile fails its health check rolls all three back, the failing one first, with no query lost', () => {
    const dir = tempDir();
    const key = makePack(dir);
    const failOnTile2 = (image: Parameters<typeof healthCheck>[0], t: number) => (t === 2 ? { ok: false, lines: ['FAILED on purpose'] } : healthCheck(image, t));
    const r = run(dir, key, at, undefined, failOnTile2);
    expect(r.upgrade!.outcome).toBe('rolledBack');
    expect(r.upgrade!.steps.filter((st) => st.step === 'switched').map((st) => [st.tile, st.detail])).toEqual([[0, 'new'], [1, 'new'], [2, 'old'], [1, 'old'], [0, 'old']]);
    expect(r.s.nodes.every((n) => n.image.limits === undefined)).toBe(true);
    expect(r.answered).toBe(CONFIG.queries);
    expect(r.ids).toEqual(baseline.ids);
  });

  it('to a pack with a wrong distance kernel is rolled back at the first health check, answers unchanged', async () => {
    const dir = tempDir();
    const key = makePack(dir, { bytes: { simd: await wrongDistanceKernel() } });
    const r = run(dir, key, at);
    expect(r.upgrade!.outcome).toBe('rolledBack');
    const failed = r.upgrade!.steps.find((st) => st.step === 'health-failed')!;
    expect(failed.tile).toBe(0);
    expect(failed.detail).toMatch(/^FAILED l2 fp16 dim 16, 24 vectors, top 5: distance \d+ is 0x[0-9a-f]+, the reference says 0x[0-9a-f]+$/);
    expect(r.upgrade!.steps.filter((st) => st.step === 'switched').map((st) => [st.tile, st.detail])).toEqual([[0, 'old']]);
    expect(failed.atCycles).toBeLessThan(r.lastDoneAtCycles); // the rollback happened while queries flowed
    expect(r.answered).toBe(CONFIG.queries);
    expect(r.ids).toEqual(baseline.ids);
    expect(r.s.nodes.every((n) => n.image.limits === undefined)).toBe(true); // every tile back on the built kernel
  }, 60_000);
});
