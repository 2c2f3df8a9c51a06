import { afterAll, describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { createTileMachine, phaseOf, type TileMachineDeps } from '../hub/machines/tile-machine.ts';
import { ReplyDeadline } from '../hub/core/reply-deadline.ts';
import type { TileLink } from '../hub/core/mode-driver.ts';
import { TileSession } from '../hub/core/tile-session.ts';
import type { TileJob } from '../hub/work/job.ts';
import type { TileFault } from '../hub/work/tile-fault.ts';
import { TransitionRecorder } from './machine-coverage.ts';

const recorder = new TransitionRecorder();

/** `runOf`: the job streams that many blocks, those after the first chained (one run). */
function job(withSteps = true, runOf = 1): TileJob {
  const blocks = Array.from({ length: runOf }, (_, b) => ({ op: 'stream' as const, blockId: b, chunks: 1, stageOnly: false, phase: 'computing' as const, chained: b > 0 }));
  return {
    jobId: 1,
    units: [{ kind: 'scan', queryId: 0, blockIds: [0], key: 'q0/s0' }],
    steps: withSteps ? [{ op: 'query', queryId: 0, phase: 'loading' }, ...blocks, { op: 'read', unitKey: 'q0/s0', phase: 'reporting' }] : [],
  };
}

/** `emptyJobs`: the first jobs taken have no steps; `runOf`: blocks per job, chained into a run. */
function harness(opts: { jobs?: number; maxFaults?: number; retries?: number; rebuildEmpty?: boolean; emptyJobs?: number; runOf?: number } = {}) {
  const calls: string[] = [];
  let jobs = opts.jobs ?? 1;
  let emptyJobs = opts.emptyJobs ?? 0;
  // The link stand-in: the step in flight, and the last of the run the machine delegated.
  let sent = 0;
  let through = 0;
  const resumedAt: number[] = [];
  const clock = new SimulatedClock();
  // The hub's deadline on the same simulated clock: REPLY_TIMEOUT 500 cycles after the machine arms it.
  const deadline = new ReplyDeadline(clock, 500, () => actor.send({ type: 'REPLY_TIMEOUT' }));
  const deps: TileMachineDeps = {
    nowCycles: () => clock.now(),
    takeJob: () => {
      if (jobs === 0) return null;
      jobs--;
      return job(emptyJobs-- <= 0, opts.runOf);
    },
    // As the hub's: a job with steps is next (an empty one is taken through idle).
    jobReady: () => jobs > 0 && emptyJobs <= 0,
    resume: (_t, j, step) => (calls.push('rebuild'), resumedAt.push(step), opts.rebuildEmpty ? null : { job: j, step }),
    timedOut: () => void calls.push('timeout'),
    armDeadline: () => deadline.arm(0),
    disarmDeadline: () => deadline.disarm(),
    sendStep: (_t, j, s, _a, last) => void ((sent = s), (through = last), calls.push(`send:${(j as TileJob).steps[s]!.op}`)),
    linkStep: () => sent,
    finishJob: () => void calls.push('finish'),
    releaseJob: (_t, _j, f) => void calls.push(`release:${f.kind}`),
    restartTile: () => void calls.push('restart'),
    retireTile: () => void calls.push('retire'),
  };
  const machine = createTileMachine(deps);
  const actor = createActor(machine, {
    input: { tileId: 3, maxFaultsInWindow: opts.maxFaults ?? 3, faultWindowCycles: 1_000_000, replyTimeoutCycles: 500, restartTimeoutCycles: 5_000, maxRetriesPerStep: opts.retries ?? 1 },
    clock,
    inspect: recorder.inspect,
  }).start();
  // Busy: the one awaiting state, and the phase of the step it awaits (from the job).
  const state = () => {
    const snap = actor.getSnapshot();
    return snap.matches('awaiting') ? `awaiting ${phaseOf(snap.context.job, snap.context.step)}` : JSON.stringify(snap.value);
  };
  const fault = (kind: TileFault['kind']): TileFault => ({ kind, atCycles: clock.now(), detail: kind });
  // A block of the delegated run done below the machine: the link sends the next itself.
  const blockDone = () => {
    expect(sent).toBeLessThan(through);
    sent++;
    calls.push('link:stream');
  };
  return { actor, machine, calls, clock, state, fault, addJob: () => void jobs++, blockDone, resumedAt, context: () => actor.getSnapshot().context };
}

describe('tile machine', () => {
  it('boots to idle and waits when there is no work', () => {
    const h = harness({ jobs: 0 });
    expect(h.state()).toBe('"booting"');
    h.actor.send({ type: 'BOOTED' });
    expect(h.state()).toBe('"idle"');
    h.actor.send({ type: 'WORK_AVAILABLE' });
    expect(h.state()).toBe('"idle"');
  });

  it('walks a job through loading, computing and reporting, sending one step per STEP_OK', () => {
    const h = harness();
    h.actor.send({ type: 'BOOTED' });
    expect(h.state()).toBe('awaiting loading');
    h.actor.send({ type: 'STEP_OK' });
    expect(h.state()).toBe('awaiting computing');
    h.actor.send({ type: 'STEP_OK' });
    expect(h.state()).toBe('awaiting reporting');
    h.actor.send({ type: 'STEP_OK' });
    expect(h.state()).toBe('"idle"');
    expect(h.calls).toEqual(['send:query', 'send:stream', 'send:read', 'finish']);
  });

  it('goes from a job\'s last step straight to the first step of the next job queued', () => {
    const h = harness({ jobs: 2, retries: 1 });
    h.actor.send({ type: 'BOOTED' });
    for (let i = 0; i < 3; i++) h.actor.send({ type: 'STEP_OK' });
    expect(h.state()).toBe('awaiting loading');
    expect(h.calls).toEqual(['send:query', 'send:stream', 'send:read', 'finish', 'send:query']);
    // The next job's deadline runs from its own first step.
    h.clock.increment(499);
    expect(h.calls.at(-1)).toBe('send:query');
    h.clock.increment(1);
    expect(h.calls.slice(-3)).toEqual(['timeout', 'rebuild', 'send:query']);
  });

  it('finishes a job without steps at once and takes the next', () => {
    const h = harness({ jobs: 2, emptyJobs: 1 });
    h.actor.send({ type: 'BOOTED' });
    expect(h.state()).toBe('awaiting loading');
    expect(h.calls).toEqual(['finish', 'send:query']);
  });

  it('picks up work announced while idle', () => {
    const h = harness({ jobs: 0 });
    h.actor.send({ type: 'BOOTED' });
    h.addJob();
    h.actor.send({ type: 'WORK_AVAILABLE' });
    expect(h.state()).toBe('awaiting loading');
  });

  it('retries the job after a reply timeout, in simulated time, then faults when retries run out', () => {
    const h = harness({ retries: 1 });
    h.actor.send({ type: 'BOOTED' });
    h.clock.increment(499);
    expect(h.state()).toBe('awaiting loading');
    h.clock.increment(1);
    expect(h.calls).toEqual(['send:query', 'timeout', 'rebuild', 'send:query']);
    h.clock.increment(500);
    expect(h.state()).toBe('"restarting"');
    expect(h.calls.slice(-2)).toEqual(['release:timeout', 'restart']);
    h.actor.send({ type: 'RESTARTED' });
    expect(h.state()).toBe('"idle"');
  });

  it('restarts the reply deadline on progress below the machine without sending the step again', () => {
    const h = harness({ retries: 1 });
    h.actor.send({ type: 'BOOTED' });
    h.clock.increment(400);
    h.actor.send({ type: 'PROGRESS' });
    h.clock.increment(400);
    expect(h.state()).toBe('awaiting loading');
    expect(h.calls).toEqual(['send:query']);
    h.clock.increment(100);
    expect(h.calls).toEqual(['send:query', 'timeout', 'rebuild', 'send:query']);
    h.actor.send({ type: 'STEP_OK' });
    h.actor.send({ type: 'PROGRESS' }); // a walk exchange while computing
    expect(h.state()).toBe('awaiting computing');
    h.actor.send({ type: 'STEP_OK' });
    h.actor.send({ type: 'PROGRESS' });
    expect(h.state()).toBe('awaiting reporting');
    expect(h.calls).toEqual(['send:query', 'timeout', 'rebuild', 'send:query', 'send:stream', 'send:read']);
  });

  it('clears a step\'s retries on progress: a step of many exchanges has its retries per exchange', () => {
    const h = harness({ retries: 1 });
    h.actor.send({ type: 'BOOTED' });
    h.actor.send({ type: 'STEP_OK' });
    h.actor.send({ type: 'STEP_FAILED', fault: h.fault('corrupt-reply') }); // the one retry
    expect(h.state()).toBe('awaiting computing');
    h.actor.send({ type: 'PROGRESS' }); // the walk went on
    h.actor.send({ type: 'STEP_FAILED', fault: h.fault('corrupt-reply') }); // a retry again
    expect(h.state()).toBe('awaiting computing');
    h.actor.send({ type: 'STEP_FAILED', fault: h.fault('corrupt-reply') }); // no progress since: faulted
    expect(h.state()).toBe('"restarting"');
  });

  it('runs the reply deadline from each step sent, and stops it when the job is done', () => {
    const h = harness({ retries: 1 });
    h.actor.send({ type: 'BOOTED' });
    h.clock.increment(400);
    h.actor.send({ type: 'STEP_OK' }); // the chunk is sent at 400: its deadline is 900
    h.clock.increment(499);
    expect(h.calls).toEqual(['send:query', 'send:stream']);
    h.clock.increment(1);
    expect(h.calls).toEqual(['send:query', 'send:stream', 'timeout', 'rebuild', 'send:stream']);
    h.actor.send({ type: 'STEP_OK' });
    h.actor.send({ type: 'STEP_OK' });
    expect(h.state()).toBe('"idle"');
    h.clock.increment(5_000); // nothing outstanding: no deadline runs
    expect(h.calls.slice(-2)).toEqual(['send:read', 'finish']);
  });

  it('resumes at the failed step while computing and while reporting, until retries run out', () => {
    const h = harness({ retries: 4 });
    h.actor.send({ type: 'BOOTED' });
    h.actor.send({ type: 'STEP_OK' });
    h.actor.send({ type: 'STEP_FAILED', fault: h.fault('error-reply') });
    expect(h.state()).toBe('awaiting computing');
    h.clock.increment(500); // computing times out
    expect(h.state()).toBe('awaiting computing');
    h.actor.send({ type: 'STEP_OK' });
    h.actor.send({ type: 'STEP_FAILED', fault: h.fault('corrupt-reply') });
    expect(h.state()).toBe('awaiting reporting');
    h.clock.increment(500); // reporting times out
    expect(h.state()).toBe('awaiting reporting');
    h.actor.send({ type: 'STEP_FAILED', fault: h.fault('corrupt-reply') });
    h.actor.send({ type: 'STEP_FAILED', fault: h.fault('corrupt-reply') });
    expect(h.state()).toBe('awaiting reporting');
    // Retries count per step: two on computing, then four on reporting; the fifth faults.
    expect(h.calls.filter((c) => c === 'rebuild').length).toBe(6);
    h.actor.send({ type: 'STEP_FAILED', fault: h.fault('corrupt-reply') });
    expect(h.state()).toBe('"restarting"');
  });

  it('goes idle when a retried job has nothing left to do (its units reported elsewhere)', () => {
    const h = harness({ retries: 2, rebuildEmpty: true });
    h.actor.send({ type: 'BOOTED' });
    h.actor.send({ type: 'STEP_FAILED', fault: h.fault('timeout') });
    expect(h.state()).toBe('"idle"');
    expect(h.calls).toEqual(['send:query', 'rebuild']);
  });

  it('faults on a trap, hands back the job, restarts, and serves again', () => {
    const h = harness({ jobs: 2 });
    h.actor.send({ type: 'BOOTED' });
    h.actor.send({ type: 'FAULT', fault: h.fault('memory-out-of-bounds') });
    expect(h.state()).toBe('"restarting"');
    expect(h.calls).toContain('release:memory-out-of-bounds');
    h.actor.send({ type: 'RESTARTED' });
    expect(h.state()).toBe('awaiting loading');
  });

  it('retires a tile on the third fault inside the window, and a dead tile at once', () => {
    const h = harness({ jobs: 5, maxFaults: 3 });
    h.actor.send({ type: 'BOOTED' });
    for (let i = 0; i < 2; i++) {
      h.actor.send({ type: 'FAULT', fault: h.fault('unreachable') });
      expect(h.state()).toBe('"restarting"');
      h.actor.send({ type: 'RESTARTED' });
    }
    h.actor.send({ type: 'FAULT', fault: h.fault('unreachable') });
    expect(h.state()).toBe('"retired"');
    expect(h.calls.at(-1)).toBe('retire');
    const d = harness();
    d.actor.send({ type: 'BOOTED' });
    d.actor.send({ type: 'FAULT', fault: d.fault('dead') });
    expect(d.state()).toBe('"retired"');
  });

  it('keeps a tile whose faults are separated by successful steps', () => {
    const h = harness({ jobs: 10, maxFaults: 3 });
    h.actor.send({ type: 'BOOTED' });
    for (let i = 0; i < 5; i++) {
      h.actor.send({ type: 'STEP_OK' }); // progress between faults
      h.actor.send({ type: 'FAULT', fault: h.fault('unreachable') });
      expect(h.state()).toBe('"restarting"');
      h.actor.send({ type: 'RESTARTED' });
    }
    expect(h.actor.getSnapshot().context.faults).toBe(5);
  });

  it('retires a tile that does not come back from a restart in time', () => {
    const h = harness();
    h.actor.send({ type: 'BOOTED' });
    h.actor.send({ type: 'FAULT', fault: h.fault('unreachable') });
    expect(h.state()).toBe('"restarting"');
    h.clock.increment(5_000);
    expect(h.state()).toBe('"retired"');
    expect(h.actor.getSnapshot().context.lastFault?.kind).toBe('dead');
  });

  it('faults a tile that traps while booting', () => {
    const h = harness();
    h.actor.send({ type: 'FAULT', fault: h.fault('unreachable') });
    expect(h.state()).toBe('"restarting"');
    expect(h.calls).toEqual(['release:unreachable', 'restart']);
  });

  it('keeps one restart in flight: a trap of the replaced instance while restarting changes nothing (seed-7 regression)', () => {
    const h = harness({ jobs: 2 });
    h.actor.send({ type: 'BOOTED' });
    h.actor.send({ type: 'FAULT', fault: h.fault('budget-exceeded') });
    // The old instance's next queued message traps before the restart completes.
    h.actor.send({ type: 'FAULT', fault: h.fault('memory-out-of-bounds') });
    expect(h.state()).toBe('"restarting"');
    expect(h.calls.filter((c) => c === 'restart').length).toBe(1);
    expect(h.actor.getSnapshot().context.faults).toBe(1);
    h.actor.send({ type: 'RESTARTED' });
    expect(h.state()).toBe('awaiting loading');
  });

  it('resets an idle tile found replaying old messages, and ignores any other fault while idle', () => {
    const h = harness({ jobs: 0 });
    h.actor.send({ type: 'BOOTED' });
    h.actor.send({ type: 'FAULT', fault: h.fault('memory-out-of-bounds') });
    expect(h.state()).toBe('"idle"');
    h.actor.send({ type: 'FAULT', fault: h.fault('replayed') });
    expect(h.state()).toBe('"restarting"');
    expect(h.calls).toEqual(['release:replayed', 'restart']);
  });

  it('retires a tile found dead while restarting', () => {
    const h = harness();
    h.actor.send({ type: 'FAULT', fault: h.fault('unreachable') });
    h.actor.send({ type: 'FAULT', fault: h.fault('dead') });
    expect(h.state()).toBe('"retired"');
  });

  it('delegates a job\'s chained blocks as one run and ends it with one STEP_OK', () => {
    const h = harness({ runOf: 3 });
    h.actor.send({ type: 'BOOTED' });
    h.actor.send({ type: 'STEP_OK' }); // the query: the machine sends block 0 with the run through block 2
    h.blockDone();
    h.blockDone();
    expect(h.context().step).toBe(1); // not told yet
    h.actor.send({ type: 'STEP_OK' }); // block 2, the run's last
    expect(h.state()).toBe('awaiting reporting');
    expect(h.context().step).toBe(4);
    h.actor.send({ type: 'STEP_OK' });
    expect(h.calls).toEqual(['send:query', 'send:stream', 'link:stream', 'link:stream', 'send:read', 'finish']);
  });

  it('absorbs the blocks done below before it takes a failure, a trap, a timeout or progress', () => {
    const start = (retries = 1) => {
      const h = harness({ runOf: 3, retries, jobs: 2 });
      h.actor.send({ type: 'BOOTED' });
      h.actor.send({ type: 'STEP_OK' });
      h.actor.send({ type: 'STEP_FAILED', fault: h.fault('corrupt-reply') }); // block 0 retried once
      expect(h.context().retries).toBe(1);
      h.blockDone();
      h.blockDone(); // block 2 in flight; blocks 0 and 1 succeeded below the machine
      return h;
    };
    const failed = start();
    failed.actor.send({ type: 'STEP_FAILED', fault: failed.fault('corrupt-reply') });
    // Block 1's success cleared the retry: block 2 gets its own, resumed at its step.
    expect(failed.state()).toBe('awaiting computing');
    expect(failed.resumedAt).toEqual([1, 3]);
    expect(failed.context()).toMatchObject({ step: 3, retries: 1 });
    const timedOut = start();
    timedOut.clock.increment(500);
    expect(timedOut.resumedAt).toEqual([1, 3]);
    expect(timedOut.calls.slice(-3)).toEqual(['timeout', 'rebuild', 'send:stream']);
    const trapped = start();
    trapped.actor.send({ type: 'FAULT', fault: trapped.fault('unreachable') });
    expect(trapped.state()).toBe('"restarting"');
    expect(trapped.context()).toMatchObject({ step: 3, faultsSinceSuccess: 1, faultTimes: [0] });
    const progressed = start();
    progressed.actor.send({ type: 'PROGRESS' });
    expect(progressed.context()).toMatchObject({ step: 3, retries: 0 });
  });

  it('is flat: each state\'s value is its name, which the hub\'s sessions compare (TileSession.idle, retired, healthy)', () => {
    const { machine, context } = harness();
    const names = Object.keys(machine.root.states);
    expect(names).toEqual(expect.arrayContaining(['idle', 'awaiting', 'faulted', 'restarting', 'retired']));
    for (const name of names) {
      const snap = machine.resolveState({ value: name, context: context() });
      expect(snap.value).toBe(name);
      expect(snap.matches(name as never)).toBe(true);
    }
    // A session reads its machine's state by that value, as matches() would.
    const h = harness({ jobs: 0, maxFaults: 3 });
    const session = new TileSession(3, h.actor, () => ({}) as TileLink, h.clock, 500);
    const agrees = () => {
      const snap = h.actor.getSnapshot();
      expect(session.idle).toBe(snap.matches('idle'));
      expect(session.retired).toBe(snap.matches('retired'));
      expect(session.healthy).toBe(!snap.matches('retired') && !snap.matches('faulted') && !snap.matches('restarting'));
    };
    agrees();
    h.actor.send({ type: 'BOOTED' });
    expect(session.idle).toBe(true);
    agrees();
    h.actor.send({ type: 'FAULT', fault: h.fault('replayed') });
    expect(h.actor.getSnapshot().value).toBe('restarting');
    expect(session.healthy).toBe(false);
    agrees();
    h.actor.send({ type: 'FAULT', fault: h.fault('dead') });
    expect(session.retired).toBe(true);
    agrees();
  });

  afterAll(() => {
    // Every transition the machine defines was taken by the tests above.
    expect(recorder.missing(harness().machine)).toEqual([]);
  });
});
