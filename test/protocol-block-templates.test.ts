// A block stream's chunk templates written straight from the stream (protocol/block-templates.ts)
// against the path they replace, encodeMessages(blockChunks(...)): byte for byte, over stream
// lengths around every chunk boundary, chunk budgets (sealed and odd), every flag, ids up to u64,
// a given CRC and a computed one; and the same refusals for fields that do not fit.
import { describe, expect, it } from 'vitest';
import { blockChunks, type BlockChunkOptions } from '../protocol/block-chunks.ts';
import { encodeBlockChunks } from '../protocol/block-templates.ts';
import { encodeMessages } from '../protocol/codec.ts';
import { LoadBlock } from '../protocol/constants.ts';
import { ProtocolError } from '../protocol/errors.ts';
import { MSG_CRC_BYTES } from '../wat/layout.ts';

function bytesOf(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const expected = (stream: Uint8Array, o: BlockChunkOptions) => encodeMessages(blockChunks(stream, o));

describe('encodeBlockChunks', () => {
  const max = LoadBlock.maxDataBytes;
  const lengths = [0, 1, 7, 768, max - 1, max, max + 1, 2 * max, 2 * max + 3, 32_256, 16 * max, 16 * max + 1];
  const budgets = [undefined, max - MSG_CRC_BYTES, 700, 1];

  it('writes the bytes encodeMessages(blockChunks(...)) writes, for every length, budget and flag', () => {
    let cases = 0;
    for (const length of lengths) {
      // A stream that starts off a word boundary, as a view into a larger buffer can.
      const stream = bytesOf(length + 3, length).subarray(3);
      for (const chunkDataBytes of budgets) {
        if (chunkDataBytes === 1 && length > 2 * max) continue; // one byte a chunk: the short streams are enough
        for (let flags = 0; flags < 32; flags++) {
          const o: BlockChunkOptions = {
            firstMsgId: flags & 2 ? 0 : 0xffff_fffe, // chunk msg_ids wrap past u32 as blockChunks wraps them
            count: (length * 7 + flags) % 65_536,
            dtype: flags % 3,
            firstId: flags & 1 ? 0xfedc_ba98_7654_3210n : BigInt(length * 42),
            explicitIds: (flags & 1) !== 0,
            stageOnly: (flags & 2) !== 0,
            dequant: (flags & 4) !== 0,
            verifyCrc: (flags & 8) !== 0,
            freshTopk: (flags & 16) !== 0,
            ...(chunkDataBytes === undefined ? {} : { chunkDataBytes }),
            ...(flags % 5 === 0 ? { streamCrc: 0xdead_beef } : {}),
          };
          const got = encodeBlockChunks(stream, o);
          const want = expected(stream, o);
          expect(got.length).toBe(want.length);
          for (let i = 0; i < want.length; i++) expect(Buffer.from(got[i]!).equals(Buffer.from(want[i]!))).toBe(true);
          cases++;
        }
      }
    }
    expect(cases).toBeGreaterThan(1000);
  });

  it('carves the chunks from one buffer, one after the other', () => {
    const stream = bytesOf(5 * max + 10, 9);
    const chunks = encodeBlockChunks(stream, { firstMsgId: 0, count: 42, dtype: 1 });
    expect(chunks.length).toBe(6);
    let at = 0;
    for (const c of chunks) {
      expect(c.buffer).toBe(chunks[0]!.buffer);
      expect(c.byteOffset).toBe(at);
      at += c.length;
    }
    expect(at).toBe(chunks[0]!.buffer.byteLength);
  });

  it('refuses what encodeLoadBlock refuses, naming the field', () => {
    const stream = bytesOf(100, 3);
    const refusals: [Partial<BlockChunkOptions>, RegExp][] = [
      [{ count: 65_536 }, /count = 65536 does not fit u16/],
      [{ dtype: 256 }, /dtype = 256 does not fit u8/],
      [{ firstId: 1n << 64n }, /first_id = 18446744073709551616 does not fit u64/],
      [{ firstId: -1n }, /first_id = -1 does not fit u64/],
      [{ streamCrc: 2 ** 32 }, /crc32c = 4294967296 does not fit u32/],
    ];
    for (const [bad, message] of refusals) {
      const o = { firstMsgId: 0, count: 1, dtype: 1, ...bad };
      expect(() => expected(stream, o)).toThrow(message);
      expect(() => encodeBlockChunks(stream, o)).toThrow(ProtocolError);
      expect(() => encodeBlockChunks(stream, o)).toThrow(message);
    }
    expect(() => encodeBlockChunks(stream, { firstMsgId: 0, count: 1, dtype: 1, chunkDataBytes: max + 1 })).toThrow(/chunk of 2017 B exceeds 2016 B/);
  });
});
