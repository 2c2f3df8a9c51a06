// Discrete-event simulator. Time is an integer count of tile cycles and moves only when
// the next event is taken from the queue (or when a run reaches its `untilCycle`). Events
// are (kind, payload) data, dispatched to one handler per kind; handlers schedule more
// events. Same seed + same schedule calls => same dispatch order => same trace hash.
//
// Timers (`setTimer`) carry a callback for the few places that need one (the xstate clock
// adapter); everything else should be plain data so the trace shows it. A timer moved far
// more often than it fires (a reply deadline) is a `movingTimer`: one queued wake-up (in a
// lane of the queue's own per timer) moved lazily instead of a cancelled entry per move
// (sim/moving-timer.ts); it fires, and is
// traced, exactly as the timers it replaces would have.

import { EventQueue, type QueuedEvent } from './event-queue.ts';
import { SimClock, DEFAULT_TILE_CLOCK_HZ } from './clock.ts';
import type { TraceRecorder } from './trace.ts';
import { MovingTimer } from './moving-timer.ts';

/** Reserved kind for callback timers; user kinds may not start with '$'. */
export const TIMER_KIND = '$timer';
/** Reserved kind of a moving timer's wake-up in the queue; it is traced as TIMER_KIND when it fires. */
const WAKE_UP_KIND = '$wake-up';
/** Kinds travel through the queue as small integers (the index of their handler), the two
 *  reserved ones first: dispatch is an array read, not a string-keyed Map lookup per event. */
const TIMER_ID = 0;
const WAKE_UP_ID = 1;

/** A kind's queue id, resolved once (`Simulator.kindId`) for a caller that schedules it per message. */
export type KindId<K extends string> = number & { readonly kind?: K };

export type Handler<E extends object, K extends keyof E> = (payload: E[K], sim: Simulator<E>) => void;
export type Handlers<E extends object> = { [K in keyof E & string]?: Handler<E, K> };
/**
 * How a kind records itself in the trace instead of the generic record (its payload's
 * canonical JSON): the transport's messages are traced from their bytes, with no payload
 * object (sim-transport.ts). Called just before the handler, as the generic record is.
 */
export type EventTracer<P> = (trace: TraceRecorder, timeCycles: number, sequence: number, payload: P) => void;

type AnyHandler<E extends object> = (payload: unknown, sim: Simulator<E>) => void;

export interface SimulatorOptions<E extends object> {
  handlers?: Handlers<E>;
  tileClockHz?: number;
  trace?: TraceRecorder;
}

export type StopReason = 'drained' | 'until' | 'stopped' | 'max-events';

export interface RunResult {
  stopReason: StopReason;
  eventsProcessed: number;
  nowCycles: number;
}

export interface RunOptions {
  /** Process events at times <= untilCycle, then set the clock to untilCycle. */
  untilCycle?: number;
  /** Safety valve against runaway schedules. */
  maxEvents?: number;
}

export class SimulatorError extends Error {
  override name = 'SimulatorError';
}

interface TimerPayload {
  label: string;
  callback: () => void;
}

export class Simulator<E extends object> {
  readonly clock: SimClock;
  private readonly queue = new EventQueue<number, unknown>();
  /** Kind name -> id; `handlers[id]` is its handler (undefined until `on`, and for the two
   *  reserved kinds), `tracers[id]` its tracer (undefined: the generic record), `names[id]`
   *  its name. Two flat arrays the loop reads once per run: no entry object per kind between
   *  the loop and the handler. */
  private readonly ids = new Map<string, number>([
    [TIMER_KIND, TIMER_ID],
    [WAKE_UP_KIND, WAKE_UP_ID],
  ]);
  private readonly names: string[] = [TIMER_KIND, WAKE_UP_KIND];
  private readonly handlers: (AnyHandler<E> | undefined)[] = [undefined, undefined];
  private readonly tracers: (EventTracer<unknown> | undefined)[] = [undefined, undefined];
  private readonly cancelled = new Set<number>();
  private readonly trace: TraceRecorder | undefined;
  private readonly current: QueuedEvent<number, unknown> = { timeCycles: 0, priority: 0, sequence: 0, kind: 0, payload: undefined };
  private stopRequested = false;

  constructor(options: SimulatorOptions<E> = {}) {
    this.clock = new SimClock(options.tileClockHz ?? DEFAULT_TILE_CLOCK_HZ);
    this.trace = options.trace;
    const handlers: Handlers<E> = options.handlers ?? {};
    for (const kind of Object.keys(handlers) as (keyof E & string)[]) {
      const handler = handlers[kind];
      if (handler !== undefined) this.on(kind, handler);
    }
  }

