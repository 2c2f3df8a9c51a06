// The attempt limit per unit of work (docs/faults.md, "Recovery"): a unit whose job fails
// HUB_DEFAULTS.maxUnitAttempts times, on any tiles, is computed by the hub. Without it a pull
// walk (one long exchange) at 25% faults per message of a single kind started over forever:
// a trap or a hang faults the tile and its job was reassigned without counting, and every
// successful step cleared the tile's fault record, so nothing was ever retired or handed over
// (1,614 restarts, 0 jobs finished at 8 tiles, 32 queries, kinds hang), until the fault
// run's caps stopped it as stalled.
import { describe, expect, it } from 'vitest';
import { DEFAULT_FAULT_KINDS } from '../sim/faults/fault-kinds.ts';
import { runFaultExperiment } from '../sim/run/fault-run.ts';
import { DEFAULT_RUN, checkRunConfig, type RunConfig } from '../sim/run/run-config.ts';
import { HUB_DEFAULTS } from '../sim/run/simulation.ts';

const QUARTER = { numerator: 1, denominator: 4 };
// Far above what a recovering run needs here (the largest below takes ~25,000 events), far
// below the default caps, so a run that retries forever fails in seconds.
const MAX_EVENTS = 150_000;

function tiny(overrides: Partial<RunConfig>): RunConfig {
  return checkRunConfig({
    ...DEFAULT_RUN, tiles: 8, meshRows: 2, meshCols: 4, vectors: 400, dim: 32, queries: 8, clusters: 4, seed: 1,
    pull: { ...DEFAULT_RUN.pull, M: 8, efConstruction: 40 }, ...overrides,
  });
}

describe('pull mode at 25% faults per message of a single kind', () => {
  // sdc is left out: without --redundancy nothing can see it (test/faults-forged-sdc.test.ts);
  // bitflip too: it flips a block staged in scratch, and a pull walk stages none.
  for (const kind of DEFAULT_FAULT_KINDS.filter((k) => k !== 'bitflip')) {
    it(`finishes every query with the clean run's answers (${kind})`, () => {
      const r = runFaultExperiment({ run: tiny({ mode: 'pull' }), rate: QUARTER, kinds: [kind], maxEvents: MAX_EVENTS }, () => 0);
      expect(r.stalled).toBeNull();
      expect(r.lost).toBe(0);
      expect(r.differing).toEqual([]);
      expect(r.ledger.undetected()).toEqual([]);
      expect(r.ledger.counts()[kind].injected).toBeGreaterThan(0);
    });
  }

  it('hands walks that keep failing to the hub rather than restarting them (hang)', () => {
    const r = runFaultExperiment({ run: tiny({ mode: 'pull', queries: 8 }), rate: QUARTER, kinds: ['hang'], maxEvents: MAX_EVENTS }, () => 0);
    expect(r.stalled).toBeNull();
    expect(r.lost).toBe(0);
    const hub = r.faulty!.hub;
    expect(hub.hubLocalUnits).toBeGreaterThan(0);
    // A hang faults the tile and releases its job: one failed attempt of its walk. No walk
    // fails more than maxUnitAttempts times, so neither do the restarts add up beyond that.
    const walks = 8 * DEFAULT_RUN.pull.walks;
    expect(hub.restarts).toBeLessThanOrEqual(walks * HUB_DEFAULTS.maxUnitAttempts);
  });
});
