import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplyReader, readReply } from '../hub/core/read-reply.ts';
import { encodeMessage } from '../protocol/codec.ts';
import { MsgType } from '../protocol/constants.ts';
import { doneIdInPlace, NOT_A_DONE, readDoneInPlace } from '../protocol/done-in-place.ts';
import { sealMessage } from '../protocol/integrity.ts';
import { readTopkInPlace, TopkInPlace } from '../protocol/topk-in-place.ts';
import type { DoneMsg, Message } from '../protocol/types.ts';
import { f32Bits } from '../tile/reference/fp16.ts';
import { canonical } from '../tile/reference/topk.ts';

// The hub reads a DONE and a TOPK_RESULT in place (protocol/done-in-place.ts,
// protocol/topk-in-place.ts) and everything else with the full decoder; they must never
// disagree: same message, or the same "does not decode" reason. The one-pass reply's reader
// of a DONE's msg_id alone is held to the same answers.

const REPLIES: Message[] = [
  { type: 'DONE', msgId: 17, requestType: MsgType.LOAD_BLOCK, value: 40 },
  { type: 'DONE', msgId: 0xffffffff, requestType: 0xffff, value: 0xffffffff },
  { type: 'DONE', msgId: 1, requestType: 0, value: 0 },
  { type: 'ERROR', msgId: 18, code: 18, requestType: MsgType.LOAD_BLOCK, detail: 0xffffffff },
  { type: 'TOPK_RESULT', msgId: 13, entries: [] },
  { type: 'TOPK_RESULT', msgId: 14, entries: Array.from({ length: 16 }, (_, i) => ({ id: BigInt(i) * 1000003n, dist: Math.fround(i * 0.37 - 2), aux: i })) },
  // Ids around Number.MAX_SAFE_INTEGER and the largest u64, distances at the f32 edges.
  {
    type: 'TOPK_RESULT',
    msgId: 0xfffffffe,
    entries: [
      { id: 2n ** 53n - 1n, dist: -0, aux: 0xffffffff },
      { id: 2n ** 53n, dist: 0, aux: 1 },
      { id: 2n ** 64n - 1n, dist: Infinity, aux: 2 },
      { id: 0n, dist: NaN, aux: 3 },
      { id: 0xffffffffn, dist: -Infinity, aux: 4 },
    ],
  },
  { type: 'NEED_BLOCK', msgId: 15, ids: [5n, 6n] },
  { type: 'NEED_NEIGHBORS', msgId: 16, nodeId: 77n, layer: 2 },
  // Hub-to-tile messages are not replies: the full decoder refuses them, and so must the hub.
  { type: 'READ_TOPK', msgId: 11 },
  { type: 'COMPUTE', msgId: 10, metric: 1, k: 7, flags: 0x10 },
];

/** Every reply above as the tile sends it: plain and sealed. */
const WIRE: Uint8Array[] = REPLIES.flatMap((m) => [encodeMessage(m), sealMessage(encodeMessage(m))]);

/** What the hub reads, as a plain value (the reused DONE is copied before the next read; the
 *  in-place TOPK_RESULT gives its entries in the protocol's form). */
function fastRead(reader: ReplyReader, bytes: Uint8Array, integrity: boolean): unknown {
  const r = reader.read(bytes, integrity);
  if (r instanceof TopkInPlace) return { type: r.type, msgId: r.msgId, entries: r.entries };
  return { ...r };
}

/** The in-place readers agree with the full decoder: the reader's reply, the one-pass reply's
 *  msg_id alone (doneIdInPlace: a DONE's id, else NOT_A_DONE), and the TOPK_RESULT reader
 *  takes exactly the TOPK_RESULTs the full decoder gives (its numbers: the same ids and bits). */
