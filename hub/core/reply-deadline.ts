// One reply deadline per tile, kept by the hub core instead of an xstate delayed transition.
// The tile machine says when the hub waits for a reply (entering `awaiting` arms the
// deadline, leaving it disarms it) and decides what a deadline that passes means (the
// REPLY_TIMEOUT event): the machine stays the authority, the timer itself is plain data.
// An xstate `after` cost one scheduler entry (a keyed object, a snapshot of scheduled
// events) set and cancelled per step; this is one timer on the hub's clock (docs/performance.md).
// It runs from the message's departure from the hub, not from the send (docs/faults.md).
import type { HubClock } from '../hub-transport.ts';

export class ReplyDeadline {
  private timer: unknown = null;
  /** Made once: arming allocates nothing but the clock's own entry. */
  private readonly expired = (): void => {
    this.timer = null;
    this.expire();
  };

  constructor(
    private readonly clock: HubClock,
    private readonly timeoutCycles: number,
    private readonly expire: () => void,
  ) {}

  /** The hub now waits for a reply to a message that still waits `queuedCycles` before it
   *  has left the hub (behind what the hub's link is still sending): the deadline is
   *  `timeoutCycles` after that departure. A message queued in the hub's own output cannot
   *  be late, so its wait there is not counted against the tile (docs/faults.md). */
  arm(queuedCycles: number): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(this.expired, Math.max(0, queuedCycles) + this.timeoutCycles);
  }

  /** The hub stops waiting (a reply came, a fault was found, the tile moved on). */
  disarm(): void {
    if (this.timer === null) return;
    this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
