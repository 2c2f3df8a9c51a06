import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleBench } from '../sim/bench/line-profile.ts';
import { functionTicks, lineTicks, msPerTick, totalTicks, type CpuProfile } from '../sim/bench/profile-lines.ts';

const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });

// Two functions of the bundle, one inlined into the other's lines, and one node elsewhere.
const PROFILE: CpuProfile = {
  startTime: 0,
  endTime: 10_000, // 10 ms over 10 samples
  samples: [1, 1, 1, 2, 2, 2, 2, 3, 3, 4],
  timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
  nodes: [
    { id: 1, callFrame: frame('send', 'file:///repo/sim/bench/.bundle.mjs'), hitCount: 3, positionTicks: [{ line: 10, ticks: 2 }, { line: 40, ticks: 1 }] },
    { id: 2, callFrame: frame('deliver', 'file:///repo/sim/bench/.bundle.mjs'), hitCount: 4, positionTicks: [{ line: 40, ticks: 3 }, { line: 22, ticks: 1 }] },
    { id: 3, callFrame: frame('update', ''), hitCount: 2, positionTicks: [{ line: 10, ticks: 2 }] },
    { id: 4, callFrame: frame('', 'file:///repo/other.mjs'), hitCount: 1 },
  ],
};

describe('line-level profile', () => {
  it('sums ticks per line of one script only, naming the function that took most of them', () => {
    expect(lineTicks(PROFILE, '/.bundle.mjs')).toEqual([
      { line: 40, ticks: 4, fn: 'deliver' },
      { line: 10, ticks: 2, fn: 'send' },
      { line: 22, ticks: 1, fn: 'deliver' },
    ]);
  });

  it('counts every sample for the share and each function by its self ticks', () => {
    expect(totalTicks(PROFILE)).toBe(10);
    expect(msPerTick(PROFILE)).toBe(1);
    expect(functionTicks(PROFILE)).toEqual([
      { name: 'deliver .bundle.mjs:1', ticks: 4 },
      { name: 'send .bundle.mjs:1', ticks: 3 },
      { name: 'update :1', ticks: 2 },
      { name: '(anonymous) other.mjs:1', ticks: 1 },
    ]);
  });

  const dir = mkdtempSync(join(tmpdir(), 'cogsim-line-profile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('bundles the bench with one source line per line, so lines tell functions apart', async () => {
    const out = join(dir, 'bundle.mjs');
    await bundleBench(out);
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines.length).toBeGreaterThan(5_000);
    const write = lines.findIndex((l) => l.startsWith('function writeStampedMessage('));
    expect(write).toBeGreaterThan(0);
    expect(lines[write + 1]!.trim()).toMatch(/^const n\d* = template\.length;$/);
    expect(lines.at(-2)).toContain('throughputMain(process.argv)');
  });
});
