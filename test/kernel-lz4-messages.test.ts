// LOAD_BLOCK with LZ4 chunks on the Hot image (docs/protocol.md "LZ4 chunks"): a stream sent
// as LZ4 chunks gives the same top-K as the plain stream, the work counters count what the
// decoder did, and a malformed chunk is one ERROR reply naming the LZ4 fault and the
// offending sequence's offset, with no byte of tile memory changed but the message count.
import { describe, expect, it } from 'vitest';
import { Prng } from '../hub/prng.ts';
import { blockChunks, blockStream, padBlockVectors } from '../protocol/block-chunks.ts';
import { BlockFlag } from '../protocol/constants.ts';
import { crc32c } from '../protocol/crc32c.ts';
import { lz4BlockChunks } from '../protocol/lz4-chunks.ts';
import { TilePort } from '../protocol/tile-port.ts';
import type { HubMessage, LoadBlockMsg, TileMessage } from '../protocol/types.ts';
import { initTile } from '../tile/kernel-calls.ts';
import { lz4DecodeReference } from '../tile/reference/lz4.ts';
import { TileInstance } from '../tile/tile-instance.ts';
import { readWorkCounters, workDelta, type WorkCounters } from '../tile/work-counters.ts';
import { DTYPE_FP16, IO_BYTES, IO_PTR, LZ4_CHUNK_HEADER_BYTES, METRIC_L2, MSG_LOAD_BLOCK, WK_MESSAGES, WORK_PTR } from '../wat/layout.ts';
import * as S from '../wat/status.ts';
import { randomVector } from './kernel-fixtures.ts';

const BUILDS = ['hot-simd-strict', 'hot-scalar'] as const;
const dim = 100; // stride 208 B: 16 B of zero padding a vector, the part of fp16 data LZ4 finds
const prng = new Prng(23);
const query = randomVector(prng, DTYPE_FP16, dim);
const vectors = Array.from({ length: 40 }, () => randomVector(prng, DTYPE_FP16, dim));
const ids = vectors.map((_, i) => BigInt(900 + 7 * i));
const stream = blockStream(padBlockVectors(DTYPE_FP16, dim, vectors), ids);
const base = { firstMsgId: 10, count: vectors.length, dtype: DTYPE_FP16, explicitIds: true, chunkDataBytes: 1200 };

function port(build: string): TilePort {
  const tile = new TileInstance(0, build);
  expect(initTile(tile, { dtype: DTYPE_FP16, dim, profile: 2 })).toBe(S.OK);
  const p = new TilePort(tile);
  expect(p.send({ type: 'LOAD_QUERY', msgId: 1, dtype: DTYPE_FP16, metric: METRIC_L2, k: 10, dim, vector: query }).type).toBe('DONE');
  return p;
}

function send(p: TilePort, m: HubMessage): { reply: TileMessage; delta: WorkCounters } {
  const before = readWorkCounters(p.tile);
  const reply = p.send(m);
  return { reply, delta: workDelta(before, readWorkCounters(p.tile)) };
}

function topk(p: TilePort): unknown {
  return p.send({ type: 'READ_TOPK', msgId: 99 });
}

/** An LZ4 chunk of the stream at `offset` whose data is {decoded, block} as given. */
function lz4Chunk(offset: number, decoded: number, block: number[], flags = BlockFlag.LZ4 | BlockFlag.FINAL, total = decoded): LoadBlockMsg {
  const data = new Uint8Array(LZ4_CHUNK_HEADER_BYTES + block.length);
  new DataView(data.buffer).setUint32(0, decoded, true);
  data.set(block, LZ4_CHUNK_HEADER_BYTES);
  return { type: 'LOAD_BLOCK', msgId: 50, offset, count: 1, dtype: DTYPE_FP16, flags, firstId: 0n, crc32c: 0, totalBytes: total, data };
}

/** Sends `m`, expects ERROR {code, detail}, and that only the message counter changed in memory. */
function expectRefused(p: TilePort, m: LoadBlockMsg, code: number, detail: number): void {
  const before = p.tile.bytes.slice();
  const reply = p.send(m);
  expect(reply).toMatchObject({ type: 'ERROR', code, requestType: MSG_LOAD_BLOCK, detail });
  const counter = WORK_PTR + WK_MESSAGES;
  // The I/O buffer holds the request, then the reply; elsewhere only the message counter moves.
  const changed = p.tile.bytes.findIndex((b, a) => b !== before[a] && !(a >= IO_PTR && a < IO_PTR + IO_BYTES) && !(a >= counter && a < counter + 4));
  expect(changed, changed >= 0 ? `byte 0x${changed.toString(16)} changed` : '').toBe(-1);
}

