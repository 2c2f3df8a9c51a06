// Which of a tile's replies the hub can still believe describe the tile's state. A tile runs
// its messages in the order they arrive and its link keeps order, so its replies come back in
// the order the hub sent the messages. A reply to a message older than one already answered,
// or a second answer to the same message, means the tile may have run that message again
// after later ones (a duplicated delivery) or that a reply was replayed on the link: what the
// tile holds may no longer be what the hub built, and it must be reset. A driver may re-send a
// lost message with its msg_id, and then a second answer is usually the tile's kept reply; but
// when the first answer was lost, a duplicate run after later messages looks the same from
// the hub, so a second answer is a replay even then (the job is redone; answers stay exact).
// A reply to a msg_id never sent to the tile is not an answer at all (a forged or garbled id).
//
// This runs twice per message of a run (docs/performance.md), so the sent ids live in a ring of
// typed arrays (sent-ids.ts), with no object or Map entry per message. The order extends the
// ring rather than holding one: a reply's verdict then reads one object's fields, not two.
import { NOT_REMEMBERED, SentIds, type RingSlab } from './sent-ids.ts';

/** Sent messages remembered per tile: a replay older than this many messages is only stale. */
export const REMEMBERED = 4096;

export type ReplyVerdict = 'in-order' | 'replayed' | 'unknown';

export class ReplyOrder extends SentIds {
  private seq = 0;
  private newestAnswered = 0;

  /** `remembered`: how many sent ids are kept (tests use a small window); `slab`: where its
   *  first ring comes from (the hub's tiles share one, sent-ids.ts). */
  constructor(remembered = REMEMBERED, slab: RingSlab | null = null) {
    super(remembered, slab);
  }

  /** The hub sent `msgId` to the tile (a re-send keeps the id: its place is the newest). */
  sending(msgId: number): void {
    this.sent(msgId, ++this.seq);
  }

  /** `arrived` for the reply nearly every reply is: the first answer to the message sent last,
   *  in order. True when it is that (counted as `arrived` counts it, verdict 'in-order'); false,
   *  with nothing counted, for any other reply (ask `arrived`). */
  arrivedNewest(msgId: number): boolean {
    const seq = this.firstAnswerToNewest(msgId, this.newestAnswered);
    if (seq < 0) return false;
    this.newestAnswered = seq;
    return true;
  }

  /** A reply carrying `msgId` arrived (whether or not the hub still waits for it). */
  arrived(msgId: number): ReplyVerdict {
    const slot = this.find(msgId);
    if (slot === NOT_REMEMBERED) return 'unknown';
    const replies = this.answered(slot);
    const seq = this.seqOf(slot);
    if (seq < this.newestAnswered || replies > 1) return 'replayed';
    this.newestAnswered = seq;
    return 'in-order';
  }
}
