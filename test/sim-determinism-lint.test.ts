import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
// Files this suite owns that must stay deterministic. wallclock.ts and benchmarks are the
// reporting edge and may read the wall clock.
const SCANNED = ['sim', 'hub/data', 'hub/prng.ts'];
const WALL_CLOCK_ALLOWED = new Set(['sim/wallclock.ts']);
const ALLOWED_DIRS = ['sim/bench/', 'sim/cli/'];

function tsFiles(path: string): string[] {
  const full = join(ROOT, path);
  if (statSync(full).isFile()) return [path];
  return readdirSync(full).flatMap((name) => tsFiles(join(path, name))).filter((p) => p.endsWith('.ts'));
}

describe('determinism habits in sim/ and hub/data', () => {
  const files = SCANNED.flatMap(tsFiles).map((p) => relative(ROOT, join(ROOT, p)));

  it('finds the files it scans', () => {
    expect(files).toContain('sim/simulator.ts');
    expect(files).toContain('hub/prng.ts');
  });

  it('never uses Math.random', () => {
    const offenders = files.filter((f) => /Math\.random/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('reads the wall clock only in sim/wallclock.ts', () => {
    const offenders = files
      .filter((f) => !WALL_CLOCK_ALLOWED.has(f) && !ALLOWED_DIRS.some((d) => f.startsWith(d)))
      .filter((f) => /Date\.now|performance\.now|new Date\(|hrtime|node:timers|perf_hooks|wallclock\.ts'/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
