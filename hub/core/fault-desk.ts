// How the hub core reacts to a fault it detected on a tile: it stops waiting for the
// tile's outstanding message, counts the fault, tells its listener (the fault ledger), and
// hands the machine the event that decides what happens next (retry, restart, retire).
import { statusName } from '../../wat/status.ts';
import type { TileTrap } from '../../tile/tile-trap.ts';
import type { ErrorMsg } from '../../protocol/types.ts';
import type { HubStats } from '../hub-stats.ts';
import type { HubListener, TileFault } from '../work/tile-fault.ts';
import type { TileSession } from './tile-session.ts';

export interface FaultDeskParts {
  tiles: readonly TileSession[];
  stats: HubStats;
  listener: HubListener | null;
  nowCycles(): number;
  replyTimeoutCycles: number;
}

export class FaultDesk {
  constructor(private readonly parts: FaultDeskParts) {}

  /** A fault of the tile's current step (a bad or refused reply): the machine retries or gives up. */
  failStep(tileId: number, kind: TileFault['kind'], detail: string, code?: number): void {
    this.abandon(tileId, kind);
    const fault: TileFault = { kind, atCycles: this.parts.nowCycles(), detail, ...(code === undefined ? {} : { code }) };
    this.detected(tileId, fault);
    this.parts.tiles[tileId]!.actor.send({ type: 'STEP_FAILED', fault });
  }

  /** The tile answered `requestType` with an ERROR reply: a fault of the step. */
  refused(tileId: number, requestType: string, reply: ErrorMsg): void {
    this.parts.stats.errorReplies++;
    this.failStep(tileId, 'error-reply', `tile ${tileId}: ${requestType} refused with ${statusName(reply.code)} (detail ${reply.detail})`, reply.code);
  }

  trapped(tileId: number, trap: TileTrap): void {
    this.abandon(tileId, `trap ${trap.kind}`);
    const fault: TileFault = { kind: trap.kind, atCycles: this.parts.nowCycles(), detail: trap.message };
    this.detected(tileId, fault);
    this.parts.tiles[tileId]!.actor.send({ type: 'FAULT', fault });
  }

  /** The tile ran a message again after later ones (or the link replayed its answer): what
   *  it holds is not what the hub built. It is reset like a tile that trapped. */
  replayed(tileId: number, msgId: number): void {
    const fault: TileFault = { kind: 'replayed', atCycles: this.parts.nowCycles(), detail: `tile ${tileId}: answered msg_id ${msgId} again, after later messages` };
    this.abandon(tileId, 'replayed');
    this.detected(tileId, fault);
    this.parts.tiles[tileId]!.actor.send({ type: 'FAULT', fault });
  }

  timedOut(tileId: number): void {
    this.detected(tileId, { kind: 'timeout', atCycles: this.parts.nowCycles(), detail: `tile ${tileId}: no reply within ${this.parts.replyTimeoutCycles} cycles` });
    this.abandon(tileId, 'timeout');
  }

  /** A reply the hub no longer waits for (a late answer, or an id it never sent): discarded. */
  stale(tileId: number, msgId: number, neverSent: boolean): void {
    this.parts.stats.staleReplies++;
    this.parts.listener?.reacted(tileId, { kind: 'stale', msgId, detail: neverSent ? 'msg_id never sent to this tile' : 'reply to a message the hub no longer waits for' });
  }

  /** The hub stops waiting for the tile's outstanding message (it will retry or move on). */
  abandon(tileId: number, reason: string): void {
    const tile = this.parts.tiles[tileId]!;
    const o = tile.outstanding;
    if (!o) return;
    tile.outstanding = null;
    this.parts.listener?.messageAbandoned(tileId, o.msgId, reason);
  }

  detected(tileId: number, fault: TileFault): void {
    this.parts.stats.countFault(fault.code === undefined ? fault.kind : `${fault.kind}:${statusName(fault.code)}`);
    this.parts.listener?.faultDetected(tileId, fault);
  }
}
