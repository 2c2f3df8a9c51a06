import { describe, expect, it } from 'vitest';
import { blockChunks, blockStream, padBlockVectors, paramsChunks } from '../protocol/block-chunks.ts';
import { decodeHeader } from '../protocol/header.ts';
import { CODECS, decodeMessage, decodeTileMessage, encodeMessage, encodeMessages } from '../protocol/codec.ts';
import { BlockFlag, HEADER_BYTES, MAX_PAYLOAD_BYTES, MSG_TYPE_NAMES, MsgType, type MsgTypeName } from '../protocol/constants.ts';
import { crc32c } from '../protocol/crc32c.ts';
import { ProtocolError } from '../protocol/errors.ts';
import type { Message } from '../protocol/types.ts';
import { crc32c as referenceCrc32c } from '../tile/reference/crc32c.ts';
import { DTYPE_BITS, DTYPE_FP16, DTYPE_I8 } from '../wat/layout.ts';

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

const SAMPLES: Message[] = [
  { type: 'LOAD_QUERY', msgId: 1, dtype: DTYPE_FP16, metric: 2, k: 16, dim: 384, vector: bytes(768) },
  { type: 'LOAD_QUERY', msgId: 2, dtype: DTYPE_I8, metric: 0, k: 1, dim: 768, vector: bytes(768) },
  { type: 'LOAD_QUERY', msgId: 3, dtype: DTYPE_BITS, metric: 3, k: 5, dim: 13, vector: bytes(2) },
  { type: 'LOAD_BLOCK', msgId: 0xffffffff, offset: 4032, count: 40, dtype: DTYPE_FP16, flags: 0x1f, firstId: 0xfedcba9876543210n, crc32c: 0xdeadbeef, totalBytes: 30720, data: bytes(2016) },
  { type: 'LOAD_BLOCK', msgId: 5, offset: 0, count: 1, dtype: DTYPE_I8, flags: 0, firstId: 0n, crc32c: 0, totalBytes: 8, data: new Uint8Array(0) },
  { type: 'LOAD_NEIGHBORS', msgId: 6, nodeId: 2n ** 64n - 1n, layer: 3, ids: [1n, 2n, 2n ** 63n] },
  { type: 'LOAD_NEIGHBORS', msgId: 7, nodeId: 0n, layer: 0, ids: Array.from({ length: 252 }, (_, i) => BigInt(i)) },
  { type: 'LOAD_PARAMS', msgId: 8, kind: 1, flags: 1, a: 384, b: 0, offset: 2024, totalBytes: 3072, data: bytes(1048) },
  { type: 'LOAD_PARAMS', msgId: 9, kind: 2, flags: 0, a: 8, b: 16, offset: 0, totalBytes: 12288, data: bytes(2024) },
  { type: 'COMPUTE', msgId: 10, metric: 1, k: 7, flags: 0x10 },
  { type: 'READ_TOPK', msgId: 11 },
  { type: 'RESET', msgId: 12 },
  { type: 'TOPK_RESULT', msgId: 13, entries: [] },
  { type: 'TOPK_RESULT', msgId: 14, entries: Array.from({ length: 16 }, (_, i) => ({ id: BigInt(i) * 1000003n, dist: Math.fround(i * 0.37 - 2), aux: i })) },
  { type: 'NEED_BLOCK', msgId: 15, ids: [5n, 6n] },
  { type: 'NEED_NEIGHBORS', msgId: 16, nodeId: 77n, layer: 2 },
  { type: 'DONE', msgId: 17, requestType: MsgType.LOAD_BLOCK, value: 40 },
  { type: 'ERROR', msgId: 18, code: 18, requestType: MsgType.LOAD_BLOCK, detail: 0xffffffff },
];

function rejection(b: Uint8Array): ProtocolError {
  try {
    decodeMessage(b);
  } catch (err) {
    if (err instanceof ProtocolError) return err;
    throw err;
  }
  throw new Error('decodeMessage accepted the bytes');
}

