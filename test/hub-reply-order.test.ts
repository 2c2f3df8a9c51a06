import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REMEMBERED, ReplyOrder, type ReplyVerdict } from '../hub/core/reply-order.ts';
import { FIRST_CAPACITY, NOT_REMEMBERED, SentIds } from '../hub/core/sent-ids.ts';

describe('reply order (hub/core/reply-order.ts)', () => {
  it('takes replies in send order, late ones included', () => {
    const o = new ReplyOrder();
    o.sending(10); // slow: the hub gives up and sends 11
    o.sending(11);
    expect(o.arrived(10)).toBe('in-order');
    expect(o.arrived(11)).toBe('in-order');
  });

  it('calls a reply older than one already answered a replay (a duplicate run after later messages)', () => {
    const o = new ReplyOrder();
    o.sending(1);
    o.sending(2);
    expect(o.arrived(1)).toBe('in-order');
    expect(o.arrived(2)).toBe('in-order');
    expect(o.arrived(1)).toBe('replayed');
  });

  it('calls a second answer to one msg_id a replay, also after a re-send with that id', () => {
    const o = new ReplyOrder();
    o.sending(5);
    expect(o.arrived(5)).toBe('in-order');
    expect(o.arrived(5)).toBe('replayed');
    const p = new ReplyOrder();
    p.sending(7);
    p.sending(7); // a pull walk re-sends a lost message with its id
    expect(p.arrived(7)).toBe('in-order');
    expect(p.arrived(7)).toBe('replayed');
  });

  it('knows no msg_id it never sent', () => {
    const o = new ReplyOrder();
    o.sending(3);
    expect(o.arrived(0x7ff00001)).toBe('unknown');
  });
});

/** The reply order as it was first written: a Map in send order, one entry object per id. */
class MapReplyOrder {
  private seq = 0;
  private newestAnswered = 0;
  private readonly sent = new Map<number, { seq: number; replies: number }>();
  constructor(private readonly remembered: number) {}
  sending(msgId: number): void {
    const seq = ++this.seq;
    const replies = this.sent.get(msgId)?.replies ?? 0;
    this.sent.delete(msgId);
    this.sent.set(msgId, { seq, replies });
    if (this.sent.size > this.remembered) this.sent.delete(this.sent.keys().next().value!);
  }
  arrived(msgId: number): ReplyVerdict {
    const e = this.sent.get(msgId);
    if (!e) return 'unknown';
    e.replies++;
    if (e.seq < this.newestAnswered || e.replies > 1) return 'replayed';
    this.newestAnswered = e.seq;
    return 'in-order';
  }
}

type Op = { send: boolean; id: number };

/** Sends of fresh ids (counting up, as MsgIds does), re-sends and arrivals of recent, old and never-sent ids. */
function opsArbitrary(idSpace: number, minLength: number, maxLength: number, resendHeavy = false): fc.Arbitrary<Op[]> {
  const op = fc.record({ kind: fc.nat(11), near: fc.nat(3), back: fc.nat(idSpace), wild: fc.nat(0xffffffff) });
  // size 'max': without it fast-check keeps arrays to a few elements whatever maxLength says.
  return fc.array(op, { minLength, maxLength, size: 'max' }).map((raw) => {
    let next = 1;
    const sentBefore = (back: number): number => Math.max(1, next - 1 - back);
    return raw.map(({ kind, near, back, wild }): Op => {
      if (resendHeavy && kind >= 1 && kind <= 3) return { send: true, id: sentBefore(near) }; // mostly re-sends: dead entries pile up
      if (kind <= 3) return { send: true, id: next++ }; // a fresh id
      if (kind === 4) return { send: true, id: sentBefore(near) }; // a re-send of a recent id
      if (kind === 5) return { send: true, id: sentBefore(back) }; // a re-send of an old id
      if (kind === 6) return { send: false, id: wild >>> 0 }; // mostly never sent
      return { send: false, id: sentBefore(kind === 7 ? back : near) }; // an old or a recent id
    });
  });
}

/** `onePass`: each arrival is asked `arrivedNewest` first, as the hub's one-pass reply does
 *  (hub/core/one-pass-reply.ts), and `arrived` only when it declines; `taken` counts its yeses. */
function verdictsDiffer(remembered: number, ops: Op[], onePass: { taken: number } | null = null): string | null {
  const fast = new ReplyOrder(remembered);
  const model = new MapReplyOrder(remembered);
  for (let i = 0; i < ops.length; i++) {
    const { send, id } = ops[i]!;
    if (send) {
      fast.sending(id);
      model.sending(id);
      continue;
    }
    const newest = onePass !== null && fast.arrivedNewest(id);
    if (newest) onePass.taken++;
    const got = newest ? 'in-order' : fast.arrived(id);
    const want = model.arrived(id);
    if (got !== want) return `op ${i}: arrived(${id}) is ${got}, the Map model says ${want}`;
  }
  return null;
}

