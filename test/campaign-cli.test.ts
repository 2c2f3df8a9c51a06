// The fault commands through the real binary: record a run, replay it to the same hash,
// and bad input (capsules, plans, sweeps) as one line and exit 2.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Capsule } from '../sim/campaign/capsule.ts';
import { cogsim, type CliResult } from './helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cogsim-capsule-'));
const file = (name: string) => join(dir, name);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TINY = ['--tiles', '4', '--vectors', '300', '--dim', '16', '--queries', '5', '--clusters', '8'];

function oneLine(r: CliResult, status: number, mentions: RegExp): void {
  expect(r.status).toBe(status);
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(mentions);
}

describe('cogsim faults --record, cogsim replay', () => {
  it('replays a recorded run to the same trace hash, and says so when a capsule does not reproduce', () => {
    const plan = { phases: [{ kind: 'drop', tiles: '0-1', fromMs: 0.05, toMs: 1, rate: 0.5 }] };
    writeFileSync(file('plan.json'), JSON.stringify(plan));
    const rec = cogsim(['faults', ...TINY, '--rate', '0.05', '--plan', file('plan.json'), '--record', file('run.json'), '--json']);
    expect(rec.status).toBe(0);
    const report = JSON.parse(rec.stdout) as { faulty: { traceHash: string }; recorded: number };
    const capsule = JSON.parse(readFileSync(file('run.json'), 'utf8')) as Capsule;
    expect(capsule.faults.length).toBe(report.recorded);
    expect(capsule.outcome.traceHash).toBe(report.faulty.traceHash);
    expect(capsule.run.kernel).toBe('simd-strict-fuel'); // the effective config
    const replay = cogsim(['replay', file('run.json')]);
    expect(replay.status).toBe(0);
    expect(replay.stdout).toContain(`reproduced: trace hash ${report.faulty.traceHash} as in the capsule`);
    // The same faults as a script on `cogsim faults` (no plan, no rate): the same run.
    const scripted = cogsim(['faults', ...TINY, '--rate', '0', '--script', file('run.json'), '--json']);
    expect(scripted.status).toBe(0);
    expect((JSON.parse(scripted.stdout) as { faulty: { traceHash: string } }).faulty.traceHash).toBe(report.faulty.traceHash);
    writeFileSync(file('other.json'), JSON.stringify({ ...capsule, outcome: { ...capsule.outcome, traceHash: 'f'.repeat(64) } }));
    const other = cogsim(['replay', file('other.json')]);
    expect(other.status).toBe(1);
    expect(other.stdout).toContain('NOT REPRODUCED');
    // A run that does not fail cannot be shrunk.
    oneLine(cogsim(['shrink', file('run.json')]), 2, /^cogsim: capsule .*run.json: the capsule does not fail when replayed: nothing to shrink$/);
  });

  it('runs a campaign from a sweep file and writes one CSV row a run', () => {
    writeFileSync(file('sweep.json'), JSON.stringify({ seeds: '1..2', rates: '0.05,0.1', kinds: 'drop/corrupt', run: { tiles: 4, vectors: 300, dim: 16, queries: 3, clusters: 8 } }));
    const r = cogsim(['campaign', '--sweep', file('sweep.json'), '--out', file('swept'), '--threads', '1']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('8 runs: 0 failed (lost 0, differing 0, undetected 0, stalled 0)');
    const csv = readFileSync(file('swept/campaign.csv'), 'utf8').trim().split('\n');
    expect(csv.length).toBe(9);
    expect(csv.slice(1).map((l) => l.split(',').slice(4, 7).join(' '))).toEqual(['0.05 drop 1', '0.05 drop 2', '0.1 drop 1', '0.1 drop 2', '0.05 corrupt 1', '0.05 corrupt 2', '0.1 corrupt 1', '0.1 corrupt 2']);
  });

  it('refuses bad capsules, plans and sweeps in one line', () => {
    oneLine(cogsim(['replay', file('missing.json')]), 2, /^cogsim: capsule .*missing.json: ENOENT/);
    writeFileSync(file('not.json'), '{"cogsimCapsule": 7}');
    oneLine(cogsim(['replay', file('not.json')]), 2, /not a cogsim capsule \(version 1\), cogsimCapsule is 7/);
    writeFileSync(file('bad-plan.json'), JSON.stringify({ phases: [{ kind: 'drop', tiles: [9] }] }));
    oneLine(cogsim(['faults', ...TINY, '--plan', file('bad-plan.json')]), 2, /--plan .*bad-plan.json: phase 0: tiles '9' is not a tile or range within 0..3/);
    oneLine(cogsim(['campaign', ...TINY, '--seeds', '9..2']), 2, /^cogsim: --seeds '9..2' is not a seed or a range/);
    oneLine(cogsim(['campaign', ...TINY, '--rates', '0.1,0.5']), 2, /--rate 0.5 is above 0.25/);
    oneLine(cogsim(['campaign', ...TINY, '--modes', 'pull', '--dtypes', 'i8']), 2, /the sweep has no run a mode supports/);
  });
});
