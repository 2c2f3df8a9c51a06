// One reply deadline per tile, kept by the hub core instead of an xstate delayed transition.
// The tile machine says when the hub waits for a reply (entering `awaiting` arms the
// deadline, leaving it disarms it) and decides what a deadline that passes means (the
// REPLY_TIMEOUT event): the machine stays the authority, the timer itself is plain data.
// An xstate `after` cost one scheduler entry (a keyed object, a snapshot of scheduled
// events) set and cancelled per step; this is one timer on the hub's clock, moved per
// message: the clock's movable timer where it has one (the simulator's keeps one queue
// entry per tile, sim/moving-timer.ts), else a timeout cleared and set (docs/performance.md).
// It runs from the message's departure from the hub, not from the send (docs/faults.md).
import type { HubClock, MovableTimer } from '../hub-transport.ts';

/** A reply deadline as the core arms it (ReplyDeadline; a tile session is its own). */
export interface Deadline {
  /** The hub now waits for a reply to a message that still waits `queuedCycles` before it
   *  has left the hub (behind what the hub's link is still sending): the deadline is the
   *  timeout after that departure. A message queued in the hub's own output cannot be late,
   *  so its wait there is not counted against the tile (docs/faults.md). */
  arm(queuedCycles: number): void;
  /** The hub stops waiting (a reply came, a fault was found, the tile moved on). */
  disarm(): void;
}

export class ReplyDeadline implements Deadline {
  private readonly timer: MovableTimer;

  constructor(clock: HubClock, private readonly timeoutCycles: number, expire: () => void) {
    this.timer = deadlineTimer(clock, expire);
  }

  arm(queuedCycles: number): void {
    this.timer.set(deadlineDelay(queuedCycles, this.timeoutCycles));
  }

  disarm(): void {
    this.timer.clear();
  }
}

/** The timer a deadline on `clock` moves: the clock's movable timer where it has one. */
export function deadlineTimer(clock: HubClock, expire: () => void): MovableTimer {
  return clock.movableTimer?.(expire) ?? timeoutOn(clock, expire);
}

/** The delay a deadline's timer is set to: `timeoutCycles` after a departure `queuedCycles`
 *  from now, rounded up to whole cycles here, as the simulator's clock rounds a timer's delay
 *  (sim/xstate-clock.ts): its moving timer is then handed over as it is, with no adapter to
 *  call and read per message (docs/performance.md, "The hub's reply in one pass"). */
export function deadlineDelay(queuedCycles: number, timeoutCycles: number): number {
  return Math.max(0, Math.ceil(Math.max(0, queuedCycles) + timeoutCycles));
}

/** A movable timer on a clock without one (xstate's SimulatedClock in tests): a timeout
 *  cleared and set per move. */
export function timeoutOn(clock: HubClock, expire: () => void): MovableTimer {
  let id: unknown = null;
  const expired = (): void => {
    id = null;
    expire();
  };
  return {
    set(timeout) {
      if (id !== null) clock.clearTimeout(id);
      id = clock.setTimeout(expired, timeout);
    },
    clear() {
      if (id === null) return;
      clock.clearTimeout(id);
      id = null;
    },
  };
}
