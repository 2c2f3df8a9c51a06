// A tile's lifecycle as the hub sees it. The machine decides what the hub sends next:
// entering `awaiting` sends the job's current step, a matching reply advances it (sending
// the next), a trap, an error reply or a timeout moves the tile to faulted. Side effects
// (sending bytes, handing back work, restarting the instance, the reply deadline) are named
// actions that the hub provides, so tests can swap them with `provide()`.
//
// Runs: a job's chained steps (a scan unit's blocks and read after its query,
// core/job-shape.ts) are delegated as one run. Sending a step, the machine lets the link go on
// through the chained steps after it, each started when the one before succeeds, as it goes
// on through a stream's chunks; the last step of the run answers with STEP_OK. The machine
// learns of the steps done below it lazily: before it takes any event while awaiting, it
// absorbs them in one assign (the step index, retries, and the fault record each success
// clears), then takes the event as it would have after one STEP_OK per step. So at every
// event it decides on, its context is what it would be with a STEP_OK per step
// (docs/performance.md, "Runs of blocks").
//
// The next job: a tile takes it on the transition that ends its last one (or that wakes it),
// straight into its first step when the hub says a job with steps is ready (the guard
// `jobReady`, a plain read of the tile's queue), else through `idle`, whose eventless
// transition starts a job taken there. Either way the hub's calls come in the same order
// (disarm, finish, take, send and arm); the direct way is one microstep and one context copy
// where the way through `idle` took two microsteps and three copies (docs/performance.md,
// "The end of a job in one microstep").
//
// booting -> idle -> awaiting (step 0, 1, ... of a job, then of the next job) -> idle
//         awaiting -> retrying -> route -> awaiting, or awaiting -> faulted -> restarting -> idle, or -> retired
import { assertEvent, assign, raise, setup } from 'xstate';
import type { JobShape, StepPhase } from '../core/job-shape.ts';
import type { TileFault } from '../work/tile-fault.ts';

export interface TileMachineInput {
  tileId: number;
  /** Faults within `faultWindowCycles`, with no successful step between them, that retire a tile. */
  maxFaultsInWindow: number;
  faultWindowCycles: number;
  /** Cycles to wait for a reply before the step counts as lost. */
  replyTimeoutCycles: number;
  /** Cycles to wait for a restarted tile to boot before it counts as dead. */
  restartTimeoutCycles: number;
  /** Retries of one job (after a lost, corrupted or refused message) before the tile counts as faulted. */
  maxRetriesPerStep: number;
}

export interface TileMachineContext {
  tileId: number;
  /** The input as given: constant for the machine's life, so one field, not six. Every
   *  `assign` copies the context's fields into a new object, and a tile takes one per step
   *  it hears of (a query, a read, a run of blocks). */
  limits: TileMachineInput;
  job: JobShape | null;
  step: number;
  retries: number;
  faultTimes: number[];
  /** Faults since the last successful step, however far apart: a tile that never succeeds
   *  (a kernel that hangs on every message takes longer than the window per fault) still
   *  retires, after twice maxFaultsInWindow of them. */
  faultsSinceSuccess: number;
  faults: number;
  restarts: number;
  lastFault: TileFault | null;
}

export type TileMachineEvent =
  | { type: 'BOOTED' }
  | { type: 'WORK_AVAILABLE' }
  | { type: 'STEP_OK' }
  /** A step made progress below the machine (a streamed chunk, a walk exchange): restart the reply deadline. */
  | { type: 'PROGRESS' }
  /** The reply deadline the machine armed has passed (the hub's clock, hub/core/reply-deadline.ts). */
  | { type: 'REPLY_TIMEOUT' }
  /** The step's reply did not come, came corrupted, or was an ERROR: retry the job. */
  | { type: 'STEP_FAILED'; fault: TileFault }
  | { type: 'FAULT'; fault: TileFault }
  | { type: 'RESTARTED' };

