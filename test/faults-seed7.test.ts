// Issue 13's wrong answer, the exact command (about a minute of CPU, so opt-in:
// COGSIM_SLOW_TESTS=1). test/faults-script.test.ts and test/machines-tile.test.ts keep the
// mechanism (a trap while restarting ordered a second restart) in every `npm test`.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';

const ROOT = new URL('..', import.meta.url).pathname;

describe.runIf(process.env.COGSIM_SLOW_TESTS === '1')('the seed-7 fault run of issue 13', () => {
  it('answers all 100 queries as the clean run does, every fault detected', { timeout: 600_000 }, () => {
    const args = ['faults', '--rate', '0.1', '--kinds', 'trap,hang,corrupt,drop,slow,death,bitflip', '--seed', '7', '--tiles', '16', '--mesh', '4x4', '--vectors', '4000', '--dim', '128', '--queries', '100', '--json'];
    const r = spawnSync(process.execPath, [`${ROOT}sim/cli/cogsim.js`, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 590_000 });
    const report = JSON.parse(r.stdout) as { queriesDiffering: number[]; queriesLost: number; undetected: unknown[]; identical: boolean; recovery: { restarts: number } };
    expect(report.queriesDiffering).toEqual([]); // was [57]
    expect(report.queriesLost).toBe(0);
    expect(report.undetected).toEqual([]);
    expect(report.identical).toBe(true);
    expect(r.status).toBe(0);
  });
});