  get nowCycles(): number {
    return this.clock.nowCycles;
  }

  /** Events waiting (cancelled timers included until they surface). */
  get pendingCount(): number {
    return this.queue.size;
  }

  /** `tracer`: how the kind records itself in the trace (default: its payload as canonical JSON). */
  on<K extends keyof E & string>(kind: K, handler: Handler<E, K>, tracer?: EventTracer<E[K]>): void {
    assertUserKind(kind);
    const id = this.kindId(kind);
    if (this.handlers[id] !== undefined) throw new SimulatorError(`event kind "${kind}" already has a handler`);
    this.handlers[id] = handler as AnyHandler<E>;
    this.tracers[id] = tracer as EventTracer<unknown> | undefined;
  }

  /** The kind's id in the queue (one per kind, handler or not yet): `scheduleLaneAt` takes it. */
  kindId<K extends keyof E & string>(kind: K): KindId<K> {
    let id = this.ids.get(kind);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(kind, id);
      this.names.push(kind);
      this.handlers.push(undefined);
      this.tracers.push(undefined);
    }
    return id as KindId<K>;
  }

  /** Schedules at an absolute cycle (>= now). Lower priority runs first at equal time. Returns the sequence. */
  scheduleAt<K extends keyof E & string>(atCycle: number, kind: K, payload: E[K], priority = 0): number {
    // The common case costs two compares and a builtin; the error is built only when one fails.
    if (!(atCycle >= this.clock.nowCycles && Number.isSafeInteger(atCycle))) this.checkTime(atCycle, kind);
    if (priority !== 0) checkPriority(priority, kind);
    return this.queue.push(atCycle, priority, this.kindId(kind), payload);
  }

  /**
   * `scheduleAt` at priority 0 by a kind's id (`kindId`), for a caller that schedules per
   * message, for an event that is one of `lane`'s (a small integer >= 0: a tile, whose
   * messages come one at a time): the same order, kept where a lane's next event is cheap
   * to queue (sim/lane-tree.ts).
   */
  scheduleLaneAt<K extends keyof E & string>(atCycle: number, kind: KindId<K>, payload: E[K], lane: number): number {
    if (!(atCycle >= this.clock.nowCycles && Number.isSafeInteger(atCycle))) this.checkTime(atCycle, this.names[kind] ?? 'kind');
    return this.queue.pushLane(lane, atCycle, kind, payload);
  }

  /** Schedules `delayCycles` (>= 0) after now. */
  scheduleAfter<K extends keyof E & string>(delayCycles: number, kind: K, payload: E[K], priority = 0): number {
    if (!Number.isSafeInteger(delayCycles) || delayCycles < 0) {
      throw new SimulatorError(`event "${kind}" delay must be an integer >= 0 cycles, got ${delayCycles}`);
    }
    return this.scheduleAt(this.clock.nowCycles + delayCycles, kind, payload, priority);
  }

  /** Either form: `{ atCycle }` or `{ delayCycles }`. */
  schedule<K extends keyof E & string>(
    when: { atCycle: number } | { delayCycles: number },
    kind: K,
    payload: E[K],
    priority = 0,
  ): number {
    return 'atCycle' in when
      ? this.scheduleAt(when.atCycle, kind, payload, priority)
      : this.scheduleAfter(when.delayCycles, kind, payload, priority);
  }

  /** Runs `callback` after `delayCycles`; cancel with `cancel(id)`. The trace shows the label. */
  setTimer(delayCycles: number, label: string, callback: () => void, priority = 0): number {
    if (!Number.isSafeInteger(delayCycles) || delayCycles < 0) {
      throw new SimulatorError(`timer "${label}" delay must be an integer >= 0 cycles, got ${delayCycles}`);
    }
    checkPriority(priority, label);
    const payload: TimerPayload = { label, callback };
    return this.queue.push(this.clock.nowCycles + delayCycles, priority, TIMER_ID, payload);
  }

  /**
   * A timer to set and clear many times: each `set(delayCycles)` takes a sequence number and
   * the timer fires (traced under `label`, at priority 0) at the same cycle and in the same
   * order as `cancel` of the last timer plus `setTimer(delayCycles, label, callback)` would,
   * without a queue entry per set (sim/moving-timer.ts).
   */
  movingTimer(label: string, callback: () => void): MovingTimer {
    return new MovingTimer(this.clock, this.queue, WAKE_UP_ID, label, callback);
  }

  /** Cancels a scheduled event or timer by its sequence number; it is skipped, untraced. Cancelling one that already ran is a no-op. */
  cancel(sequence: number): void {
    this.cancelled.add(sequence);
  }

  /** Asks the running loop to return after the current event. */
  stop(): void {
    this.stopRequested = true;
  }

  run(options: RunOptions = {}): RunResult {
    const untilCycle = options.untilCycle ?? Infinity;
    const maxEvents = options.maxEvents ?? Infinity;
    if (untilCycle !== Infinity) this.checkTime(untilCycle, 'run until');
    this.stopRequested = false;
    let eventsProcessed = 0;
    const ev = this.current;
    // Read once: fields would be loaded again after every handler call. The dispatch is
    // here, not in a method of its own: one event is one message, and the kind's handler and
    // tracer are two array reads away.
    const { queue, cancelled, clock, handlers, tracers, trace } = this;
    for (;;) {
      if (this.stopRequested) return this.result('stopped', eventsProcessed);
      if (eventsProcessed >= maxEvents) return this.result('max-events', eventsProcessed);
      const nextTime = queue.peekTimeCycles();
      if (nextTime === Infinity) {
        // Nothing left that a cancellation could match (ids of already-run events end up
        // here too, e.g. xstate clearing a timer that fired): forget them.
        cancelled.clear();
        return this.finish(untilCycle, 'drained', eventsProcessed);
      }
      if (nextTime > untilCycle) return this.finish(untilCycle, 'until', eventsProcessed);
      queue.popInto(ev);
      if (cancelled.size > 0 && cancelled.delete(ev.sequence)) continue;
      const kind = ev.kind;
      const handle = handlers[kind];
      if (handle === undefined) {
        // A moving timer's wake-up that is not due: re-queued at its deadline or dropped, untraced.
        if (kind === WAKE_UP_ID && !(ev.payload as MovingTimer).surfaced(ev.timeCycles, ev.sequence)) continue;
        clock.advanceToQueued(ev.timeCycles);
        this.dispatchReserved(ev);
      } else {
        // Queued times were checked when pushed (integers >= the time then): no check again.
        clock.advanceToQueued(ev.timeCycles);
        if (trace !== undefined) {
          const tracer = tracers[kind];
          if (tracer !== undefined) tracer(trace, ev.timeCycles, ev.sequence, ev.payload);
          else trace.recordEvent(ev.timeCycles, ev.sequence, this.names[kind]!, ev.payload);
        }
        handle(ev.payload, this);
      }
      eventsProcessed++;
    }
  }

  /** Timers, wake-ups, and a kind scheduled without a handler. */
  private dispatchReserved(ev: QueuedEvent<number, unknown>): void {
    if (ev.kind === TIMER_ID) {
      const timer = ev.payload as TimerPayload;
      this.trace?.recordEvent(ev.timeCycles, ev.sequence, TIMER_KIND, { label: timer.label });
      timer.callback();
      return;
    }
    if (ev.kind === WAKE_UP_ID) {
      const timer = ev.payload as MovingTimer;
      this.trace?.recordEvent(ev.timeCycles, ev.sequence, TIMER_KIND, { label: timer.label });
      timer.fire();
      return;
    }
    throw new SimulatorError(`no handler for event kind "${this.names[ev.kind]}" at cycle ${ev.timeCycles}`);
  }

  private finish(untilCycle: number, reason: StopReason, eventsProcessed: number): RunResult {
    if (untilCycle !== Infinity) this.clock.advanceTo(untilCycle);
    return this.result(reason, eventsProcessed);
  }

  private result(stopReason: StopReason, eventsProcessed: number): RunResult {
    return { stopReason, eventsProcessed, nowCycles: this.clock.nowCycles };
  }

  private checkTime(atCycle: number, what: string): void {
    if (!Number.isSafeInteger(atCycle) || atCycle < this.clock.nowCycles) {
      throw new SimulatorError(`"${what}" at cycle ${atCycle} is not an integer >= now (cycle ${this.clock.nowCycles})`);
    }
  }
}

function assertUserKind(kind: string): void {
  if (kind.length === 0 || kind.startsWith('$')) {
    throw new SimulatorError(`event kind "${kind}" is reserved or empty; kinds must not start with '$'`);
  }
}

function checkPriority(priority: number, what: string): void {
  if (!Number.isInteger(priority) || priority < -0x8000_0000 || priority > 0x7fff_ffff) {
    throw new SimulatorError(`"${what}" priority must be a 32-bit integer, got ${priority}`);
  }
}