describe('reply order against a Map model (property)', () => {
  it('gives the same verdict as the Map model on random send and arrive sequences, small windows', () => {
    for (const remembered of [1, 2, 3, 8, 17]) {
      fc.assert(fc.property(opsArbitrary(40, 1, 400), (ops) => verdictsDiffer(remembered, ops) === null), { seed: 14 + remembered, numRuns: 300, endOnFailure: true });
    }
  });

  it('gives the same verdict over long runs whose re-sends fill the ring with dead entries (squeezed out, sent-ids.ts)', () => {
    // Thousands of sends through a small window: the ring (256 entries) fills with the dead
    // entries re-sends leave and is compacted many times; ids also go through the walk half.
    const walk = (ops: Op[]): Op[] => ops.map((o, i) => (i % 5 === 0 ? { send: o.send, id: (0x80000000 + o.id) >>> 0 } : o));
    for (const remembered of [1, 5, 100, 127, 128, 129]) {
      fc.assert(fc.property(opsArbitrary(300, 2_000, 4_000, true), (ops) => verdictsDiffer(remembered, ops) === null && verdictsDiffer(remembered, walk(ops)) === null), { seed: 300 + remembered, numRuns: 20, endOnFailure: true });
    }
  });

  it('gives the same verdicts when the newest entry is asked first (arrivedNewest, the one-pass reply), which changes nothing when it declines', () => {
    const onePass = { taken: 0 };
    for (const remembered of [1, 2, 3, 8, 17, 129]) {
      fc.assert(fc.property(opsArbitrary(40, 1, 400), (ops) => verdictsDiffer(remembered, ops, onePass) === null), { seed: 41 + remembered, numRuns: 200, endOnFailure: true });
      fc.assert(fc.property(opsArbitrary(300, 500, 1_500, true), (ops) => verdictsDiffer(remembered, ops, onePass) === null), { seed: 90 + remembered, numRuns: 10, endOnFailure: true });
    }
    fc.assert(fc.property(opsArbitrary(600, 200, 1_500), (ops) => verdictsDiffer(17, ops.map((o) => ({ ...o, id: (o.id + 0xfffffe00) >>> 0 || 1 })), onePass) === null), { seed: 78, numRuns: 20, endOnFailure: true });
    expect(onePass.taken).toBeGreaterThan(1_000); // the shortcut was taken, not only declined
  });

  it('gives the same verdict as the Map model with the real window of REMEMBERED ids', () => {
    fc.assert(fc.property(opsArbitrary(6000, 9_000, 14_000), (ops) => verdictsDiffer(REMEMBERED, ops) === null), { seed: 4096, numRuns: 12, endOnFailure: true });
  });

  it('gives the same verdict where ids wrap past 2^32 or jump between ranges (the no-lookup shortcut for new ids)', () => {
    // Ids counted up from near 2^32 wrap to small ones, and every third op's id moves to the
    // walk range (0x80000000 up): an id below one already seen must still be looked up.
    const shifted = (ops: Op[]): Op[] => ops.map((o, i) => ({ send: o.send, id: i % 3 === 0 ? (0x80000000 + o.id) >>> 0 : (0xffffff00 + o.id) >>> 0 || 1 }));
    for (const remembered of [3, 255, 256, 257, 300]) {
      fc.assert(fc.property(opsArbitrary(600, 200, 1_500), (ops) => verdictsDiffer(remembered, shifted(ops)) === null), { seed: 77 + remembered, numRuns: 40, endOnFailure: true });
    }
  });

  it('holds no more than REMEMBERED entries in a run without re-sends (the oldest goes before the newest comes)', () => {
    const o = new ReplyOrder();
    for (let id = 1; id <= 3 * REMEMBERED; id++) {
      o.sending(id);
      expect(o.arrivedNewest(id)).toBe(true);
    }
    expect(o.ringCapacity).toBe(REMEMBERED);
    expect(o.arrived(2 * REMEMBERED + 1)).toBe('replayed'); // the oldest still remembered
    expect(o.arrived(2 * REMEMBERED)).toBe('unknown'); // the one before it: forgotten
    // A window of one: every send drops the only other entry.
    const one = new ReplyOrder(1);
    for (let id = 1; id <= 600; id++) one.sending(id);
    expect(one.ringCapacity).toBe(FIRST_CAPACITY);
    expect([one.arrived(600), one.arrived(599)]).toEqual(['in-order', 'unknown']);
  });

  it('forgets the id sent longest ago at REMEMBERED + 1 ids, and keeps it at REMEMBERED', () => {
    const o = new ReplyOrder();
    for (let id = 1; id <= REMEMBERED; id++) o.sending(id);
    expect(o.arrived(1)).toBe('in-order');
    const p = new ReplyOrder();
    for (let id = 1; id <= REMEMBERED + 1; id++) p.sending(id);
    expect(p.arrived(1)).toBe('unknown');
    expect(p.arrived(2)).toBe('in-order');
  });

  it('keeps an id re-sent while thousands of others pass, where a window of send numbers would forget it', () => {
    const o = new ReplyOrder();
    const m = new MapReplyOrder(REMEMBERED);
    for (const r of [o, m]) {
      r.sending(1);
      for (let i = 0; i < 3 * REMEMBERED; i++) r.sending(2); // one id re-sent: two ids remembered
    }
    expect(o.arrived(1)).toBe(m.arrived(1));
    expect(o.arrived(1)).toBe('replayed');
  });
});

/** The ring's own answers, for send numbers a run cannot reach in a test (above 2^32). */
class SentIdsProbe extends SentIds {
  send(msgId: number, seq: number): void {
    this.sent(msgId, seq);
  }
  seqFor(msgId: number): number {
    const slot = this.find(msgId);
    return slot === NOT_REMEMBERED ? -1 : this.seqOf(slot);
  }
}

describe('sent ids ring (hub/core/sent-ids.ts)', () => {
  it('keeps send numbers above 2^32 exactly, newest and older entries alike', () => {
    const ring = new SentIdsProbe(8);
    const big = 2 ** 40 + 12345;
    ring.send(5, big);
    ring.send(6, big + 2 ** 32 + 1);
    ring.send(7, 3);
    expect(ring.seqFor(5)).toBe(big);
    expect(ring.seqFor(6)).toBe(big + 2 ** 32 + 1);
    expect(ring.seqFor(7)).toBe(3);
    expect(ring.seqFor(8)).toBe(-1);
  });
});
