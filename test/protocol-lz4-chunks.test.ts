// The hub's LZ4 chunks of a block stream (protocol/lz4-chunks.ts): every chunk fits one
// message and encodes, the pieces tile the stream in order, each LZ4 piece decodes (in
// lz4-napi and in the reference, with the stream before it as the dictionary) to its
// slice, incompressible pieces travel raw, and the chunks never carry more bytes than the
// plain chunks do.
import { describe, expect, it } from 'vitest';
import { blockChunks } from '../protocol/block-chunks.ts';
import { decodeMessage, encodeMessage } from '../protocol/codec.ts';
import { BlockFlag, LoadBlock } from '../protocol/constants.ts';
import { lz4BlockChunks } from '../protocol/lz4-chunks.ts';
import type { LoadBlockMsg } from '../protocol/types.ts';
import { lz4DecodeReference } from '../tile/reference/lz4.ts';
import { LZ4_CHUNK_HEADER_BYTES } from '../wat/layout.ts';
import { OK } from '../wat/status.ts';
import { idBytes, lz4Corpus, napiDecompress } from './lz4-fixtures.ts';

const options = { firstMsgId: 5, count: 42, dtype: 1, firstId: 100n };

/** The stream rebuilt from the chunks, each LZ4 piece decoded with everything before it. */
function reassemble(chunks: LoadBlockMsg[], decode: (block: Uint8Array, size: number, dict: Uint8Array) => Uint8Array): Uint8Array {
  const out = new Uint8Array(chunks[0]!.totalBytes);
  let at = 0;
  for (const c of chunks) {
    expect(c.offset).toBe(at);
    if (c.flags & BlockFlag.LZ4) {
      const size = new DataView(c.data.buffer, c.data.byteOffset).getUint32(0, true);
      const piece = decode(c.data.subarray(LZ4_CHUNK_HEADER_BYTES), size, out.subarray(0, at));
      expect(piece.length).toBe(size);
      out.set(piece, at);
      at += size;
    } else {
      out.set(c.data, at);
      at += c.data.length;
    }
  }
  expect(at).toBe(out.length);
  return out;
}

const streams = [
  ...lz4Corpus().filter((c) => c.data.length > 0 && c.data.length <= 32 * 1024),
  { name: 'fp16 vectors then their ids', data: new Uint8Array([...lz4Corpus().find((c) => c.name.startsWith('fp16 clustered'))!.data.subarray(0, 20 * 768), ...idBytes(5000, 20)]) },
];

describe('LZ4 chunks of a block stream', () => {
  for (const { name, data } of streams) {
    it(`${name}: chunks fit, tile the stream, decode in lz4-napi and the reference, and carry no more than plain chunks`, () => {
      const chunks = lz4BlockChunks(data, options);
      const plain = blockChunks(data, options);
      chunks.forEach((c, i) => {
        expect(c.data.length).toBeLessThanOrEqual(LoadBlock.maxDataBytes);
        expect(c.msgId).toBe(options.firstMsgId + i);
        expect(c.flags & BlockFlag.FINAL).toBe(i === chunks.length - 1 ? BlockFlag.FINAL : 0);
        expect(decodeMessage(encodeMessage(c))).toEqual(c);
      });
      expect(Buffer.from(reassemble(chunks, (b, size, dict) => napiDecompress(b, size, dict))).equals(Buffer.from(data))).toBe(true);
      expect(
        Buffer.from(reassemble(chunks, (b, size, dict) => {
          const r = lz4DecodeReference(b, size, dict);
          expect(r.status).toBe(OK);
          return r.bytes;
        })).equals(Buffer.from(data)),
      ).toBe(true);
      const wire = (cs: LoadBlockMsg[]) => cs.reduce((n, c) => n + encodeMessage(c).length, 0);
      expect(wire(chunks)).toBeLessThanOrEqual(wire(plain));
    });
  }

  it('sends incompressible data raw (no LZ4 chunk) and compressible data in fewer chunks', () => {
    const random = lz4Corpus().find((c) => c.name.startsWith('random'))!.data;
    expect(lz4BlockChunks(random, options).some((c) => c.flags & BlockFlag.LZ4)).toBe(false);
    const zeros = new Uint8Array(32 * 1024);
    const chunks = lz4BlockChunks(zeros, options);
    expect(chunks.length).toBe(1);
    expect(chunks[0]!.flags & BlockFlag.LZ4).toBe(BlockFlag.LZ4);
    expect(blockChunks(zeros, options).length).toBe(17);
  });

  it('keeps a sealed chunk 4 bytes short, as plain chunks are', () => {
    const text = lz4Corpus().find((c) => c.name === 'text')!.data;
    for (const c of lz4BlockChunks(text, { ...options, chunkDataBytes: LoadBlock.maxDataBytes - 4 })) expect(c.data.length).toBeLessThanOrEqual(LoadBlock.maxDataBytes - 4);
  });
});