function expectSameAsFullDecoder(bytes: Uint8Array, reader = new ReplyReader()): void {
  for (const integrity of [false, true]) {
    const full = readReply(bytes, integrity);
    expect(fastRead(reader, bytes, integrity)).toEqual(full);
    expect(doneIdInPlace(bytes, integrity)).toBe('type' in full && full.type === 'DONE' ? full.msgId : NOT_A_DONE);
    const topk = new TopkInPlace();
    const isTopk = 'type' in full && full.type === 'TOPK_RESULT';
    expect(readTopkInPlace(bytes, topk, integrity)).toBe(isTopk);
    if (isTopk) expectSameNumbers(topk, full.entries);
  }
}

/** The numbers the hub checks and merges are the decoder's entries: ids (exact, or -1 above
 *  2^53 - 1 with the exact text), distances, and their f32 bits as the order check takes them
 *  (canonical: the wire's bits of a NaN keep their payload, the decoder's number need not). */
function expectSameNumbers(topk: TopkInPlace, entries: readonly { id: bigint; dist: number }[]): void {
  expect(topk.count).toBe(entries.length);
  entries.forEach((e, i) => {
    expect(topk.idOf(i)).toBe(e.id <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(e.id) : -1);
    expect(topk.idText(i)).toBe(String(e.id));
    expect(topk.distOf(i)).toBe(e.dist);
    expect(canonical(topk.distBitsOf(i))).toBe(canonical(f32Bits(e.dist)));
  });
}

/** 3,000 random byte strings (a fixed seed) read the same in place as in full. */
function expectSameOnRandom(bytes: fc.Arbitrary<Uint8Array>, seed: number): void {
  const reader = new ReplyReader();
  fc.assert(fc.property(bytes, (b) => {
    expectSameAsFullDecoder(b, reader);
  }), { seed, numRuns: 3000 });
}

/** Every corruption of `bytes` the tests try: each byte flipped four ways, cut at every length, one byte more. */
function corruptions(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at++) {
    for (const mask of [0x01, 0x40, 0x80, 0xff]) {
      const b = bytes.slice();
      b[at]! ^= mask;
      out.push(b);
    }
  }
  for (let n = 0; n < bytes.length; n++) out.push(bytes.slice(0, n));
  for (const extra of [0, 0x55]) out.push(Uint8Array.of(...bytes, extra));
  return out;
}

