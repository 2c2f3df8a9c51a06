import { describe, expect, it } from 'vitest';
import { CODECS, encodeMessage } from '../protocol/codec.ts';
import { LoadBlock, MSG_TYPE_NAMES, MsgType } from '../protocol/constants.ts';
import { crc32c } from '../protocol/crc32c.ts';
import type { HubMessage, LoadBlockMsg, TileMessage } from '../protocol/types.ts';
import { NEIGHBOR_PTR, STATE_PTR, ST_NEIGHBOR_COUNT, ST_NEIGHBOR_NODE, BLOCK_PTR, DTYPE_BITS, DTYPE_FP16, DTYPE_I8, METRIC_COSINE, METRIC_HAMMING, METRIC_IP, METRIC_L2 } from '../wat/layout.ts';
import * as S from '../wat/status.ts';
import {
  asCandidates,
  blockMessages,
  expectedTopK,
  firstDifference,
  freshPort,
  msgId,
  pushCase,
  queryMessage,
  readTopK,
  sendAllDone,
  snapshot,
  type PushCase,
} from './protocol-fixtures.ts';
import type { TilePort } from '../protocol/tile-port.ts';

const BUILDS = ['simd', 'scalar'] as const;

const CASES: { name: string; c: PushCase }[] = [
  { name: 'fp16 dim 384 L2', c: pushCase(11, DTYPE_FP16, 384, METRIC_L2, 10, [40, 33, 7]) },
  { name: 'fp16 dim 100 cosine', c: pushCase(12, DTYPE_FP16, 100, METRIC_COSINE, 16, [128, 50]) },
  { name: 'i8 dim 768 IP', c: pushCase(13, DTYPE_I8, 768, METRIC_IP, 12, [40, 42]) },
  { name: 'bits dim 6144 hamming', c: pushCase(14, DTYPE_BITS, 6144, METRIC_HAMMING, 8, [40, 3]) },
];

function expectError(reply: TileMessage, code: number, requestType: number, detail?: number): void {
  expect(reply.type, JSON.stringify(reply)).toBe('ERROR');
  if (reply.type !== 'ERROR') return;
  expect(S.statusName(reply.code)).toBe(S.statusName(code));
  expect(reply.requestType).toBe(requestType);
  if (detail !== undefined) expect(reply.detail).toBe(detail >>> 0);
}

describe('push mode through messages', () => {
  for (const build of BUILDS) {
    for (const { name, c } of CASES) {
      it(`gives the reference top-K for ${name} on ${build} (LOAD_QUERY, LOAD_BLOCK chunks, READ_TOPK)`, () => {
        const port = freshPort(build, c.dtype, c.dim);
        sendAllDone(port, [queryMessage(c)]);
        for (const b of c.blocks) {
          const chunks = blockMessages(c, b, { verifyCrc: true });
          const replies = sendAllDone(port, chunks);
          // Non-final chunks report the bytes staged so far, the final one the vectors processed.
          chunks.forEach((m, i) => {
            const r = replies[i]!;
            const lb = m as LoadBlockMsg;
            expect(r.type === 'DONE' && r.value).toBe(i === chunks.length - 1 ? b.vectors.length : lb.offset + lb.data.length);
          });
        }
        expect(asCandidates(readTopK(port))).toEqual(expectedTopK(c));
      });
    }
  }

  it('gives the same replies, byte for byte, on simd and scalar', () => {
    const { c } = CASES[0]!;
    const transcripts = BUILDS.map((build) => {
      const port = freshPort(build, c.dtype, c.dim);
      const out: Uint8Array[] = [];
      for (const m of [queryMessage(c), ...c.blocks.flatMap((b) => blockMessages(c, b)), { type: 'READ_TOPK', msgId: 7 } as HubMessage]) {
        out.push(port.exchangeRaw(encodeMessage({ ...m, msgId: 1 })));
      }
      return out;
    });
    expect(transcripts[0]).toEqual(transcripts[1]);
  });
});

