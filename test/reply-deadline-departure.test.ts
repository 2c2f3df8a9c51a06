// The hub's reply deadline runs from the message's departure from the hub's link, not from
// the moment the hub hands it to the link (docs/faults.md, "Recovery"): a message still
// queued in the hub's own output cannot be late. Before this rule a fault-free push run whose
// hub link queued more than the reply timeout timed its tiles out (4,096 tiles: 36,865
// timeouts and 4,096 restarts for 2 queries, docs/performance.md).
import { SimulatedClock } from 'xstate';
import { describe, expect, it } from 'vitest';
import { ReplyDeadline } from '../hub/core/reply-deadline.ts';
import { DEFAULT_RUN, checkRunConfig } from '../sim/run/run-config.ts';
import { buildSimulation, runSimulation, type BuildOptions } from '../sim/run/simulation.ts';

// 64 tiles of 2 KB chunks through a hub link of 1 byte a cycle: one round of chunks queues
// ~131,000 cycles in the hub's output, so a 16-chunk stream takes ~2,000,000 cycles, past the
// 500,000-cycle timeout.
const RUN = checkRunConfig({ ...DEFAULT_RUN, mode: 'push', seed: 1, tiles: 64, meshRows: 8, meshCols: 8, vectors: 16_000, dim: 64, queries: 2 });

function run(opts: BuildOptions) {
  const s = buildSimulation(RUN, opts);
  runSimulation(s, undefined, { maxEvents: 300_000 });
  return s;
}

describe('the reply deadline on a congested hub link', () => {
  it('times nothing out in a fault-free run whose hub output queues past the reply timeout, and answers the same', () => {
    const slow = run({ hubLinkBytesPerCycle: 1 });
    // The link really was congested past the timeout (else this test proves nothing).
    expect(slow.mesh.hubLinkBusyCycles().egress).toBeGreaterThan(2 * 500_000);
    expect(slow.hub.stats.faultsByKind.get('timeout') ?? 0).toBe(0);
    expect(slow.hub.stats.restarts).toBe(0);
    expect(slow.hub.stats.reassignedUnits).toBe(0);
    const fast = run({});
    expect([...slow.hub.outcomes.values()].map((o) => o.best)).toEqual([...fast.hub.outcomes.values()].map((o) => o.best));
  });

  it('still finds a hang: the deadline passes at departure + timeout, not before', () => {
    const clock = new SimulatedClock();
    const fired: number[] = [];
    const deadline = new ReplyDeadline(clock, 500, () => fired.push(clock.now()));
    clock.increment(100);
    deadline.arm(3_000); // the message leaves the hub 3,000 cycles from now (cycle 3,100)
    clock.increment(3_000 + 499);
    expect(fired).toEqual([]); // cycle 3,599: still within the timeout after departure
    clock.increment(1);
    expect(fired).toEqual([3_600]);
    deadline.arm(-50); // a departure already past counts from now: never an earlier deadline
    clock.increment(499);
    expect(fired).toEqual([3_600]);
    clock.increment(1);
    expect(fired).toEqual([3_600, 4_100]);
  });
});
