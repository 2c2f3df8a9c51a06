// Pull mode under faults: a walk is one long exchange that a fault restarts, so after
// MAX_WALK_ATTEMPTS rebuilds the hub replays it itself; nothing is lost or changed.
import { describe, expect, it } from 'vitest';
import { MAX_WALK_ATTEMPTS } from '../hub/modes/pull-mode.ts';
import type { FaultKind } from '../sim/faults/fault-kinds.ts';

// The seven kinds these figures were measured with (the newer kinds: test/faults-*.test.ts).
const ORIGINAL_KINDS: FaultKind[] = ['trap', 'hang', 'corrupt', 'drop', 'slow', 'death', 'bitflip'];
import { runFaultExperiment } from '../sim/run/fault-run.ts';
import { DEFAULT_RUN, checkRunConfig } from '../sim/run/run-config.ts';

describe('pull mode at 10% faults per message, every kind on', () => {
  it('loses no query, changes no answer, detects every fault, and finishes the walks on tiles by re-sending lost messages', () => {
    const run = checkRunConfig({
      ...DEFAULT_RUN, vectors: 1500, dim: 64, queries: 12, clusters: 16, tiles: 8, meshRows: 3, meshCols: 3, mode: 'pull', seed: 11,
      pull: { ...DEFAULT_RUN.pull, M: 8, efConstruction: 60 },
    });
    const r = runFaultExperiment({ run, rate: { numerator: 1, denominator: 10 }, kinds: ORIGINAL_KINDS }, () => 0);
    expect(r.stalled).toBeNull();
    expect(r.lost).toBe(0);
    expect(r.differing).toEqual([]);
    expect(r.ledger.undetected()).toEqual([]);
    expect(MAX_WALK_ATTEMPTS).toBe(4);
    // A lost or garbled walk message is re-sent with its msg_id and answered from the tile's
    // kept reply, so walks survive 10% faults on tiles: at most a few (12 queries x 2 walks)
    // fall back to the hub's replay.
    expect(r.faulty!.hub.retries).toBeGreaterThan(0);
    expect(r.faulty!.hub.hubLocalUnits).toBeLessThanOrEqual(2);
  });
});