describe('block-stationary mode through messages', () => {
  for (const build of BUILDS) {
    it(`serves several queries against one staged block on ${build} (STAGE_ONLY, then LOAD_QUERY, COMPUTE, READ_TOPK)`, () => {
      const base = pushCase(21, DTYPE_FP16, 200, METRIC_L2, 5, [60]);
      const port = freshPort(build, base.dtype, base.dim);
      const replies = sendAllDone(port, blockMessages(base, base.blocks[0]!, { stageOnly: true, verifyCrc: true }));
      expect(replies.at(-1)).toMatchObject({ type: 'DONE', value: 0 });
      for (const seed of [1, 2, 3]) {
        const q = { ...pushCase(100 + seed, DTYPE_FP16, 200, seed % 2 ? METRIC_L2 : METRIC_IP, 4 + seed, [1]), blocks: base.blocks };
        sendAllDone(port, [queryMessage(q)]);
        const done = port.send({ type: 'COMPUTE', msgId: msgId(), metric: q.metric, k: q.k, flags: 0x10 });
        expect(done).toMatchObject({ type: 'DONE', requestType: MsgType.COMPUTE, value: 60 });
        expect(asCandidates(readTopK(port))).toEqual(expectedTopK(q));
      }
    });
  }

  it('re-verifies the resident block on COMPUTE with VERIFY_CRC and refuses a corrupted one', () => {
    const c = pushCase(22, DTYPE_I8, 64, METRIC_L2, 4, [20]);
    const port = freshPort('simd', c.dtype, c.dim);
    sendAllDone(port, [queryMessage(c), ...blockMessages(c, c.blocks[0]!)]);
    port.tile.bytes[BLOCK_PTR + 70]! ^= 0x01; // silent scratch corruption
    const before = snapshot(port);
    expectError(port.send({ type: 'COMPUTE', msgId: msgId(), metric: METRIC_L2, k: 4, flags: 0x10 }), S.ERR_CRC_MISMATCH, MsgType.COMPUTE);
    expect(firstDifference(before, snapshot(port))).toBe(-1);
    // Without the flag the tile computes on what it holds.
    expect(port.send({ type: 'COMPUTE', msgId: msgId(), metric: METRIC_L2, k: 4, flags: 0 })).toMatchObject({ type: 'DONE', value: 20 });
  });
});

describe('RESET', () => {
  it('forgets the query, the block and the top-K but keeps the config', () => {
    const c = pushCase(23, DTYPE_BITS, 256, METRIC_HAMMING, 3, [10]);
    const port = freshPort('simd', c.dtype, c.dim);
    sendAllDone(port, [queryMessage(c), ...blockMessages(c, c.blocks[0]!)]);
    expect(readTopK(port)).toHaveLength(3);
    expect(port.send({ type: 'RESET', msgId: msgId() })).toMatchObject({ type: 'DONE', requestType: MsgType.RESET });
    expect(readTopK(port)).toHaveLength(0);
    expectError(port.send({ type: 'COMPUTE', msgId: msgId(), metric: METRIC_HAMMING, k: 3, flags: 0 }), S.ERR_NO_QUERY, MsgType.COMPUTE);
    // A block staged right after RESET uses the kept config.
    sendAllDone(port, [queryMessage(c), ...blockMessages(c, c.blocks[0]!)]);
    expect(asCandidates(readTopK(port))).toEqual(expectedTopK(c));
  });
});

// ---- bad input: ERROR with the documented code, memory outside the I/O buffer unchanged,
// and the next valid message served ----

interface BadCase {
  name: string;
  bytes: (c: PushCase) => Uint8Array;
  code: number;
  requestType: number;
  detail?: number;
}

function patched(m: HubMessage, patch: (v: DataView, b: Uint8Array) => void): Uint8Array {
  const b = encodeMessage(m);
  patch(new DataView(b.buffer), b);
  return b;
}

function withLength(b: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(Math.max(8, Math.min(2048, 8 + length)));
  out.set(b.subarray(0, Math.min(b.length, out.length)));
  new DataView(out.buffer).setUint16(2, length, true);
  return out;
}

const FP16 = pushCase(31, DTYPE_FP16, 384, METRIC_L2, 10, [40, 40]);
const chunks0 = blockMessages(FP16, FP16.blocks[0]!) as LoadBlockMsg[];
const chunk = (i: number): LoadBlockMsg => ({ ...chunks0[i]!, msgId: msgId() });
const q = (over: Partial<HubMessage & { type: 'LOAD_QUERY' }>) => ({ ...(queryMessage(FP16) as HubMessage & { type: 'LOAD_QUERY' }), ...over });
const vec = (dtype: number, bytes: number) => new Uint8Array(bytes).fill(dtype === DTYPE_FP16 ? 0x3c : 1);

