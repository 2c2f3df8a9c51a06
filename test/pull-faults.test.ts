// Pull mode under faults: a walk is one long exchange that a fault restarts, so after
// maxUnitAttempts failed attempts the hub replays it itself; nothing is lost or changed.
import { describe, expect, it } from 'vitest';
import type { FaultKind } from '../sim/faults/fault-kinds.ts';

// The seven kinds these figures were measured with (the newer kinds: test/faults-*.test.ts).
const ORIGINAL_KINDS: FaultKind[] = ['trap', 'hang', 'corrupt', 'drop', 'slow', 'death', 'bitflip'];
import { runFaultExperiment } from '../sim/run/fault-run.ts';
import { DEFAULT_RUN, checkRunConfig } from '../sim/run/run-config.ts';
import { HUB_DEFAULTS } from '../sim/run/simulation.ts';

const PULL = { ...DEFAULT_RUN, vectors: 1500, dim: 64, queries: 12, clusters: 16, tiles: 8, meshRows: 3, meshCols: 3, mode: 'pull' as const, seed: 11, pull: { ...DEFAULT_RUN.pull, M: 8, efConstruction: 60 } };

describe('pull mode at 10% faults per message, every kind on', () => {
  it('loses no query, changes no answer and detects every fault', () => {
    const r = runFaultExperiment({ run: checkRunConfig(PULL), rate: { numerator: 1, denominator: 10 }, kinds: ORIGINAL_KINDS }, () => 0);
    expect(r.stalled).toBeNull();
    expect(r.lost).toBe(0);
    expect(r.differing).toEqual([]);
    expect(r.ledger.undetected()).toEqual([]);
    // A trap or a hang every ~30 messages: a walk of hundreds rarely finishes on a tile, and
    // after maxUnitAttempts failed attempts the hub replays it (docs/faults.md, "Recovery").
    expect(HUB_DEFAULTS.maxUnitAttempts).toBe(4);
    expect(r.faulty!.hub.hubLocalUnits).toBeGreaterThan(0);
  });
});

describe('pull mode at 20% lost messages', () => {
  it('finishes every walk on its tile by re-sending lost messages, each exchange with its own retries', () => {
    const r = runFaultExperiment({ run: checkRunConfig(PULL), rate: { numerator: 2, denominator: 10 }, kinds: ['drop'] }, () => 0);
    expect(r.stalled).toBeNull();
    expect(r.lost).toBe(0);
    expect(r.differing).toEqual([]);
    expect(r.ledger.undetected()).toEqual([]);
    // A lost walk message is re-sent with its msg_id and answered from the tile's kept reply;
    // progress clears the step's retries (tile-machine.ts), so the 8 retries are per exchange.
    // When they counted per walk, 22 of the 24 walks ran out of them and went to the hub.
    expect(r.faulty!.hub.retries).toBeGreaterThan(100);
    expect(r.faulty!.hub.restarts).toBe(0);
    expect(r.faulty!.hub.hubLocalUnits).toBe(0);
  });
});
