// What the hub needs from the world around it, and what it offers back. The simulator (sim/)
// implements the transport with a mesh, real tile instances and simulated time; the hub
// never sees wall-clock time and never imports the simulator.
import type { TileTrap } from '../tile/tile-trap.ts';

export interface HubTransport {
  /** Simulated time, in tile cycles. */
  nowCycles(): number;
  /** Hands a message to the mesh for `tileId`: `template` with `msgId` stamped in and, when
   *  `sealed`, the integrity seal (protocol/stamped-message.ts). The transport makes the
   *  stamped bytes where it delivers them; the template is shared and never written to.
   *  The reply comes back through HubSink.onReply.
   *  Returns the cycle the message leaves the hub (its last byte is through the hub's own
   *  link, after whatever the link was still sending): the reply deadline runs from then,
   *  since a message still queued in the hub's output cannot be late (docs/faults.md).
   *  `type` and `length` are the template's header type and bytes, its facts
   *  (protocol/template-facts.ts): a transport reads them, not the template, for the link's
   *  bytes and the trace, so the template is read once per message, where it is copied. */
  send(tileId: number, template: Uint8Array, msgId: number, sealed: boolean, type: number, length: number): number;
  /** Replaces the tile's instance with a fresh one; completion comes back through HubSink.onTileRestarted. */
  restartTile(tileId: number): void;
  /** Calls `fn` at the current simulated cycle, after the event being handled. */
  later(fn: () => void): void;
  /** Occupies the hub's own CPU for `cycles` (hub-local work), then calls `done`. */
  hubCompute(cycles: number, done: () => void): void;
  /** The hub's CPU works `cycles` more, after what it already has; returns the cycle it is
   *  free again (0 cycles: just asks). Messages the hub sends leave no earlier than that. */
  chargeHub(cycles: number): number;
  /** Healthy-or-not tiles ordered by distance from `tileId` (nearest first, ties by lower id). */
  nearestTiles(tileId: number): readonly number[];
}

/** Where a transport delivers what comes back from the tiles (the hub; given to the transport at construction). */
export interface HubSink {
  onTileBooted(tileId: number): void;
  onTileRestarted(tileId: number): void;
  onTrap(tileId: number, trap: TileTrap): void;
  /** `bytes` are valid during this call only (the transport may lend a view of the tile's
   *  I/O buffer, which its next message overwrites): copy whatever must outlive it. */
  onReply(tileId: number, bytes: Uint8Array): void;
}

/** The clock the hub's actors (an xstate Clock) and its reply deadlines run on; the simulator supplies one in cycles. */
export interface HubClock {
  setTimeout(fn: (...args: unknown[]) => void, timeout: number): unknown;
  clearTimeout(id: unknown): void;
  /** One timer to set and clear again and again (a reply deadline, re-armed per message),
   *  firing as clearTimeout + setTimeout would, at the same moment and in the same order
   *  among same-moment timers, but cheaper to move (the simulator's: sim/moving-timer.ts).
   *  Optional: without it a deadline clears and sets a timeout per move. */
  movableTimer?(fn: () => void): MovableTimer;
}

/** A timer set to fire `fn` once, moved by setting it again. */
export interface MovableTimer {
  /** Fires `timeout` from now, instead of when it was set to before. The hub gives whole
   *  cycles >= 0 (ReplyDeadline rounds up), so a clock's timer need not round again. */
  set(timeout: number): void;
  /** Does not fire unless set again. */
  clear(): void;
}