const BAD: BadCase[] = [
  { name: 'msg_type 0', bytes: () => patched({ type: 'RESET', msgId: 5 }, (v) => v.setUint16(0, 0, true)), code: S.ERR_BAD_MSG_TYPE, requestType: 0, detail: 0 },
  { name: 'msg_type 8', bytes: () => patched({ type: 'RESET', msgId: 5 }, (v) => v.setUint16(0, 8, true)), code: S.ERR_BAD_MSG_TYPE, requestType: 8, detail: 8 },
  { name: 'a reply type (0x84) sent to the tile', bytes: () => patched({ type: 'RESET', msgId: 5 }, (v) => v.setUint16(0, 0x84, true)), code: S.ERR_BAD_MSG_TYPE, requestType: 0x84 },
  { name: 'msg_type 0x3fff', bytes: () => patched({ type: 'RESET', msgId: 5 }, (v) => v.setUint16(0, 0x3fff, true)), code: S.ERR_BAD_MSG_TYPE, requestType: 0x3fff },
  // 0xffff has the integrity bit: the missing CRC trailer is what the tile sees first.
  { name: 'msg_type 0xffff', bytes: () => patched({ type: 'RESET', msgId: 5 }, (v) => v.setUint16(0, 0xffff, true)), code: S.ERR_BAD_MSG_CRC, requestType: 0x3fff },
  { name: 'msg_length 2,041 (one past the buffer)', bytes: () => withLength(encodeMessage(chunk(1)), 2041), code: S.ERR_BAD_MSG_LENGTH, requestType: 2, detail: 2041 },
  { name: 'msg_length 0xffff', bytes: () => withLength(encodeMessage(chunk(1)), 0xffff), code: S.ERR_BAD_MSG_LENGTH, requestType: 2, detail: 0xffff },
  { name: 'LOAD_QUERY one byte short', bytes: () => withLength(encodeMessage(q({})), 8 + 768 - 1), code: S.ERR_BAD_MSG_LENGTH, requestType: 1, detail: 775 },
  { name: 'LOAD_QUERY one byte long', bytes: () => withLength(encodeMessage(q({})), 8 + 768 + 1), code: S.ERR_BAD_MSG_LENGTH, requestType: 1, detail: 777 },
  { name: 'LOAD_QUERY shorter than its header', bytes: () => withLength(encodeMessage(q({})), 7), code: S.ERR_BAD_MSG_LENGTH, requestType: 1, detail: 7 },
  { name: 'LOAD_QUERY fp16 dim 385', bytes: () => encodeMessage(q({ dim: 385, vector: vec(1, 770) })), code: S.ERR_BAD_DIM, requestType: 1, detail: 385 },
  { name: 'LOAD_QUERY i8 dim 769', bytes: () => encodeMessage(q({ dtype: DTYPE_I8, dim: 769, vector: vec(2, 769) })), code: S.ERR_BAD_DIM, requestType: 1, detail: 769 },
  { name: 'LOAD_QUERY bits dim 6145', bytes: () => encodeMessage(q({ dtype: DTYPE_BITS, metric: 3, dim: 6145, vector: vec(3, 769) })), code: S.ERR_BAD_DIM, requestType: 1, detail: 6145 },
  { name: 'LOAD_QUERY dim 0', bytes: () => encodeMessage(q({ dim: 0, vector: vec(1, 0) })), code: S.ERR_BAD_DIM, requestType: 1, detail: 0 },
  { name: 'LOAD_QUERY dtype 4', bytes: () => patched(q({}), (v) => v.setUint8(8, 4)), code: S.ERR_BAD_DTYPE, requestType: 1, detail: 4 },
  { name: 'LOAD_QUERY k 17', bytes: () => encodeMessage(q({ k: 17 })), code: S.ERR_BAD_K, requestType: 1, detail: 17 },
  { name: 'LOAD_QUERY k 0', bytes: () => encodeMessage(q({ k: 0 })), code: S.ERR_BAD_K, requestType: 1, detail: 0 },
  { name: 'LOAD_QUERY hamming on fp16', bytes: () => encodeMessage(q({ metric: METRIC_HAMMING })), code: S.ERR_BAD_METRIC, requestType: 1, detail: 3 },
  { name: 'LOAD_QUERY L2 on bits', bytes: () => encodeMessage(q({ dtype: DTYPE_BITS, metric: 0, dim: 64, vector: vec(3, 8) })), code: S.ERR_BAD_METRIC, requestType: 1, detail: 0 },
  { name: 'LOAD_BLOCK shorter than its chunk header', bytes: () => withLength(encodeMessage(chunk(1)), 23), code: S.ERR_BAD_MSG_LENGTH, requestType: 2, detail: 23 },
  { name: 'LOAD_BLOCK chunk skipping ahead (offset out of order)', bytes: () => encodeMessage(chunk(2)), code: S.ERR_BAD_OFFSET, requestType: 2, detail: chunks0[2]!.offset },
  { name: 'LOAD_BLOCK chunk repeated (offset behind the staged bytes)', bytes: () => encodeMessage({ ...chunk(1), offset: 8 }), code: S.ERR_BAD_OFFSET, requestType: 2, detail: 8 },
  { name: 'LOAD_BLOCK chunk overrunning its stream', bytes: () => encodeMessage({ ...chunk(0), count: 2, totalBytes: 2 * 768, data: new Uint8Array(2016) }), code: S.ERR_BAD_OFFSET, requestType: 2, detail: 0 },
  { name: 'LOAD_BLOCK continuing with another count', bytes: () => encodeMessage({ ...chunk(1), count: 39, totalBytes: 39 * 768 }), code: S.ERR_BAD_OFFSET, requestType: 2 },
  { name: 'LOAD_BLOCK count 43 (43 x 768 B overruns the 32 KB block region)', bytes: () => encodeMessage({ ...chunk(0), count: 43, totalBytes: 43 * 768 }), code: S.ERR_BAD_COUNT, requestType: 2, detail: 43 },
  { name: 'LOAD_BLOCK count 0', bytes: () => encodeMessage({ ...chunk(0), count: 0, totalBytes: 0 }), code: S.ERR_BAD_COUNT, requestType: 2, detail: 0 },
  { name: 'LOAD_BLOCK total_bytes inconsistent with count and dim', bytes: () => encodeMessage({ ...chunk(0), totalBytes: 40 * 768 + 8 }), code: S.ERR_BAD_COUNT, requestType: 2, detail: 40 * 768 + 8 },
  { name: 'LOAD_BLOCK dtype other than the config', bytes: () => encodeMessage({ ...chunk(0), dtype: DTYPE_I8, totalBytes: 40 * 384 }), code: S.ERR_BAD_DTYPE, requestType: 2, detail: DTYPE_I8 },
  { name: 'LOAD_BLOCK final chunk ending before total_bytes', bytes: () => encodeMessage({ ...chunk(1), flags: 1 }), code: S.ERR_BAD_OFFSET, requestType: 2 },
  { name: 'COMPUTE with 3 payload bytes', bytes: () => withLength(encodeMessage({ type: 'COMPUTE', msgId: 9, metric: 0, k: 4, flags: 0 }), 3), code: S.ERR_BAD_MSG_LENGTH, requestType: 5, detail: 3 },
  { name: 'COMPUTE with k 17', bytes: () => encodeMessage({ type: 'COMPUTE', msgId: 9, metric: 0, k: 17, flags: 0 }), code: S.ERR_BAD_K, requestType: 5 },
  { name: 'COMPUTE while the next block is only partly staged', bytes: () => encodeMessage({ type: 'COMPUTE', msgId: 9, metric: 0, k: 4, flags: 0 }), code: S.ERR_NO_BLOCK, requestType: 5, detail: 0 },
  { name: 'READ_TOPK with a payload byte', bytes: () => withLength(encodeMessage({ type: 'READ_TOPK', msgId: 9 }), 1), code: S.ERR_BAD_MSG_LENGTH, requestType: 6, detail: 1 },
  { name: 'RESET with a payload byte', bytes: () => withLength(encodeMessage({ type: 'RESET', msgId: 9 }), 1), code: S.ERR_BAD_MSG_LENGTH, requestType: 7, detail: 1 },
  { name: 'LOAD_PARAMS shorter than its chunk header', bytes: () => withLength(new Uint8Array(8).fill(0).map((_, i) => (i === 0 ? 4 : 0)), 15), code: S.ERR_BAD_MSG_LENGTH, requestType: 4, detail: 15 },
  { name: 'LOAD_PARAMS SQ dim 385', bytes: () => encodeMessage({ type: 'LOAD_PARAMS', msgId: 9, kind: 1, flags: 1, a: 385, b: 0, offset: 0, totalBytes: 3080, data: new Uint8Array(16) }), code: S.ERR_BAD_DIM, requestType: 4, detail: 385 },
  { name: 'LOAD_PARAMS offset out of order', bytes: () => encodeMessage({ type: 'LOAD_PARAMS', msgId: 9, kind: 1, flags: 0, a: 384, b: 0, offset: 16, totalBytes: 3072, data: new Uint8Array(16) }), code: S.ERR_BAD_OFFSET, requestType: 4, detail: 16 },
  { name: 'LOAD_NEIGHBORS count inconsistent with msg_length', bytes: () => patched({ type: 'LOAD_NEIGHBORS', msgId: 9, nodeId: 1n, layer: 0, ids: [2n, 3n] }, (v) => v.setUint32(8 + 16, 3, true)), code: S.ERR_BAD_MSG_LENGTH, requestType: 3, detail: 40 },
];

