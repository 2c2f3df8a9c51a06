// The peak memory a run reports is its own process's, not the process that started it:
// Linux carries getrusage's ru_maxrss across fork and exec, so a run spawned by a large
// parent (the bench after its big cases, a test runner) once reported the parent's size.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownPeakRssBytes, peakMemory } from '../sim/cli/peak-memory.ts';

const ROOT = join(import.meta.dirname, '..');
const MiB = 2 ** 20;

describe.runIf(process.platform === 'linux')('peak memory of a run', () => {
  it('is the high-water mark of this process: at least what is resident now', () => {
    const now = Number(/^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
    const peak = peakMemory(4);
    expect(peak.peakRssBytes).toBeGreaterThanOrEqual(now);
    expect(peak.bytesPerTile).toBe(peak.peakRssBytes / 4);
    expect(ownPeakRssBytes()).not.toBeNull();
  });

  it('of a cogsim run started by a process holding 768 MiB is the run\'s own, not its parent\'s size', () => {
    const held = Buffer.alloc(768 * MiB, 1); // resident: every page written
    const r = spawnSync(process.execPath, [join(ROOT, 'sim/cli/cogsim.js'), 'run', '--tiles', '4', '--mesh', '2x2', '--vectors', '2000', '--dim', '64', '--queries', '2', '--json'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * MiB });
    expect(held[held.length - 1]).toBe(1);
    expect(r.status, r.stderr).toBe(0);
    const memory = (JSON.parse(r.stdout) as { memory: { peakRssBytes: number } }).memory;
    expect(process.resourceUsage().maxRSS * 1024).toBeGreaterThan(768 * MiB); // the parent really was that large
    expect(memory.peakRssBytes).toBeGreaterThan(20 * MiB);
    expect(memory.peakRssBytes).toBeLessThan(512 * MiB);
  });
});