describe('protocol codec', () => {
  for (const m of SAMPLES) {
    it(`round-trips ${m.type} (msg ${m.msgId}) byte for byte`, () => {
      const b = encodeMessage(m);
      expect(b.length).toBeLessThanOrEqual(2048);
      expect(decodeHeader(b)).toEqual({ msgType: MsgType[m.type], msgLength: b.length - 8, msgId: m.msgId });
      expect(decodeMessage(b)).toEqual(m);
      expect(encodeMessage(decodeMessage(b))).toEqual(b);
    });
  }

  it('lays the header out little-endian: type, payload length, id', () => {
    const b = encodeMessage({ type: 'COMPUTE', msgId: 0x04030201, metric: 1, k: 2, flags: 0 });
    expect(Array.from(b)).toEqual([0x05, 0x00, 0x04, 0x00, 0x01, 0x02, 0x03, 0x04, 1, 2, 0, 0]);
  });

  it('rejects every truncation of every message, naming the offset', () => {
    for (const m of SAMPLES) {
      const b = encodeMessage(m);
      for (const cut of new Set([0, 1, 7, 8, b.length - 1].filter((n) => n >= 0 && n < b.length))) {
        const err = rejection(b.subarray(0, cut));
        expect(err.kind, `${m.type} cut at ${cut}`).toBe('truncated');
        // The header field that runs out (u16 @0, u16 @2, u32 @4), else where the payload stops.
        expect(err.offset).toBe(cut < 2 ? 0 : cut < 4 ? 2 : cut < 8 ? 4 : cut);
        expect(err.message).toMatch(/^truncated at offset 0x[0-9a-f]+ \(byte\(s\) /);
      }
    }
  });

  it('rejects a declared payload shorter than the message needs, at the field that runs out', () => {
    const b = encodeMessage(SAMPLES[0]!);
    const short = b.slice(0, 8 + 100);
    new DataView(short.buffer).setUint16(2, 100, true);
    const err = rejection(short);
    expect(err.kind).toBe('truncated');
    expect(err.offset).toBe(16);
    expect(err.message).toContain('dim 384 vector needs 768 byte(s), 92 left');
  });

  it('rejects trailing bytes after the declared payload and inside it', () => {
    const b = encodeMessage({ type: 'RESET', msgId: 1 });
    const longer = new Uint8Array([...b, 0xab]);
    const err = rejection(longer);
    expect(err.kind).toBe('trailing-bytes');
    expect(err.offset).toBe(8);
    expect(err.offendingHex).toBe('ab');
    // A payload longer than the type needs (msg_length says so) is also trailing bytes.
    const padded = new Uint8Array([...encodeMessage({ type: 'COMPUTE', msgId: 1, metric: 0, k: 1, flags: 0 }), 0xcd]);
    new DataView(padded.buffer).setUint16(2, 5, true);
    const inner = rejection(padded);
    expect(inner.kind).toBe('trailing-bytes');
    expect(inner.offset).toBe(12);
    expect(inner.message).toContain('byte(s) cd');
  });

  it('rejects msg_length above 2,040 before reading the payload, and accepts 2,040', () => {
    const at = encodeMessage({ ...(SAMPLES[3] as Message & { type: 'LOAD_BLOCK' }) });
    expect(at.length).toBe(2048);
    expect(decodeMessage(at).type).toBe('LOAD_BLOCK');
    const over = at.slice();
    new DataView(over.buffer).setUint16(2, MAX_PAYLOAD_BYTES + 1, true);
    const err = rejection(over);
    expect(err.kind).toBe('oversized');
    expect(err.offset).toBe(2);
    expect(err.offendingHex).toBe('f9 07');
  });

  it('rejects an unknown msg_type with its bytes in hex', () => {
    for (const t of [0x00, 0x08, 0x80, 0x86, 0x1234]) {
      const b = encodeMessage({ type: 'RESET', msgId: 1 });
      new DataView(b.buffer).setUint16(0, t, true);
      const err = rejection(b);
      expect(err.kind).toBe('bad-type');
      expect(err.offset).toBe(0);
      expect(err.offendingHex).toBe(`${(t & 0xff).toString(16).padStart(2, '0')} ${(t >> 8).toString(16).padStart(2, '0')}`);
    }
  });

  it('rejects oversized counts before allocating for them', () => {
    const topk = encodeMessage({ type: 'TOPK_RESULT', msgId: 1, entries: [] });
    new DataView(topk.buffer).setUint32(8, 17, true);
    expect(rejection(topk)).toMatchObject({ kind: 'oversized', offset: 8, offendingHex: '11 00 00 00' });
    const nb = encodeMessage({ type: 'LOAD_NEIGHBORS', msgId: 1, nodeId: 1n, layer: 0, ids: [] });
    new DataView(nb.buffer).setUint32(8 + 16, 0xffffffff, true);
    expect(rejection(nb)).toMatchObject({ kind: 'oversized', offset: 24, offendingHex: 'ff ff ff ff' });
    const need = encodeMessage({ type: 'NEED_BLOCK', msgId: 1, ids: [] });
    new DataView(need.buffer).setUint32(8, 255, true);
    expect(rejection(need)).toMatchObject({ kind: 'oversized', offset: 8 });
  });

  it('accepts counts at their limit: 16 top-K entries, 252 neighbor ids, 254 needed ids', () => {
    expect(decodeMessage(encodeMessage(SAMPLES[13]!))).toEqual(SAMPLES[13]);
    expect(decodeMessage(encodeMessage(SAMPLES[6]!))).toEqual(SAMPLES[6]);
    const need: Message = { type: 'NEED_BLOCK', msgId: 1, ids: Array.from({ length: 254 }, (_, i) => BigInt(i)) };
    expect(decodeMessage(encodeMessage(need))).toEqual(need);
    expect(() => encodeMessage({ ...need, ids: [...(need as { ids: bigint[] }).ids, 1n] })).toThrow(ProtocolError);
    expect(() => encodeMessage({ type: 'TOPK_RESULT', msgId: 1, entries: Array.from({ length: 17 }, () => ({ id: 0n, dist: 0, aux: 0 })) })).toThrow(/oversized/);
  });

  it('rejects reserved bytes that are not zero, unknown flags, dtypes and kinds', () => {
    const q = encodeMessage(SAMPLES[0]!);
    q[8 + 3] = 4; // LOAD_QUERY flags: bit0 is PULL (docs/pull-mode.md), bit1 MORE (query chunks), the others are unknown
    expect(rejection(q)).toMatchObject({ kind: 'bad-field', offset: 11, offendingHex: '04' });
    const dt = encodeMessage(SAMPLES[0]!);
    dt[8] = 9;
    expect(rejection(dt)).toMatchObject({ kind: 'bad-type', offset: 8, offendingHex: '09' });
    const fl = encodeMessage(SAMPLES[3]!);
    fl[8 + 7] = 0x80; // 0x20 is FRESH_TOPK (push-hnsw), 0x40 LZ4 (Hot tiles); 0x80 is unknown
    expect(rejection(fl)).toMatchObject({ kind: 'bad-field', offset: 15, offendingHex: '80' });
    const kind = encodeMessage(SAMPLES[7]!);
    kind[8] = 4; // 1 SQ, 2 PQ, 3 PQ6 codebook pieces (Hot tiles); 4 is unknown
    expect(rejection(kind)).toMatchObject({ kind: 'bad-type', offset: 8, offendingHex: '04' });
  });

  it('refuses to encode values that do not fit their fields', () => {
    expect(() => encodeMessage({ type: 'COMPUTE', msgId: 1, metric: 256, k: 1, flags: 0 })).toThrow(/metric = 256 does not fit u8/);
    expect(() => encodeMessage({ type: 'DONE', msgId: 2 ** 32, requestType: 1, value: 0 })).toThrow(/msg_id/);
    expect(() => encodeMessage({ ...(SAMPLES[3] as Message & { type: 'LOAD_BLOCK' }), data: bytes(2017) })).toThrow(/oversized/);
    expect(() => encodeMessage({ ...(SAMPLES[0] as Message & { type: 'LOAD_QUERY' }), vector: bytes(767) })).toThrow(/needs 768 B/);
  });

  it('encodes a list of messages into one buffer, each exactly as encodeMessage does', () => {
    const all = encodeMessages(SAMPLES);
    expect(all.map((b) => Array.from(b))).toEqual(SAMPLES.map((m) => Array.from(encodeMessage(m))));
    expect(new Set(all.map((b) => b.buffer)).size).toBe(1);
    expect(all[0]!.buffer.byteLength).toBe(SAMPLES.reduce((n, m) => n + encodeMessage(m).length, 0));
    expect(encodeMessages([])).toEqual([]);
    expect(() => encodeMessages([SAMPLES[0]!, { ...(SAMPLES[3] as Message & { type: 'LOAD_BLOCK' }), data: bytes(2017) }])).toThrow(/oversized/);
  });

  it('decodes only tile messages as replies', () => {
    expect(() => decodeTileMessage(encodeMessage({ type: 'RESET', msgId: 1 }))).toThrow(/not a reply/);
    expect(decodeTileMessage(encodeMessage(SAMPLES[16]!))).toEqual(SAMPLES[16]);
  });
});

describe('codec table', () => {
  const names = Object.keys(MsgType) as MsgTypeName[];

  it('has exactly one entry per message type in the constants, and each wire tag names one type', () => {
    expect(Object.keys(CODECS).sort()).toEqual([...names].sort());
    expect(new Set(Object.values(MsgType)).size).toBe(names.length);
    expect([...MSG_TYPE_NAMES.values()].sort()).toEqual([...names].sort());
  });

  it.each(names)('round-trips every sample of %s through its entry, whose size is the payload written', (name) => {
    const samples = SAMPLES.filter((m) => m.type === name);
    expect(samples.length, `no sample message for ${name}`).toBeGreaterThan(0);
    for (const m of samples) {
      const b = encodeMessage(m);
      expect(b[0]! | (b[1]! << 8)).toBe(MsgType[name]);
      expect((CODECS[name].size as (x: Message) => number)(m)).toBe(b.length - HEADER_BYTES);
      expect(decodeMessage(b)).toEqual(m);
    }
  });

  it.each(names)('accepts %s as a tile message exactly when its tag has the tile bit 0x80', (name) => {
    const m = SAMPLES.find((x) => x.type === name)!;
    const fromTile = (MsgType[name] & 0x80) !== 0;
    if (fromTile) expect(decodeTileMessage(encodeMessage(m))).toEqual(m);
    else expect(() => decodeTileMessage(encodeMessage(m))).toThrow(/not a reply/);
  });
});

describe('block and params chunking', () => {
  it('computes CRC32C as the kernel reference does', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    const b = bytes(5000, 7);
    expect(crc32c(b)).toBe(referenceCrc32c(b));
    expect(crc32c(b.subarray(0, 1234), b.subarray(1234))).toBe(crc32c(b));
  });

  it('splits a stream into ordered chunks of at most 2,048 B with FINAL on the last and the CRC of the whole', () => {
    const vectors = Array.from({ length: 40 }, (_, i) => bytes(768, i));
    const ids = vectors.map((_, i) => BigInt(i) * 3n);
    const stream = blockStream(padBlockVectors(DTYPE_FP16, 384, vectors), ids);
    expect(stream.length).toBe(40 * 768 + 40 * 8);
    const chunks = blockChunks(stream, { firstMsgId: 100, count: 40, dtype: DTYPE_FP16, explicitIds: true, verifyCrc: true });
    expect(chunks).toHaveLength(Math.ceil(stream.length / 2016));
    let at = 0;
    chunks.forEach((c, i) => {
      expect(encodeMessage(c).length).toBeLessThanOrEqual(2048);
      expect(c.offset).toBe(at);
      expect(c.msgId).toBe(100 + i);
      expect(c.totalBytes).toBe(stream.length);
      expect(c.crc32c).toBe(crc32c(stream));
      expect(c.flags & BlockFlag.FINAL).toBe(i === chunks.length - 1 ? BlockFlag.FINAL : 0);
      expect(c.flags & (BlockFlag.EXPLICIT_IDS | BlockFlag.VERIFY_CRC)).toBe(BlockFlag.EXPLICIT_IDS | BlockFlag.VERIFY_CRC);
      at += c.data.length;
    });
    expect(at).toBe(stream.length);
    expect(() => blockChunks(stream, { firstMsgId: 1, count: 40, dtype: 1, chunkDataBytes: 2017 })).toThrow(RangeError);
  });

  it('pads vectors to the stride: fp16 to 8 elements, i8 to 8 bytes, bits to 8 bytes', () => {
    expect(padBlockVectors(DTYPE_FP16, 3, [bytes(6)]).length).toBe(16);
    expect(padBlockVectors(DTYPE_I8, 9, [bytes(9)]).length).toBe(16);
    expect(padBlockVectors(DTYPE_BITS, 65, [bytes(9)]).length).toBe(16);
    expect(() => padBlockVectors(DTYPE_I8, 9, [bytes(8)])).toThrow(RangeError);
  });

  it('splits parameter streams the same way', () => {
    const chunks = paramsChunks(bytes(3072), { firstMsgId: 1, kind: 1, a: 384, b: 0 });
    expect(chunks.map((c) => [c.offset, c.data.length, c.flags])).toEqual([
      [0, 2024, 0],
      [2024, 1048, 1],
    ]);
  });
});
