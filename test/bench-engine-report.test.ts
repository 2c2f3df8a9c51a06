import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countGc } from '../sim/bench/gc-count.ts';
import { heapTop } from '../sim/bench/heap-profile-top.ts';

const root = resolve(import.meta.dirname, '..');

describe('bench engine report: GC counts, node flags, heap profile summary', () => {
  it('counts the scavenges a burst of short-lived allocation causes, and returns the result', () => {
    const { result, gc } = countGc(() => {
      // Each object outlives its iteration in a small ring (so no optimization removes it),
      // then is garbage: ~100 MB in all, several young generations' worth.
      const ring: { i: number; next: number[] }[] = new Array(1024);
      for (let i = 0; i < 2_000_000; i++) ring[i & 1023] = { i, next: [i, i + 1] };
      return ring[(2_000_000 - 1) & 1023]!.i;
    });
    expect(result).toBe(2_000_000 - 1);
    expect(gc.scavenges).toBeGreaterThan(0);
    expect(gc.pauseMs).toBeGreaterThanOrEqual(gc.scavengeMs);
    expect(gc.scavengeMs).toBeGreaterThan(0);
  });

  it('stops its profiler when the stretch throws, so the next count works', () => {
    expect(() => countGc(() => { throw new Error('boom'); })).toThrow('boom');
    expect(countGc(() => 7).result).toBe(7);
  });

  it('names the flags in effect from the command line and NODE_OPTIONS, not the tsx loader', () => {
    const script = `import { describeEngine } from ${JSON.stringify(resolve(root, 'sim/bench/node-flags.ts'))}; console.log(describeEngine());`;
    const r = spawnSync(process.execPath, ['--max-semi-space-size=32', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '--stack-trace-limit=20' },
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`node ${process.version}, flags: --max-semi-space-size=32 --input-type=module --stack-trace-limit=20, young generation now`);
    expect(r.stdout).not.toContain('tsx');
  });

  it('sums a heap profile by allocating function, heaviest first', () => {
    const frame = (functionName: string) => ({ functionName, url: 'file:///x/a.ts', lineNumber: 0 });
    const head = {
      callFrame: frame('(root)'),
      selfSize: 0,
      children: [
        { callFrame: frame('small'), selfSize: 1 << 20, children: [] },
        { callFrame: frame('caller'), selfSize: 0, children: [{ callFrame: frame('big'), selfSize: 3 << 20, children: [] }] },
      ],
    };
    const lines = heapTop(head, 5).split('\n');
    expect(lines[0]).toBe('sampled allocation      4.0 MiB');
    expect(lines[2]).toMatch(/^\s+3\.0 MiB\s+75\.0%\s+big /);
    expect(lines[3]).toMatch(/^\s+1\.0 MiB\s+25\.0%\s+small /);
    expect(lines.some((l) => /caller .* > big /.test(l))).toBe(true);
  });
});
