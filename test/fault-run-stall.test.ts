// A fault run the hub never finishes must come back as a stalled run, a failure row in a
// campaign, not hang the thread running it (the campaign pool stalled on such a run). Pull at
// 25% hangs or corruptions was such a run until units got an attempt limit (docs/faults.md,
// "Recovery"); these runs lift the limit (NO_LIMIT) to get the endless retrying back.
import { describe, expect, it } from 'vitest';
import { failed, outcomeOf } from '../sim/campaign/run-task.ts';
import { parseRate } from '../sim/faults/fault-kinds.ts';
import { runFaultExperiment } from '../sim/run/fault-run.ts';
import { DEFAULT_RUN, checkRunConfig } from '../sim/run/run-config.ts';

const CAP = 1_000_000_000;
/** The hub without the attempt limit per unit: a walk that keeps failing starts over forever. */
const NO_LIMIT = { maxUnitAttempts: Infinity };

describe('a fault run that never finishes in simulated time', () => {
  it('stops past its cycle cap and is reported stalled, with every query lost', () => {
    const run = checkRunConfig({ ...DEFAULT_RUN, mode: 'pull', seed: 1, tiles: 8, meshRows: 3, meshCols: 3, vectors: 400, dim: 32, queries: 4 });
    // The guard turns the old endless loop into a failure of this test instead of a hang.
    const guard = (s: { sim: { nowCycles: number } }) => (): void => {
      if (s.sim.nowCycles > 5 * CAP) throw new Error(`still running at cycle ${s.sim.nowCycles}: the cap did not stop the run`);
    };
    const r = runFaultExperiment({ run, rate: parseRate('0.25'), kinds: ['hang'], hub: NO_LIMIT, maxCycles: CAP, beforeRun: (s) => guard(s) }, () => 0);
    expect(r.stalled).toMatch(/past the cap of 1000000000 cycles or \d+ events, with 0 of 4 queries answered/);
    expect(r.faulty).toBeNull();
    expect(r.lost).toBe(4);
    expect(failed(outcomeOf(r))).toBe(true);
  });

  it('stops past its event cap when it retries forever in small steps of simulated time', () => {
    const run = checkRunConfig({ ...DEFAULT_RUN, mode: 'pull', seed: 1, tiles: 8, meshRows: 3, meshCols: 3, vectors: 400, dim: 32, queries: 4 });
    let chunks = 0; // 20,000 events each (sim/run/simulation.ts)
    const guard = (): void => {
      if (++chunks > 15) throw new Error(`still running after ${chunks} chunks: the event cap did not stop the run`);
    };
    const r = runFaultExperiment({ run, rate: parseRate('0.25'), kinds: ['corrupt'], hub: NO_LIMIT, maxEvents: 60_000, beforeRun: (_s, phase) => (phase === 'faults' ? guard : undefined) }, () => 0);
    expect(r.stalled).toMatch(/or 60000 events, with 0 of 4 queries answered/);
    expect(r.lost).toBe(4);
    expect(failed(outcomeOf(r))).toBe(true);
  });

  it('finishes the same runs with the attempt limit', () => {
    const run = checkRunConfig({ ...DEFAULT_RUN, mode: 'pull', seed: 1, tiles: 8, meshRows: 3, meshCols: 3, vectors: 400, dim: 32, queries: 4 });
    for (const kind of ['hang', 'corrupt'] as const) {
      const r = runFaultExperiment({ run, rate: parseRate('0.25'), kinds: [kind], maxCycles: CAP, maxEvents: 60_000 }, () => 0);
      expect(r.stalled, kind).toBeNull();
      expect(r.lost, kind).toBe(0);
      expect(r.differing, kind).toEqual([]);
    }
  });
});
