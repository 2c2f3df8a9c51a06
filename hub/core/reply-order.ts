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

/** Sent messages remembered per tile: a replay older than this many messages is only stale. */
const REMEMBERED = 4096;

export type ReplyVerdict = 'in-order' | 'replayed' | 'unknown';

interface Sent {
  seq: number;
  replies: number;
}

export class ReplyOrder {
  private seq = 0;
  private newestAnswered = 0;
  private readonly sent = new Map<number, Sent>();

  /** The hub sent `msgId` to the tile (a re-send keeps the id: its place is the newest). */
  sending(msgId: number): void {
    const seq = ++this.seq;
    const replies = this.sent.get(msgId)?.replies ?? 0;
    this.sent.delete(msgId); // re-inserted: the map stays in send order for pruning
    this.sent.set(msgId, { seq, replies });
    if (this.sent.size > REMEMBERED) this.sent.delete(this.sent.keys().next().value!);
  }

  /** A reply carrying `msgId` arrived (whether or not the hub still waits for it). */
  arrived(msgId: number): ReplyVerdict {
    const e = this.sent.get(msgId);
    if (!e) return 'unknown';
    e.replies++;
    if (e.seq < this.newestAnswered || e.replies > 1) return 'replayed';
    this.newestAnswered = e.seq;
    return 'in-order';
  }
}