/** Side effects the hub supplies. */
export interface TileMachineDeps {
  nowCycles(): number;
  takeJob(tileId: number): JobShape | null;
  /** Whether takeJob would now return a job with at least one step, read without taking it.
   *  False when unsure: the machine then takes the job through `idle`, as it always may. */
  jobReady(tileId: number): boolean;
  /** Where a failed job resumes: the same step, an earlier one, or a job rebuilt from its
   *  units that have not reported yet; null when nothing is left to do. */
  resume(tileId: number, job: JobShape, step: number, fault: TileFault): { job: JobShape; step: number } | null;
  /** The hub learns of a lost reply (the deadline the machine armed passed). */
  timedOut(tileId: number): void;
  /** The hub waits for a reply from now: REPLY_TIMEOUT comes `replyTimeoutCycles` later unless disarmed first. */
  armDeadline(tileId: number): void;
  /** The hub no longer waits for that reply. */
  disarmDeadline(tileId: number): void;
  /** Sends step `step` and lets the link go on below the machine through step `through`
   *  (the run's last step: `step` itself unless chained steps follow it). */
  sendStep(tileId: number, job: JobShape, step: number, attempt: number, through: number): void;
  /** The step the link's message in flight belongs to: the step the machine sent last, or a
   *  later one of the run it delegated, the steps between done below the machine. */
  linkStep(tileId: number): number;
  finishJob(tileId: number, job: JobShape): void;
  releaseJob(tileId: number, job: JobShape | null, fault: TileFault): void;
  restartTile(tileId: number): void;
  retireTile(tileId: number, fault: TileFault | null): void;
}

/** The phase of the step the machine is at (loading, computing, reporting), or 'done'. */
export function phaseOf(job: JobShape | null, step: number): StepPhase | 'done' {
  if (!job || step >= job.steps.length) return 'done';
  return job.steps[step]!.phase;
}

/** The last step of the run that starts at `step`: the chained steps after it, which the link
 *  takes below the machine, or `step` itself. */
export function runEnd(job: JobShape, step: number): number {
  let end = step;
  while (end + 1 < job.steps.length && job.steps[end + 1]!.chained) end++;
  return end;
}

/** Before any other transition while awaiting: the steps the link completed below the
 *  machine are absorbed, and the event is taken again with that context. */
const absorbFirst = { guard: 'ranBelow', actions: ['absorbRun', 'takeAgain'] } as const;

/** What a successful step leaves (advanceAndSend, endJob, endAndSendNext, absorbRun): no
 *  retries, and the fault record cleared, the same empty list while there is nothing to clear. */
function afterSuccess(context: TileMachineContext): Pick<TileMachineContext, 'retries' | 'faultTimes' | 'faultsSinceSuccess'> {
  return { retries: 0, faultTimes: context.faultTimes.length === 0 ? context.faultTimes : [], faultsSinceSuccess: 0 };
}

