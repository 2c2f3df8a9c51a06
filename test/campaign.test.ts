import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareWithBaseline } from '../sim/campaign/baseline.ts';
import { campaignFailed, runCampaign, writeCampaign } from '../sim/campaign/campaign.ts';
import { readCapsule, replayCapsule } from '../sim/campaign/capsule.ts';
import type { RunRow } from '../sim/campaign/run-task.ts';
import { ddmin, shrinkCapsule } from '../sim/campaign/shrink.ts';
import { expandSweep, parseKindSets, parseSeeds } from '../sim/campaign/sweep.ts';
import { toCsv } from '../sim/campaign/summary.ts';
import { FAULT_KINDS } from '../sim/faults/fault-kinds.ts';
import { DEFAULT_RUN, type RunConfig } from '../sim/run/run-config.ts';

const tiny: RunConfig = { ...DEFAULT_RUN, tiles: 4, meshRows: 2, meshCols: 2, vectors: 300, dim: 16, queries: 5, clusters: 8 };
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'cogsim-campaign-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('sweeps', () => {
  it('parses seeds, kind sets, and leaves out combinations a mode does not have', () => {
    expect(parseSeeds('1..3,7')).toEqual([1, 2, 3, 7]);
    expect(() => parseSeeds('5..2')).toThrow(/--seeds '5..2'/);
    expect(parseKindSets('each')).toEqual(FAULT_KINDS.map((k) => [k]));
    expect(parseKindSets('trap,hang/drop')).toEqual([['trap', 'hang'], ['drop']]);
    const { tasks, skipped } = expandSweep(tiny, { seeds: [1, 2], rates: ['0.1'], kindSets: [['drop']], modes: ['push', 'pull'], schedules: ['query', 'block'], dtypes: ['fp16', 'i8'] });
    // push: 2 schedules x 2 dtypes; pull: query/fp16 only.
    expect(tasks.length).toBe(10);
    expect(skipped).toBe(6);
    expect(tasks.map((t) => t.index)).toEqual([...tasks.keys()]);
  });
});

describe('delta debugging', () => {
  it('finds the 1-minimal subset that keeps a failure', () => {
    let tests = 0;
    const fails = (xs: number[]) => (tests++, xs.includes(3) && xs.includes(11));
    expect(ddmin([...Array(16).keys()], fails)).toEqual([3, 11]);
    expect(tests).toBeLessThan(60);
  });
});

describe('campaigns on the local pool', () => {
  it('give the same rows whatever the pool size', async () => {
    const { tasks } = expandSweep(tiny, { seeds: [1, 2], rates: ['0.1'], kindSets: [[...FAULT_KINDS]], modes: ['push'], schedules: ['query', 'block'], dtypes: ['fp16'] });
    const one = await runCampaign(tasks, { threads: 1 });
    const two = await runCampaign(tasks, { threads: 2 });
    expect(one.map((r) => r.row)).toEqual(two.map((r) => r.row));
    expect(new Set(one.map((r) => r.row.traceHash)).size).toBe(4);
    expect(one.every((r) => !r.row.failed && r.row.injected > 0 && r.row.injected === r.row.detected)).toBe(true);
  });

  it('find a broken recovery rule: the failure is saved, replays to the same hash, and shrinks to a handful of faults', async () => {
    const { tasks } = expandSweep(tiny, { seeds: [4, 5, 6], rates: ['0.1'], kindSets: [[...FAULT_KINDS]], modes: ['push'], schedules: ['query'], dtypes: ['fp16'] }, { brokenRule: 'timeout-skips-chunk' });
    const out = tempDir();
    const results = await runCampaign(tasks, { threads: 2 });
    const c = writeCampaign(out, { test: true }, tasks, results);
    expect(campaignFailed(c.totals)).toBe(true);
    expect(c.capsules.length).toBeGreaterThan(0);
    expect(readdirSync(out).sort()).toEqual(['campaign.csv', 'campaign.json', ...c.capsules].sort());
    // The CLI refuses test-only capsules; the test reads it with the switch on.
    expect(() => readCapsule(join(out, c.capsules[0]!))).toThrow(/test-only broken recovery rule/);
    const capsule = readCapsule(join(out, c.capsules[0]!), true);
    const replay = replayCapsule(capsule);
    expect(replay.failed).toBe(true);
    expect(replay.sameHash).toBe(true);
    const shrunk = shrinkCapsule(capsule);
    expect(shrunk.capsule.faults.length).toBeGreaterThanOrEqual(1);
    expect(shrunk.capsule.faults.length).toBeLessThanOrEqual(5);
    expect(shrunk.capsule.faults.length).toBeLessThan(capsule.faults.length);
    expect(shrunk.capsule.faults.some((f) => f.kind === 'drop')).toBe(true);
    const again = replayCapsule(shrunk.capsule);
    expect(again.failed).toBe(true);
    expect(again.outcome.traceHash).toBe(shrunk.capsule.outcome.traceHash);
    // The same sweep with the rule intact passes.
    const intact = await runCampaign(tasks.map(({ brokenRule: _b, ...t }) => t), { threads: 2 });
    expect(intact.some((r) => r.row.failed)).toBe(false);
  });
});

describe('the regression gate', () => {
  const row = (over: Partial<RunRow>): RunRow => ({
    index: 0, mode: 'push', schedule: 'query', dtype: 'fp16', rate: '0.1', kinds: 'drop', seed: 1, tiles: 4, vectors: 300, dim: 16, queries: 5,
    injected: 5, detected: 5, lost: 0, differing: 0, undetected: 0, harmless: 0, stalled: false, recall: 1, cleanRecall: 1,
    latencyUsP50: 100, latencyUsP99: 200, cleanLatencyUsP50: 10, cleanLatencyUsP99: 20, restarts: 1, retirements: 0, traceHash: 'x', failed: false, ...over,
  });
  it('flags rising lost/differing/undetected and latency beyond the tolerance, and nothing else', () => {
    const old = [row({}), row({ seed: 2 })];
    expect(compareWithBaseline(old, old, 0.05).regressions).toEqual([]);
    expect(compareWithBaseline([row({ latencyUsP99: 209 }), row({ seed: 2 })], old, 0.05).regressions).toEqual([]);
    const worse = compareWithBaseline([row({ differing: 1, latencyUsP99: 300 }), row({ seed: 2 }), row({ seed: 3 })], old, 0.05);
    expect(worse.matched).toBe(2);
    expect(worse.unmatched).toBe(1);
    expect(worse.regressions).toEqual(['differing rose from 0 to 1', 'latencyUsP99 grew 25.0% (tolerance 5.0%) over 2 runs']);
  });
  it('writes one CSV line a run, quoting the kinds', () => {
    const csv = toCsv([row({ kinds: 'trap,drop' })]).trim().split('\n');
    expect(csv.length).toBe(2);
    expect(csv[1]).toContain('"trap,drop"');
  });
});
