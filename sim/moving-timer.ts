// A timer that moves far more often than it fires: a tile's reply deadline, re-armed for
// every message the hub sends (hub/core/reply-deadline.ts). Moved the plain way (cancel the
// timer, set a new one) each move left a cancelled entry in the event queue until its time,
// thousands at once, and every push and pop paid for them. Here a timer keeps one wake-up
// in the queue and moves it lazily:
// - `set` takes the sequence number a new timer would have taken, so the deadline orders
//   among same-cycle events exactly as that timer would, and only records the deadline;
//   a wake-up is queued only when none is queued at or before the deadline (the first set,
//   or a deadline earlier than the queued wake-up, which it replaces: the timer's wake-up
//   has a lane of its own in the queue, one per timer, `EventQueue.putWakeUp`).
// - A wake-up that comes out of the queue before the deadline (it moved later) is queued
//   again at the deadline under the reserved number; one that comes out after `clear` is
//   dropped. Both go untraced and uncounted, as a cancelled timer is skipped.
// - A wake-up that comes out at the deadline fires: the simulator traces it as the plain
//   timer (same label, cycle and sequence number) and calls back.
// So the events run, the trace and the sequence numbers handed out are those of a timer
// cancelled and set per move (test/sim-moving-timer.test.ts runs both side by side). What
// differs is only what the queue holds: `pendingCount`, and a `run({ untilCycle })` that
// drains where dead entries past `untilCycle` would have made it stop at 'until'.
import type { MovableTimer } from '../hub/hub-transport.ts';

/** What a moving timer needs from the simulator's queue: the event queue's own methods, so
 *  a `set` (one per message the hub sends) calls them directly, no adapter between. */
export interface WakeUpQueue {
  /** The sequence number the next event would get, taken now. */
  reserveSequence(): number;
  /** A lane of the timer's own for its wake-up. */
  wakeUpLane(): number;
  /** Queues the timer's wake-up at (cycle, sequence), the sequence reserved before, in
   *  place of the one its lane holds (at priority 0). */
  putWakeUp(lane: number, atCycle: number, sequence: number, kind: number, timer: MovingTimer): void;
}

/** The simulator's clock, as a moving timer reads it. */
export interface WakeUpClock {
  readonly nowCycles: number;
}

const NONE = -1;

export class MovingTimer implements MovableTimer {
  /** The deadline (NONE: cleared or fired) and the sequence number reserved for it. */
  private dueCycle = NONE;
  private dueSequence = NONE;
  /** The wake-up queued in the timer's lane, at or before the deadline (NONE: none queued). */
  private queuedCycle = NONE;
  private queuedSequence = NONE;
  private readonly lane: number;

  /** `wakeUpKind`: the queue kind the simulator gives wake-ups (queued at priority 0). */
  constructor(
    private readonly clock: WakeUpClock,
    private readonly queue: WakeUpQueue,
    private readonly wakeUpKind: number,
    readonly label: string,
    private readonly callback: () => void,
  ) {
    this.lane = queue.wakeUpLane();
  }

  /** Fires `delayCycles` (an integer >= 0) from now instead of whenever it was set to. */
  set(delayCycles: number): void {
    if (!Number.isSafeInteger(delayCycles) || delayCycles < 0) {
      throw new RangeError(`timer "${this.label}" delay must be an integer >= 0 cycles, got ${delayCycles}`);
    }
    const atCycle = this.clock.nowCycles + delayCycles;
    const sequence = this.queue.reserveSequence();
    this.dueCycle = atCycle;
    this.dueSequence = sequence;
    // A wake-up at the same cycle has a lower sequence number, so it comes out first too.
    if (this.queuedCycle === NONE || atCycle < this.queuedCycle) this.enqueue(atCycle, sequence);
  }

  /** Does not fire unless set again. */
  clear(): void {
    this.dueCycle = NONE;
  }

  /** True while set and not yet fired. */
  get armed(): boolean {
    return this.dueCycle !== NONE;
  }

  /** One of its wake-ups came out of the queue: true when the timer is due (the simulator
   *  then traces and fires it); otherwise it was re-queued at the deadline or dropped. */
  surfaced(atCycle: number, sequence: number): boolean {
    if (sequence !== this.queuedSequence) throw new Error(`timer "${this.label}": a wake-up at sequence ${sequence} came out, ${this.queuedSequence} was queued`);
    this.queuedCycle = NONE;
    this.queuedSequence = NONE;
    if (this.dueCycle === NONE) return false; // cleared
    if (sequence === this.dueSequence) {
      this.dueCycle = NONE;
      return true;
    }
    // The deadline moved later (at the same cycle, a later set has a higher sequence number,
    // so it still orders after this wake-up). An earlier one would have a wake-up of its own.
    if (this.dueCycle < atCycle) throw new Error(`timer "${this.label}": deadline ${this.dueCycle} was passed at cycle ${atCycle}`);
    this.enqueue(this.dueCycle, this.dueSequence);
    return false;
  }

  /** Calls back; the simulator calls this after tracing the firing. */
  fire(): void {
    this.callback();
  }

  private enqueue(atCycle: number, sequence: number): void {
    this.queuedCycle = atCycle;
    this.queuedSequence = sequence;
    this.queue.putWakeUp(this.lane, atCycle, sequence, this.wakeUpKind, this);
  }
}
