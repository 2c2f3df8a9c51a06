// A block stream's chunk templates written straight from the stream (protocol/block-templates.ts)
// against the path they replace, encodeMessages(blockChunks(...)): byte for byte, over stream
// lengths around every chunk boundary, chunk budgets (sealed and odd), every flag, ids up to u64,
// a given CRC and a computed one; and the same refusals for fields that do not fit. Then the
// hub's users (EncodedDataset.blockTemplates, explicitBlockChunks) against the old encoding,
// for fp16, padded i8 and LZ4 data.
import { describe, expect, it } from 'vitest';
import { EncodedDataset } from '../hub/encoded-dataset.ts';
import { explicitBlockChunks } from '../hub/work/explicit-blocks.ts';
import { blockChunks, blockStream, padBlockVectors, type BlockChunkOptions } from '../protocol/block-chunks.ts';
import { encodeBlockChunks } from '../protocol/block-templates.ts';
import { encodeMessage, encodeMessages } from '../protocol/codec.ts';
import { LoadBlock } from '../protocol/constants.ts';
import { ProtocolError } from '../protocol/errors.ts';
import { lz4BlockChunks } from '../protocol/lz4-chunks.ts';
import { DTYPE_FP16, MSG_CRC_BYTES } from '../wat/layout.ts';

const max = LoadBlock.maxDataBytes;

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
  const lengths = [0, 1, 7, 768, max - 1, max, max + 1, 2 * max, 2 * max + 3, 32_256, 16 * max, 16 * max + 1];
  const budgets = [undefined, max - MSG_CRC_BYTES, 700, 1];

  it('writes the bytes encodeMessages(blockChunks(...)) writes, for every length, budget and flag', () => {
    let cases = 0;
    for (const length of lengths) {
      // A stream that starts off a word boundary, as a view into a larger buffer can.
      const stream = bytesOf(length + 3, length).subarray(3);
      for (const chunkDataBytes of budgets) {
        if (chunkDataBytes === 1 && length > 768) continue; // one byte a chunk: the short streams are enough
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

describe('EncodedDataset.blockTemplates and explicitBlockChunks', () => {
  function floats(n: number, seed: number): Float32Array {
    const bytes = bytesOf(n, seed);
    return Float32Array.from(bytes, (b) => (b - 128) / 37);
  }

  // fp16 whose vectors are the stream (a view), i8 with padding (dim 20: 20 B codes in 24 B
  // strides), and LZ4 chunks on the Hot image.
  const datasets: [string, () => EncodedDataset][] = [
    ['fp16', () => new EncodedDataset({ dtype: 'fp16', metric: 'l2', k: 10, dim: 64, schedule: 'query' }, floats(700 * 64, 1), floats(64, 2))],
    ['i8', () => new EncodedDataset({ dtype: 'i8', metric: 'cosine', k: 10, dim: 20, schedule: 'query' }, floats(3000 * 20, 3), floats(20, 4))],
    ['lz4', () => new EncodedDataset({ dtype: 'fp16', metric: 'l2', k: 10, dim: 64, schedule: 'query' }, floats(700 * 64, 5), floats(64, 6), 'hot', { lz4: true })],
  ];

  for (const [name, make] of datasets) {
    it(`${name}: every block's templates are encodeMessages(blockChunks(...)), staged or not, checked or not, sealed or not`, () => {
      const data = make();
      expect(data.blockCount).toBeGreaterThan(1);
      for (let b = 0; b < data.blockCount; b++) {
        for (let v = 0; v < 8; v++) {
          const [stageOnly, verifyCrc, sealed] = [(v & 1) !== 0, (v & 2) !== 0, (v & 4) !== 0];
          const got = data.blockTemplates(b, stageOnly, verifyCrc, sealed);
          const want = encodeMessages(data.blockChunks(b, stageOnly, verifyCrc, sealed));
          expect(got.map((t) => Buffer.from(t).toString('hex'))).toEqual(want.map((t) => Buffer.from(t).toString('hex')));
        }
      }
    });

    it(`${name}: explicit-id blocks are the chunks' encodeMessage bytes`, () => {
      const data = make();
      const ids = [5, 0, 77, 3, 699, 12, 40, 41];
      for (const o of [
        { verifyCrc: false, integrity: false, freshTopk: false },
        { verifyCrc: true, integrity: true, freshTopk: true },
      ]) {
        const padded = padBlockVectors(DTYPE_FP16, data.dim, ids.map((id) => data.computeVectorBytes(id)));
        const stream = blockStream(padded, ids.map(BigInt));
        const options: BlockChunkOptions = { firstMsgId: 0, count: ids.length, dtype: DTYPE_FP16, explicitIds: true, freshTopk: o.freshTopk, verifyCrc: o.verifyCrc, ...(o.integrity ? { chunkDataBytes: max - MSG_CRC_BYTES } : {}) };
        const want = (data.lz4 ? lz4BlockChunks : blockChunks)(stream, options).map((m) => encodeMessage(m));
        expect(explicitBlockChunks(data, ids, o).map((t) => Buffer.from(t).toString('hex'))).toEqual(want.map((t) => Buffer.from(t).toString('hex')));
      }
    });
  }
});