export function createTileMachine(deps: TileMachineDeps) {
  /** Sends step `step` of `job` and arms the reply deadline: every send is followed by its
   *  arm. The run from this step is delegated to the link with it (runEnd). `awaiting` is only
   *  ever entered with a step to send (hasStep, or jobReady's promise). */
  function sendFrom(tileId: number, job: JobShape | null, step: number, attempt: number): void {
    if (!job || step >= job.steps.length) throw new Error(`tile ${tileId}: awaiting with no step to send (step ${step} of ${job ? job.steps.length : 'no job'})`);
    deps.sendStep(tileId, job, step, attempt, runEnd(job, step));
    deps.armDeadline(tileId);
  }

  /** A job's last step succeeded: the job finished, then the next taken (the hub's order), and
   *  the context that leaves (step 0 of the next job, the fault record cleared). */
  function endedJob(context: TileMachineContext): Pick<TileMachineContext, 'job' | 'step' | 'retries' | 'faultTimes' | 'faultsSinceSuccess'> {
    if (context.job) deps.finishJob(context.tileId, context.job);
    return { job: deps.takeJob(context.tileId), step: 0, ...afterSuccess(context) };
  }

  return setup({
    types: {
      context: {} as TileMachineContext,
      events: {} as TileMachineEvent,
      input: {} as TileMachineInput,
    },
    actions: {
      pullJob: assign(({ context }) => ({ job: deps.takeJob(context.tileId), step: 0, retries: 0 })),
      // Sends the job's current step and arms the reply deadline (sendFrom): the entry of `awaiting`.
      sendStep: ({ context }) => sendFrom(context.tileId, context.job, context.step, context.retries),
      // A STEP_OK with a step after it: the step advances and the next is sent (and armed) with
      // the context that leaves (its step, no retries), in one assign. One action, not an
      // assign and a sendStep: each named action is a dispatch of its own in xstate (an action
      // object, the executor, an inspection event), code the run has evicted by the next send
      // (docs/performance.md, "xstate's send in the run, round 7").
      // Progress clears the fault record: only faults with no successful step between them
      // count towards retirement, so transient faults never retire a working tile.
      // STEP_OK is the success of the step the link is at: the machine's own step, or the last
      // of a run, whose steps before it succeeded below the machine (the same assign covers them).
      advanceAndSend: assign(({ context }) => {
        const next = { step: deps.linkStep(context.tileId) + 1, ...afterSuccess(context) };
        sendFrom(context.tileId, context.job, next.step, next.retries);
        return next;
      }),
      // A job's last STEP_OK: the step's success, finishJob and pullJob in one assign (one
      // context copy, not three), calling the hub in their order (the job finished, then the
      // next taken; the link's step is not read, as pullJob's step 0 replaces it). The fault
      // record is cleared as a step's success clears it.
      endJob: assign(({ context }) => endedJob(context)),
      // A job's last STEP_OK with the next job ready, staying in `awaiting`: what leaving and
      // entering it would run, in that order, as one assign (one dispatch, not three): disarm
      // (the exit), endJob, and sendStep with the context endJob leaves (the entry: send, arm).
      endAndSendNext: assign(({ context }) => {
        deps.disarmDeadline(context.tileId);
        const next = endedJob(context);
        sendFrom(context.tileId, next.job, next.step, next.retries);
        return next;
      }),
      // The steps of a run done below the machine, in one assign: what one success per step
      // would have left (the step index, no retries, the fault record cleared by each success).
      absorbRun: assign(({ context }) => ({ step: deps.linkStep(context.tileId), ...afterSuccess(context) })),
      // The event that found steps to absorb, taken again now that the context has them.
      takeAgain: raise(({ event }) => event),
      // PROGRESS clears the step's retries: a step of many exchanges (a pull walk) gets
      // maxRetriesPerStep per exchange, not per walk; a failed exchange that makes it start over
      // counts against its units instead (the attempt limit per unit, query-machine.ts).
      clearRetries: assign({ retries: 0 }),
      retryJob: assign(({ context, event }) => {
        assertEvent(event, 'STEP_FAILED');
        const at = context.job ? deps.resume(context.tileId, context.job, context.step, event.fault) : null;
        return { retries: context.retries + 1, job: at?.job ?? null, step: at?.step ?? 0 };
      }),
      reportTimeout: ({ context }) => deps.timedOut(context.tileId),
      armDeadline: ({ context }) => deps.armDeadline(context.tileId),
      disarmDeadline: ({ context }) => deps.disarmDeadline(context.tileId),
      raiseDeath: raise(({ context }) => ({
        type: 'FAULT' as const,
        fault: { kind: 'dead' as const, atCycles: deps.nowCycles(), detail: `did not boot within ${context.limits.restartTimeoutCycles} cycles of its restart` },
      })),
      raiseTimeout: raise(({ context }) => ({
        type: 'STEP_FAILED' as const,
        fault: { kind: 'timeout' as const, atCycles: deps.nowCycles(), detail: `no reply within ${context.limits.replyTimeoutCycles} cycles` },
      })),
      finishJob: assign({
        job: ({ context }) => {
          if (context.job) deps.finishJob(context.tileId, context.job);
          return null;
        },
      }),
      recordFault: assign(({ context, event }) => {
        assertEvent(event, ['FAULT', 'STEP_FAILED']);
        const fault = event.fault;
        const windowStart = fault.atCycles - context.limits.faultWindowCycles;
        return {
          lastFault: fault,
          faults: context.faults + 1,
          faultsSinceSuccess: context.faultsSinceSuccess + 1,
          faultTimes: [...context.faultTimes.filter((t) => t > windowStart), fault.atCycles],
        };
      }),
      releaseJob: assign({
        job: ({ context }) => {
          deps.releaseJob(context.tileId, context.job, context.lastFault!);
          return null;
        },
      }),
      restartTile: ({ context }) => deps.restartTile(context.tileId),
      countRestart: assign({ restarts: ({ context }) => context.restarts + 1 }),
      retireTile: ({ context }) => deps.retireTile(context.tileId, context.lastFault),
    },
    guards: {
      hasJob: ({ context }) => context.job !== null,
      jobReady: ({ context }) => deps.jobReady(context.tileId),
      ranBelow: ({ context }) => deps.linkStep(context.tileId) > context.step,
      hasStep: ({ context }) => context.job !== null && context.step < context.job.steps.length,
      hasNextStep: ({ context }) => context.job !== null && deps.linkStep(context.tileId) + 1 < context.job.steps.length,
      canRetry: ({ context }) => context.retries < context.limits.maxRetriesPerStep,
      faultBudgetExhausted: ({ context }) => context.faultTimes.length >= context.limits.maxFaultsInWindow || context.faultsSinceSuccess >= 2 * context.limits.maxFaultsInWindow,
      isPermanentDeath: ({ context }) => context.lastFault?.kind === 'dead',
      faultIsDeath: ({ event }) => event.type === 'FAULT' && event.fault.kind === 'dead',
      faultIsReplay: ({ event }) => event.type === 'FAULT' && event.fault.kind === 'replayed',
    },
    delays: {
      restartTimeout: ({ context }) => context.limits.restartTimeoutCycles,
    },
  }).createMachine({
    id: 'tile',
    context: ({ input }) => ({ tileId: input.tileId, limits: input, job: null, step: 0, retries: 0, faultTimes: [], faultsSinceSuccess: 0, faults: 0, restarts: 0, lastFault: null }),
    initial: 'booting',
    states: {
      booting: {
        on: { BOOTED: { target: 'idle', actions: 'pullJob' }, FAULT: { target: 'faulted' } },
      },
      // Every transition into `idle` takes the next job as its last action (pullJob, or endJob
      // at a job's end), where this state's entry took it: the same calls in the same order,
      // and a transition that knows a job is ready (jobReady) goes to `awaiting` directly.
      idle: {
        // Straight to the job's first step; `route` only for a job without steps.
        always: [{ guard: 'hasStep', target: 'awaiting' }, { guard: 'hasJob', target: 'route' }],
        on: {
          WORK_AVAILABLE: [{ guard: 'jobReady', target: 'awaiting', actions: 'pullJob' }, { target: 'idle', reenter: true, actions: 'pullJob' }],
          // A tile found replaying old messages while idle holds state the hub did not build.
          FAULT: { guard: 'faultIsReplay', target: 'faulted' },
        },
      },
      // A job's steps are flat states of the root, not children of a `busy` parent: xstate
      // walks every active state node (ancestors included) several times per event, and a
      // tile takes one STEP_OK per step or run of blocks (docs/performance.md). `route` and
      // `retrying` only pass through (their eventless transitions leave at once), so
      // `awaiting` is the one state of a busy tile that takes events, FAULT and STEP_FAILED
      // included.
      route: {
        always: [{ guard: 'hasStep', target: 'awaiting' }, { target: 'idle', actions: ['finishJob', 'pullJob'] }],
      },
      retrying: {
        entry: 'retryJob',
        always: 'route',
      },
      // Every step of a job, whatever its phase (phaseOf): sent on entry, or by the STEP_OK of
      // the step before, while the hub's reply deadline runs (armed with each send, restarted
      // by PROGRESS without sending again, disarmed on leaving). One state and a targetless
      // STEP_OK, not a state per phase re-entered per step: xstate costs per state left and
      // entered, and a job is mostly steps (docs/performance.md). Each event first absorbs
      // the steps of a run done below the machine (absorbFirst), so every guard and action
      // after it sees the context one STEP_OK per step would have made.
      awaiting: {
        entry: 'sendStep',
        exit: 'disarmDeadline',
        on: {
          // The last step's STEP_OK ends the job and takes the next. With one ready it stays in
          // `awaiting`, a targetless transition whose actions are what leaving and entering
          // would run, in that order: disarm (the exit), end and take (endJob), send and arm
          // (the entry), in one assign (endAndSendNext); no exit and entry sets to compute.
          // Else to idle (disarm on exit). STEP_OK needs no absorbFirst: it advances from the
          // link's step (advanceAndSend).
          STEP_OK: [
            { guard: 'hasNextStep', actions: 'advanceAndSend' },
            { guard: 'jobReady', actions: 'endAndSendNext' },
            { target: 'idle', actions: 'endJob' },
          ],
          PROGRESS: [absorbFirst, { actions: ['clearRetries', 'armDeadline'] }],
          REPLY_TIMEOUT: [absorbFirst, { actions: ['reportTimeout', 'raiseTimeout'] }],
          STEP_FAILED: [absorbFirst, { guard: 'canRetry', target: 'retrying' }, { target: 'faulted' }],
          FAULT: [absorbFirst, { target: 'faulted' }],
        },
      },
      faulted: {
        entry: ['recordFault', 'releaseJob'],
        always: [
          { guard: 'isPermanentDeath', target: 'retired' },
          { guard: 'faultBudgetExhausted', target: 'retired' },
          { target: 'restarting' },
        ],
      },
      restarting: {
        entry: ['restartTile', 'countRestart'],
        // A trap reported now comes from the instance this restart replaces (a message it
        // was still running when the hub gave up on it). Restarting again would put a second
        // RESTARTED in flight: the first brings the tile back to work, the second then wipes
        // its memory under the new job unnoticed (docs/faults.md, "Recovery"). Only a death
        // (the restart did not boot) leaves this state by a fault.
        on: { RESTARTED: { target: 'idle', actions: 'pullJob' }, FAULT: { guard: 'faultIsDeath', target: 'faulted' } },
        // A tile that never comes back from a restart is gone for good.
        after: { restartTimeout: { actions: 'raiseDeath' } },
      },
      retired: {
        entry: 'retireTile',
        type: 'final',
      },
    },
  });
}

export type TileMachine = ReturnType<typeof createTileMachine>;
