// The hub's path from a tile's reply to its next message, for the reply nearly every reply is
// (docs/performance.md, "The hub's reply in one pass"): a DONE to a chunk of a step with more
// to come, or to a step of a run the machine delegated, answered in order and awaited. Every
// check the generic path (Hub.onReply) makes for such a reply is made here too, once and in
// one pass: the DONE read for its msg_id alone (no reply object), the reply order's verdict
// on the newest entry (no verdict string), the link asked for the next message (no answer
// object, no `in` test of its shape). Anything else, or anything that fails a check, is left
// to the generic path with nothing changed, and that path decides as it always did: an
// undecodable, stale, replayed or ERROR reply, a step's end, a read's answer. A listener (a
// fault run's ledger, `cogsim run`'s observer) hears the reply accepted here as it would there. `transmit` is the one way a message leaves the hub,
// for both paths.
import { doneIdInPlace, NOT_A_DONE } from '../../protocol/done-in-place.ts';
import type { HubStats } from '../hub-stats.ts';
import type { HubListener } from '../work/tile-fault.ts';
import type { HubTransport } from '../hub-transport.ts';
import type { HubCpu } from './hub-cpu.ts';
import type { Outgoing } from './mode-driver.ts';
import type { TileSession } from './tile-session.ts';

export class ReplyRelay {
  constructor(
    private readonly stats: HubStats,
    private readonly cpu: HubCpu,
    private readonly transport: HubTransport,
    private readonly integrity: boolean,
    private readonly listener: HubListener | null,
  ) {}

  /** Sends `out` to the tile and waits for its reply. `out` may be its link's reused record:
   *  read here, before anything builds the next. */
  transmit(tile: TileSession, out: Outgoing): void {
    const { template, msgId, sealed, requestType } = out;
    tile.order.sending(msgId);
    this.stats.countSent(out);
    this.cpu.settle(); // the driver may have just computed (routing); the message waits for it
    // Its reply deadline runs from its departure, which the transport knows once it is sent.
    // The template's type and length go with it as numbers (its facts): only the copy reads it.
    tile.awaiting(msgId, this.transport.send(tile.tileId, template, msgId, sealed, out.type, out.length), requestType);
  }

  /** The common reply in one pass: true when `bytes` were that and the tile's next message is
   *  sent; false, with nothing read into the hub or changed, for the generic path. */
  relay(tile: TileSession, bytes: Uint8Array): boolean {
    const msgId = doneIdInPlace(bytes, this.integrity);
    if (msgId === NOT_A_DONE) return false;
    const expected = tile.outstanding;
    if (expected === null || expected.msgId !== msgId) return false;
    const link = tile.link;
    // The order's check counts the answer only when it passes: asked last, after the reads.
    if (!link.continuesOnDone() || !tile.order.arrivedNewest(msgId)) return false;
    tile.outstanding = null;
    this.listener?.replyAccepted(tile.tileId, msgId);
    this.transmit(tile, link.continueOnDone());
    // The next part's deadline runs from its own departure (as the generic path arms it).
    tile.armDeadline(this.transport.nowCycles());
    return true;
  }
}