describe('reading a reply in place (hub/core/read-reply.ts, protocol/done-in-place.ts)', () => {
  it('reads every reply type, plain and sealed, as the full decoder does, with and without required integrity', () => {
    const reader = new ReplyReader();
    for (const bytes of WIRE) expectSameAsFullDecoder(bytes, reader);
  });

  it('takes the in-place path for a DONE only, and for a plain DONE only when integrity is not required', () => {
    const into: DoneMsg = { type: 'DONE', msgId: 0, requestType: 0, value: 0 };
    REPLIES.forEach((m, i) => {
      expect(readDoneInPlace(WIRE[2 * i]!, into, false)).toBe(m.type === 'DONE');
      expect(readDoneInPlace(WIRE[2 * i]!, into, true)).toBe(false);
      expect(readDoneInPlace(WIRE[2 * i + 1]!, into, true)).toBe(m.type === 'DONE');
    });
  });

  it('gives the same verdict as the full decoder on every flipped byte, truncation and extension of a DONE', () => {
    const reader = new ReplyReader();
    let inPlace = 0;
    for (const done of WIRE.slice(0, 6)) {
      for (const bytes of corruptions(done)) {
        expectSameAsFullDecoder(bytes, reader);
        if (readDoneInPlace(bytes, { type: 'DONE', msgId: 0, requestType: 0, value: 0 }, false)) inPlace++;
      }
    }
    // Flips of msg_id and the payload's fields still decode (plain DONEs carry no CRC): the fast path took them.
    expect(inPlace).toBeGreaterThan(50);
  });

  it('gives the same verdict as the full decoder on random bytes of a DONE size and on DONE headers with random payloads', () => {
    const doneHeader = (sealed: boolean) => fc.tuple(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.uint8Array({ minLength: 4, maxLength: 4 })).map(([payload, crc]) => {
      const b = new Uint8Array(sealed ? 20 : 16);
      b.set([MsgType.DONE & 0xff, sealed ? 0x40 : 0, 8, 0, 9, 0, 0, 0]);
      b.set(payload, 8);
      if (sealed) b.set(crc, 16);
      return b;
    });
    const anyBytes = fc.oneof(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 20, maxLength: 20 }), doneHeader(false), doneHeader(true));
    expectSameOnRandom(anyBytes, 16);
  });

  it('gives the same verdict as the full decoder on every flipped byte, truncation and extension of a TOPK_RESULT', () => {
    const reader = new ReplyReader();
    const topks = WIRE.filter((_, i) => REPLIES[i >> 1]!.type === 'TOPK_RESULT');
    expect(topks.length).toBe(6);
    let inPlace = 0;
    for (const wire of topks) {
      for (const bytes of corruptions(wire)) {
        expectSameAsFullDecoder(bytes, reader);
        if (readTopkInPlace(bytes, new TopkInPlace(), false)) inPlace++;
      }
    }
    // Flips of msg_id, ids, distances and aux still decode unsealed: the in-place reader took them.
    expect(inPlace).toBeGreaterThan(500);
  });

  it('gives the same verdict as the full decoder on TOPK_RESULT headers with random counts, lengths and payloads', () => {
    const topkBytes = fc
      .record({ sealed: fc.boolean(), count: fc.oneof(fc.integer({ min: 0, max: 17 }), fc.constant(0xffffffff)), reserved: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })), entries: fc.integer({ min: 0, max: 18 }), lengthDelta: fc.oneof(fc.constant(0), fc.integer({ min: -20, max: 20 })), seed: fc.uint8Array({ minLength: 18 * 16, maxLength: 18 * 16 }) })
      .map(({ sealed, count, reserved, entries, lengthDelta, seed }) => {
        const payload = 8 + 16 * entries;
        const b = new Uint8Array(8 + payload);
        const v = new DataView(b.buffer);
        v.setUint16(0, MsgType.TOPK_RESULT, true);
        v.setUint16(2, Math.max(0, payload + lengthDelta), true);
        v.setUint32(4, 99, true);
        v.setUint32(8, count, true);
        v.setUint32(12, reserved, true);
        b.set(seed.subarray(0, 16 * entries), 16);
        return sealed ? sealMessage(b) : b;
      });
    expectSameOnRandom(topkBytes, 14);
  });

  it('reuses one TOPK_RESULT object per reader and leaves it alone when a reply is not one', () => {
    const reader = new ReplyReader();
    const first = reader.read(WIRE[8]!, false);
    expect(first).toBeInstanceOf(TopkInPlace);
    expect(reader.read(WIRE[0]!, false)).toEqual(REPLIES[0]); // a DONE between them
    expect((first as TopkInPlace).entries).toEqual((REPLIES[4] as Extract<Message, { type: 'TOPK_RESULT' }>).entries);
    const second = reader.read(WIRE[10]!, false);
    expect(second).toBe(first);
    expect((second as TopkInPlace).entries).toEqual((REPLIES[5] as Extract<Message, { type: 'TOPK_RESULT' }>).entries);
    expect(new ReplyReader().read(WIRE[10]!, false)).not.toBe(first);
  });

  it('reuses one DONE object per reader, leaves it alone when a reply is not a DONE, and never shares it between readers', () => {
    const reader = new ReplyReader();
    const first = reader.read(WIRE[0]!, false);
    const refused = reader.read(WIRE[6]!, false); // the ERROR: a fresh object from the full decoder
    expect(first).toEqual(REPLIES[0]);
    expect(refused).toEqual(REPLIES[3]);
    const second = reader.read(WIRE[2]!, false);
    expect(second).toBe(first);
    expect(second).toEqual(REPLIES[1]);
    expect(new ReplyReader().read(WIRE[0]!, false)).not.toBe(first);
  });
});