/** A tile mid-search: a query, one block computed, the next stream one chunk in. */
function midSearch(build: string): TilePort {
  const port = freshPort(build, FP16.dtype, FP16.dim);
  sendAllDone(port, [queryMessage(FP16), ...blockMessages(FP16, FP16.blocks[1]!)]);
  sendAllDone(port, [chunk(0)]);
  return port;
}

function finishSearch(port: TilePort): void {
  sendAllDone(port, chunks0.slice(1).map((m) => ({ ...m, msgId: msgId() })));
  expect(asCandidates(readTopK(port))).toEqual(expectedTopK(FP16));
}

describe('bad messages', () => {
  for (const build of ['simd', 'scalar', 'simd-strict'] as const) {
    it(`answers each bad message with its documented ERROR, changes nothing outside the I/O buffer, and serves the next message (${build})`, () => {
      const port = midSearch(build);
      for (const bad of BAD) {
        const before = snapshot(port);
        const bytes = bad.bytes(FP16);
        const id = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
        const reply = port.sendRaw(bytes, id);
        expect.soft(reply.type, bad.name).toBe('ERROR');
        if (reply.type === 'ERROR') {
          expect.soft(S.statusName(reply.code), bad.name).toBe(S.statusName(bad.code));
          expect.soft(reply.requestType, bad.name).toBe(bad.requestType);
          if (bad.detail !== undefined) expect.soft(reply.detail, bad.name).toBe(bad.detail);
        }
        expect.soft(firstDifference(before, snapshot(port)), bad.name).toBe(-1);
      }
      finishSearch(port);
    });
  }

  it('refuses a block whose CRC32C does not match, changing nothing, and takes the good final chunk after', () => {
    const port = midSearch('simd-strict');
    const rest = chunks0.slice(1).map((m) => ({ ...m, msgId: msgId(), flags: m.flags | 0x10 }));
    sendAllDone(port, rest.slice(0, -1));
    const last = rest.at(-1)!;
    const corrupt = { ...last, msgId: msgId(), data: last.data.slice() };
    corrupt.data[5]! ^= 0x80;
    const before = snapshot(port);
    const stream = new Uint8Array(last.totalBytes);
    for (const m of chunks0) stream.set(m.data, m.offset);
    stream.set(corrupt.data, last.offset);
    expectError(port.send(corrupt), S.ERR_CRC_MISMATCH, MsgType.LOAD_BLOCK, crc32c(stream));
    expect(firstDifference(before, snapshot(port))).toBe(-1);
    sendAllDone(port, [last]);
    expect(asCandidates(readTopK(port))).toEqual(expectedTopK(FP16));
  });

  it('accepts each limit exactly at the limit', () => {
    const port = freshPort('simd-strict', DTYPE_FP16, 384);
    const ok = (m: HubMessage) => expect(port.send(m), m.type).toMatchObject({ type: 'DONE' });
    ok(q({ dim: 384, vector: vec(1, 768), k: 16 }));
    ok(q({ dim: 1, vector: vec(1, 2), k: 1 }));
    ok(q({ dtype: DTYPE_I8, dim: 768, vector: vec(2, 768) }));
    ok(q({ dtype: DTYPE_BITS, metric: 3, dim: 6144, vector: vec(3, 768) }));
    // 128 vectors of 128 bits: count at the limit; a 2,016 B chunk makes msg_length 2,040.
    const c = pushCase(41, DTYPE_BITS, 128, METRIC_HAMMING, 16, [128]);
    const msgs = blockMessages(c, c.blocks[0]!) as LoadBlockMsg[];
    expect(encodeMessage(msgs[0]!).length).toBe(2048);
    expect(msgs[0]!.data.length).toBe(LoadBlock.maxDataBytes);
    sendAllDone(port, [queryMessage(c), ...msgs]);
    expect(asCandidates(readTopK(port))).toEqual(expectedTopK(c));
    // 42 fp16 vectors of 384 dims fill 32,256 B of the 32 KB block region.
    const big = pushCase(42, DTYPE_FP16, 384, METRIC_L2, 3, [42]);
    sendAllDone(port, [queryMessage(big), ...blockMessages({ ...big, blocks: [{ ...big.blocks[0]!, explicitIds: false }] }, { ...big.blocks[0]!, explicitIds: false })]);
    expect(asCandidates(readTopK(port))).toEqual(expectedTopK(big));
  });

  it('refuses a COMPUTE metric the dtype does not support, changing nothing', () => {
    const c = pushCase(43, DTYPE_I8, 32, METRIC_L2, 4, [10]);
    const port = freshPort('simd-strict', c.dtype, c.dim);
    sendAllDone(port, [queryMessage(c), ...blockMessages(c, c.blocks[0]!)]);
    for (const metric of [METRIC_HAMMING, 4, 255]) {
      const before = snapshot(port);
      expectError(port.send({ type: 'COMPUTE', msgId: msgId(), metric, k: 4, flags: 0 }), S.ERR_BAD_METRIC, MsgType.COMPUTE, 10);
      expect(firstDifference(before, snapshot(port))).toBe(-1);
    }
    expect(port.send({ type: 'COMPUTE', msgId: msgId(), metric: METRIC_COSINE, k: 4, flags: 0 })).toMatchObject({ type: 'DONE', value: 10 });
  });

  it('answers BAD_MSG_TYPE, changing nothing, to every msg_type below 0x4000 that is not a hub request (segment headers have no message: rvf_verify_header is an export)', () => {
    const requests = new Set<number>(Object.values(MsgType).filter((tag) => CODECS[MSG_TYPE_NAMES.get(tag)!].from === 'hub'));
    const port = midSearch('simd-strict');
    const before = snapshot(port);
    let refused = 0;
    for (let tag = 0; tag < 0x4000; tag++) {
      if (requests.has(tag)) continue;
      const reply = port.sendRaw(patched({ type: 'RESET', msgId: 5 }, (v) => v.setUint16(0, tag, true)), 5);
      if (reply.type === 'ERROR' && reply.code === S.ERR_BAD_MSG_TYPE && reply.requestType === tag) refused++;
      else expect.fail(`msg_type 0x${tag.toString(16)} got ${JSON.stringify(reply, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`);
    }
    expect(refused).toBe(0x4000 - requests.size);
    expect(firstDifference(before, snapshot(port))).toBe(-1);
    finishSearch(port);
  });
});

describe('LOAD_NEIGHBORS', () => {
  it('hands the list to rvf_load_neighbors and replies DONE with the count', () => {
    const port = freshPort('simd-strict', DTYPE_FP16, 64);
    const ids = Array.from({ length: 252 }, (_, i) => BigInt(i) * 7n + 1n);
    expect(port.send({ type: 'LOAD_NEIGHBORS', msgId: msgId(), nodeId: 99n, layer: 2, ids })).toMatchObject({ type: 'DONE', requestType: MsgType.LOAD_NEIGHBORS, value: 252 });
    const v = port.tile.view;
    expect(Array.from({ length: 252 }, (_, i) => v.getBigUint64(NEIGHBOR_PTR + 8 * i, true))).toEqual(ids);
    expect(v.getBigUint64(STATE_PTR + ST_NEIGHBOR_NODE, true)).toBe(99n);
    expect(v.getUint32(STATE_PTR + ST_NEIGHBOR_COUNT, true)).toBe(252);
  });
});