for (const build of BUILDS) {
  describe(`LZ4 chunks on ${build}`, () => {
    it('a stream of LZ4 chunks gives the plain stream\'s top-K, its counters what the decoder did', () => {
      const chunks = lz4BlockChunks(stream, base);
      const lz4 = chunks.filter((c) => c.flags & BlockFlag.LZ4);
      expect(lz4.length).toBeGreaterThan(1);
      const plain = port(build);
      for (const c of blockChunks(stream, base)) expect(plain.send(c).type).toBe('DONE');
      const packed = port(build);
      let at = 0;
      for (const c of chunks) {
        const { reply, delta } = send(packed, c);
        expect(reply.type).toBe('DONE');
        if (c.flags & BlockFlag.LZ4) {
          const block = c.data.subarray(LZ4_CHUNK_HEADER_BYTES);
          const size = new DataView(c.data.buffer, c.data.byteOffset).getUint32(0, true);
          const ref = lz4DecodeReference(block, size, stream.subarray(0, at));
          const ids = c.flags & BlockFlag.FINAL ? 8 * vectors.length : 0;
          expect(delta.ioBytes).toBe(block.length + size + ids);
          expect(delta.lz4Sequences).toBe(ref.sequences);
          at += size;
        } else {
          expect(delta.lz4Sequences).toBe(0);
          at += c.data.length;
        }
      }
      expect(topk(packed)).toEqual(topk(plain));
    });

    it('checks VERIFY_CRC over the decoded bytes; a mismatch at offset 0 drops the resident block', () => {
      const p = port(build);
      const chunks = lz4BlockChunks(stream, { ...base, verifyCrc: true, chunkDataBytes: 2016 });
      for (const c of chunks) expect(p.send(c).type).toBe('DONE');
      const zeros = new Uint8Array(208 * 2);
      const [one] = lz4BlockChunks(zeros, { firstMsgId: 60, count: 2, dtype: DTYPE_FP16, verifyCrc: true, firstId: 5n });
      expect(one!.flags & BlockFlag.LZ4).toBe(BlockFlag.LZ4);
      expect(p.send({ ...one!, crc32c: crc32c(zeros) ^ 1 })).toMatchObject({ type: 'ERROR', code: S.ERR_CRC_MISMATCH });
      expect(p.send({ type: 'COMPUTE', msgId: 70, metric: METRIC_L2, k: 10, flags: 0 })).toMatchObject({ type: 'ERROR', code: S.ERR_NO_BLOCK });
      expect(p.send(one!).type).toBe('DONE');
    });

    it('refuses malformed LZ4 chunks with the fault and its offset, writing nothing', () => {
      const p = port(build);
      // One vector of dim 100 (208 B, no ids): a literal-only block is {0xf0, 208 - 15, 208 B}.
      const abcd = [0x61, 0x62, 0x63, 0x64];
      const bytes = (n: number) => Array.from({ length: n }, (_, i) => i & 0xff);
      // A good first sequence ("abcd" + a 4-byte match), then offset 0 in the second (at 7).
      const badOffset = [0x40, ...abcd, 4, 0, 0x40, ...abcd, 0, 0, 0xf0, 192 - 15, ...bytes(192)];
      const cases: [string, LoadBlockMsg, number, number][] = [
        ['offset 0 in the second sequence', lz4Chunk(0, 208, badOffset), S.ERR_LZ4_BAD_OFFSET, 7],
        ['a block cut inside its literals', lz4Chunk(0, 208, [0xf0, 208 - 15, ...bytes(100)]), S.ERR_LZ4_TRUNCATED, 0],
        ['a decoded size past the stream', lz4Chunk(0, 209, [0xf0, 209 - 15, ...bytes(209)], undefined, 208), S.ERR_LZ4_OVERFLOW, 209],
        ['decoded bytes short of the declared size', lz4Chunk(0, 208, [0xf0, 198 - 15, ...bytes(198)]), S.ERR_LZ4_OVERFLOW, 0],
        ['a chunk too short for its size field', { ...lz4Chunk(0, 0, [], undefined, 208), data: Uint8Array.of(1, 2) }, S.ERR_BAD_MSG_LENGTH, 26],
      ];
      for (const [name, m, code, detail] of cases) {
        // The decoder's own faults: the reference finds the same one at the same offset.
        if (S.statusName(code).startsWith('LZ4') && detail !== 209) {
          const ref = lz4DecodeReference(m.data.subarray(LZ4_CHUNK_HEADER_BYTES), 208);
          expect([S.statusName(ref.status), ref.at], name).toEqual([S.statusName(code), detail]);
        }
        expectRefused(p, m, code, detail);
      }
      // The tile still takes a good stream afterwards.
      for (const c of lz4BlockChunks(stream, base)) expect(p.send(c).type).toBe('DONE');
    });
  });
}
