// One seed, one run: the same command and seed give the same trace hash and the same
// answers, in-process and through the CLI; another seed gives another trace.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../sim/run/report.ts';
import { cogsim } from './helpers/cli.ts';
import { traceHashOfJsonl } from '../sim/trace-jsonl.ts';
import { runPush } from './helpers/push-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'cogsim-det-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Everything but the host's measurements (wall time, peak memory), the only things allowed to differ. */
function simulated(s: RunSummary): Omit<RunSummary, 'wallSeconds' | 'memory'> {
  const { wallSeconds, memory, ...rest } = s;
  void wallSeconds;
  void memory;
  return rest;
}

describe('push-mode runs in-process', () => {
  for (const schedule of ['query', 'block'] as const) {
    it(`repeat a ${schedule}-stationary run exactly with the same seed`, () => {
      const cfg = { tiles: 5, meshRows: 2, meshCols: 3, vectors: 900, dim: 40, queries: 9, schedule, seed: 7 };
      const a = runPush(cfg);
      const b = runPush(cfg);
      expect(a.summary.traceHash).toMatch(/^[0-9a-f]{64}$/);
      expect(b.summary.traceHash).toBe(a.summary.traceHash);
      expect(b.ids).toEqual(a.ids);
      expect(simulated(b.summary)).toEqual(simulated(a.summary));
      expect(a.summary.events).toBeGreaterThan(0);
    });

    it(`change the trace of a ${schedule}-stationary run when the seed changes`, () => {
      const cfg = { tiles: 5, meshRows: 2, meshCols: 3, vectors: 900, dim: 40, queries: 9, schedule };
      const a = runPush({ ...cfg, seed: 7 });
      const b = runPush({ ...cfg, seed: 8 });
      expect(b.summary.traceHash).not.toBe(a.summary.traceHash);
      expect(b.ids).not.toEqual(a.ids); // the seed drew other data and queries
    });
  }
});

describe('cogsim run --json', () => {
  const args = (seed: number, trace: string): string[] => ['run', '--vectors', '400', '--dim', '24', '--queries', '5', '--clusters', '4', '--tiles', '3', '--seed', String(seed), '--trace', trace, '--json'];

  function run(seed: number, name: string): { summary: RunSummary; traceSha: string } {
    const trace = join(dir, name);
    const r = cogsim(args(seed, trace));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout) as RunSummary;
    return { summary, traceSha: traceHashOfJsonl(readFileSync(trace, 'utf8')) };
  }

  it('prints the same summary and trace hash twice for the same seed, and the trace file rebuilds that hash', () => {
    const a = run(3, 'a.jsonl');
    const b = run(3, 'b.jsonl');
    expect(a.summary.seed).toBe(3);
    expect(simulated(b.summary)).toEqual(simulated(a.summary));
    expect(a.traceSha).toBe(a.summary.traceHash);
    const rebuilt = cogsim(['trace-hash', join(dir, 'a.jsonl')]);
    expect(rebuilt.status).toBe(0);
    expect(rebuilt.stdout.trim()).toBe(a.summary.traceHash);
    expect(b.traceSha).toBe(a.traceSha);
    expect(a.summary.exactMatches).toBe(a.summary.queries);
    // The host's measurement, outside the trace: the process's peak resident set, and its share per tile.
    expect(a.summary.memory!.peakRssBytes).toBeGreaterThan(20 * 2 ** 20);
    expect(a.summary.memory!.bytesPerTile).toBe(a.summary.memory!.peakRssBytes / 3);
  });

  it('prints another trace hash for another seed', () => {
    const a = run(3, 'c.jsonl');
    const b = run(4, 'd.jsonl');
    expect(b.summary.traceHash).not.toBe(a.summary.traceHash);
  });
});
