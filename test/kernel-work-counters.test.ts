// The kernel's work counters (WORK_PTR, docs/memory-map.md "Work counters"): for each
// export and each message type, the delta across one call equals a count made here from
// the inputs and the TypeScript reference layout, never from the kernel itself. The
// simulator charges tile cycles from these deltas, so a counter that drifts from the work
// done would bias every figure.
import { describe, expect, it } from 'vitest';
import { blockChunks, blockStream, padBlockVectors, paramsChunks } from '../protocol/block-chunks.ts';
import { encodeMessage } from '../protocol/codec.ts';
import { sealMessage } from '../protocol/integrity.ts';
import { TilePort } from '../protocol/tile-port.ts';
import type { HubMessage, LoadBlockMsg, TileMessage } from '../protocol/types.ts';
import { computeDistances, initTile, loadQuery, mergeIds, placeBlock, readTopK } from '../tile/kernel-calls.ts';
import { encodeSegment } from '../tile/reference/segment-header.ts';
import { paddedElements, vectorStrideBytes, type Dtype } from '../tile/reference/vector-layout.ts';
import { TileInstance } from '../tile/tile-instance.ts';
import { readWorkCounters, workDelta, WORK_COUNTER_OFFSETS, type WorkCounters } from '../tile/work-counters.ts';
import {
  BLOCK_PTR,
  DTYPE_BITS,
  DTYPE_FP16,
  DTYPE_I8,
  IO_PTR,
  LB_F_VERIFY_CRC,
  METRIC_COSINE,
  METRIC_HAMMING,
  METRIC_IP,
  METRIC_L2,
  MSG_CRC_BYTES,
  MSG_HEADER_BYTES,
  MSG_MAX_PAYLOAD,
  TEMP_PTR,
  WORK_BYTES,
  WORK_PTR,
} from '../wat/layout.ts';
import * as S from '../wat/status.ts';
import { randomVector } from './kernel-fixtures.ts';
import { Prng } from '../hub/prng.ts';

const BUILDS = ['simd', 'scalar'] as const;
const NONE: WorkCounters = { distances: 0, distElems: 0, merged: 0, crcBytes: 0, dequant: 0, ioBytes: 0, messages: 0, pqCodes: 0, lz4Sequences: 0 };

/** Runs `call` and returns its result with the counters' delta across it. */
function measured<T>(tile: TileInstance, call: () => T): { result: T; delta: WorkCounters } {
  const before = readWorkCounters(tile);
  const result = call();
  return { result, delta: workDelta(before, readWorkCounters(tile)) };
}

function expectWork(tile: TileInstance, call: () => unknown, expected: Partial<WorkCounters>, what: string): void {
  expect(measured(tile, call).delta, what).toEqual({ ...NONE, ...expected });
}

describe('the work counters as the host reads them', () => {
  it('sit inside the state region, after every state field, 32 B for eight u32s', () => {
    expect(WORK_BYTES).toBe(32);
    expect(Object.values(WORK_COUNTER_OFFSETS).sort((a, b) => a - b)).toEqual([-4, 0, 4, 8, 12, 16, 20, 24, 28]);
  });

  it('take a delta modulo 2^32, so a counter that wrapped still gives the work done', () => {
    expect(workDelta({ ...NONE, distances: 0xfffffff0 }, { ...NONE, distances: 5 }).distances).toBe(21);
  });
});

for (const build of BUILDS) {
  describe(`work counters on the ${build} build: exports`, () => {
    it('are zeroed by rvf_init', () => {
      const tile = new TileInstance(0, build);
      tile.bytes.fill(0xa5, WORK_PTR, WORK_PTR + WORK_BYTES);
      expect(initTile(tile, { dtype: DTYPE_FP16, dim: 8 })).toBe(S.OK);
      expect(readWorkCounters(tile)).toEqual(NONE);
    });

    const CASES: { dtype: Dtype; dim: number; metric: number; n: number; k: number }[] = [
      { dtype: DTYPE_FP16, dim: 100, metric: METRIC_L2, n: 37, k: 10 },
      { dtype: DTYPE_FP16, dim: 9, metric: METRIC_COSINE, n: 5, k: 16 },
      { dtype: DTYPE_I8, dim: 70, metric: METRIC_IP, n: 20, k: 3 },
      { dtype: DTYPE_BITS, dim: 300, metric: METRIC_HAMMING, n: 9, k: 4 },
    ];
    for (const c of CASES) {
      it(`count the query decode, distances, merge and read of dtype ${c.dtype} dim ${c.dim} metric ${c.metric}, and nothing for a refused call`, () => {
        const prng = new Prng(c.dim);
        const tile = new TileInstance(0, build);
        initTile(tile, { dtype: c.dtype, dim: c.dim, metric: c.metric, k: c.k });
        const query = randomVector(prng, c.dtype, c.dim);
        const vectors = Array.from({ length: c.n }, () => randomVector(prng, c.dtype, c.dim));
        expectWork(tile, () => loadQuery(tile, c.dtype, query, c.dim), { ioBytes: vectorStrideBytes(c.dtype, c.dim) }, 'rvf_load_query');
        expectWork(tile, () => placeBlock(tile, c.dtype, c.dim, vectors), {}, 'rvf_load_block');
        expectWork(tile, () => computeDistances(tile, c.metric, c.n), { distances: c.n, distElems: c.n * paddedElements(c.dtype, c.dim) }, 'rvf_distances');
        const ids = vectors.map((_, i) => BigInt(1000 + i));
        expectWork(tile, () => mergeIds(tile, ids, c.k), { merged: c.n }, 'rvf_topk_merge');
        expectWork(tile, () => readTopK(tile), { ioBytes: 16 * Math.min(c.k, c.n) }, 'rvf_topk_read');
        // Refused before any work: no counter moves.
        expectWork(tile, () => tile.call('rvf_distances', 7, IO_PTR), {}, 'rvf_distances with a bad metric');
        expectWork(tile, () => tile.call('rvf_topk_merge', BLOCK_PTR, IO_PTR, 3, 0), {}, 'rvf_topk_merge with k 0');
        expectWork(tile, () => tile.call('rvf_load_query', 0, c.dim), {}, 'rvf_load_query below the data window');
      });
    }

    it('count CRC bytes for rvf_crc32c and rvf_verify_header (header 60 B + payload), none for a refused range', () => {
      const tile = new TileInstance(0, build);
      initTile(tile, { dtype: DTYPE_FP16, dim: 8 });
      expectWork(tile, () => tile.call('rvf_crc32c', BLOCK_PTR, 1234), { crcBytes: 1234 }, 'rvf_crc32c');
      expectWork(tile, () => tile.call('rvf_crc32c', 0, 16), {}, 'rvf_crc32c outside the tile');
      const seg = encodeSegment(new Uint8Array(300).map((_, i) => i));
      tile.bytes.set(seg, IO_PTR);
      expectWork(tile, () => expect(tile.call('rvf_verify_header', IO_PTR)).toBe(S.OK), { crcBytes: 60 + 300 }, 'rvf_verify_header');
    });

    it('count SQ params copied and elements dequantized', () => {
      const tile = new TileInstance(0, build);
      initTile(tile, { dtype: DTYPE_FP16, dim: 20 });
      const params = new Float32Array(40).map((_, i) => (i % 2 ? 0.01 : -1));
      tile.bytes.set(new Uint8Array(params.buffer), TEMP_PTR);
      expectWork(tile, () => expect(tile.call('rvf_load_sq_params', TEMP_PTR, 20)).toBe(S.OK), { ioBytes: 20 * 8 }, 'rvf_load_sq_params');
      // 7 vectors of i8 codes, 24 padded dims each -> 168 elements.
      expectWork(tile, () => expect(tile.call('rvf_dequant_i8', BLOCK_PTR + 0x4000, BLOCK_PTR, 7)).toBe(S.OK), { dequant: 7 * 24 }, 'rvf_dequant_i8');
      expectWork(tile, () => tile.call('rvf_dequant_i8', BLOCK_PTR, BLOCK_PTR, 7), {}, 'rvf_dequant_i8 overlapping');
    });

    it('count the PQ codebook copy, the table (K x dim element steps) and one distance and M codes per vector', () => {
      const tile = new TileInstance(0, build);
      const dim = 16;
      const m = 4;
      const k = 16;
      initTile(tile, { dtype: DTYPE_FP16, dim });
      expect(loadQuery(tile, DTYPE_FP16, randomVector(new Prng(3), DTYPE_FP16, dim), dim)).toBe(S.OK);
      tile.bytes.fill(0x11, TEMP_PTR, TEMP_PTR + k * dim * 2);
      expectWork(tile, () => expect(tile.call('rvf_load_pq_codebook', TEMP_PTR, m, k)).toBe(S.OK), { ioBytes: k * dim * 2 }, 'rvf_load_pq_codebook');
      const count = 5;
      tile.bytes.set(new Uint8Array(count * m).map((_, i) => i % k), IO_PTR);
      expectWork(tile, () => expect(tile.call('rvf_pq_distances', IO_PTR, count, BLOCK_PTR)).toBe(S.OK), { distances: count, pqCodes: count * m, distElems: k * dim }, 'rvf_pq_distances');
    });

    it('count the neighbor copy, and the greedy step as the distances and merge it runs', () => {
      const tile = new TileInstance(0, build);
      const dim = 24;
      const prng = new Prng(9);
      initTile(tile, { dtype: DTYPE_FP16, dim, k: 8 });
      expect(loadQuery(tile, DTYPE_FP16, randomVector(prng, DTYPE_FP16, dim), dim)).toBe(S.OK);
      const list = [11n, 12n, 13n];
      const view = tile.view;
      view.setUint32(IO_PTR, list.length, true);
      view.setUint32(IO_PTR + 4, 0, true);
      list.forEach((id, i) => view.setBigUint64(IO_PTR + 8 + i * 8, id, true));
      expectWork(tile, () => expect(tile.call('rvf_load_neighbors', 5n, 1, IO_PTR)).toBe(S.OK), { ioBytes: 8 * list.length }, 'rvf_load_neighbors');
      placeBlock(tile, DTYPE_FP16, dim, list.map(() => randomVector(prng, DTYPE_FP16, dim)));
      expectWork(tile, () => tile.call('rvf_greedy_step', 5n, 1), { distances: 3, distElems: 3 * 24, merged: 3 }, 'rvf_greedy_step');
    });

    it('wrap at 2^32 like the u32 they are', () => {
      const tile = new TileInstance(0, build);
      initTile(tile, { dtype: DTYPE_FP16, dim: 8 });
      tile.view.setUint32(WORK_PTR + WORK_COUNTER_OFFSETS.crcBytes, 0xfffffffe, true);
      expectWork(tile, () => tile.call('rvf_crc32c', BLOCK_PTR, 10), { crcBytes: 10 }, 'wrapping rvf_crc32c');
      expect(readWorkCounters(tile).crcBytes).toBe(8);
    });
  });

  describe(`work counters on the ${build} build: messages`, () => {
    const dim = 100;
    const padded = paddedElements(DTYPE_FP16, dim);
    const stride = vectorStrideBytes(DTYPE_FP16, dim);
    const prng = new Prng(17);
    const query = randomVector(prng, DTYPE_FP16, dim);
    const vectors = Array.from({ length: 40 }, () => randomVector(prng, DTYPE_FP16, dim));
    const ids = vectors.map((_, i) => BigInt(500 + 3 * i));
    const queryMsg: HubMessage = { type: 'LOAD_QUERY', msgId: 1, dtype: DTYPE_FP16, metric: METRIC_L2, k: 10, dim, vector: query };

    function freshPort(): TilePort {
      const tile = new TileInstance(0, build);
      initTile(tile, { dtype: DTYPE_FP16, dim });
      return new TilePort(tile);
    }
    function send(port: TilePort, m: HubMessage): { reply: TileMessage; delta: WorkCounters } {
      const { result, delta } = measured(port.tile, () => port.send(m));
      return { reply: result, delta };
    }
    function chunks(opts: { explicitIds: boolean; verifyCrc?: boolean; stageOnly?: boolean }): LoadBlockMsg[] {
      const stream = blockStream(padBlockVectors(DTYPE_FP16, dim, vectors), opts.explicitIds ? ids : undefined);
      return blockChunks(stream, { firstMsgId: 10, count: vectors.length, dtype: DTYPE_FP16, firstId: ids[0], ...opts });
    }

    it('counts one message and the query decode for LOAD_QUERY, and only the message for a refused one', () => {
      const port = freshPort();
      expect(send(port, queryMsg).delta).toEqual({ ...NONE, messages: 1, ioBytes: stride });
      const bad = send(port, { ...queryMsg, k: 0 });
      expect(bad.reply.type).toBe('ERROR');
      expect(bad.delta).toEqual({ ...NONE, messages: 1 });
      const raw = encodeMessage({ type: 'RESET', msgId: 2 });
      raw[0] = 0x33; // an unknown type
      expect(measured(port.tile, () => port.exchangeRaw(raw)).delta).toEqual({ ...NONE, messages: 1 });
    });

    for (const explicitIds of [false, true]) {
      it(`counts a block stream's chunk copies, no CRC without VERIFY_CRC, and the final chunk's distances and merge (${explicitIds ? 'explicit' : 'implicit'} ids)`, () => {
        const port = freshPort();
        send(port, queryMsg);
        const msgs = chunks({ explicitIds });
        expect(msgs.length).toBeGreaterThan(1);
        msgs.forEach((m, i) => {
          const final = i === msgs.length - 1;
          const { reply, delta } = send(port, m);
          expect(reply.type).toBe('DONE');
          expect(delta, `chunk ${i}`).toEqual({
            ...NONE,
            messages: 1,
            ioBytes: m.data.length + (final && explicitIds ? 8 * vectors.length : 0),
            ...(final ? { distances: vectors.length, distElems: vectors.length * padded, merged: vectors.length } : {}),
          });
        });
        const top = send(port, { type: 'READ_TOPK', msgId: 3 });
        expect(top.delta).toEqual({ ...NONE, messages: 1, ioBytes: 16 * 10 });
      });
    }

    it('with VERIFY_CRC counts the whole stream once, on the final chunk, and still refuses a corrupt block', () => {
      const msgs = chunks({ explicitIds: true, verifyCrc: true });
      const streamBytes = msgs[0]!.totalBytes;
      const port = freshPort();
      send(port, queryMsg);
      msgs.slice(0, -1).forEach((m) => expect(send(port, m).delta.crcBytes).toBe(0));
      const last = msgs.at(-1)!;
      const corrupt = { ...last, msgId: 99, data: last.data.slice() };
      corrupt.data[3]! ^= 0x10;
      const refused = send(port, corrupt);
      expect(refused.reply).toMatchObject({ type: 'ERROR', code: S.ERR_CRC_MISMATCH });
      expect(refused.delta).toEqual({ ...NONE, messages: 1, crcBytes: streamBytes });
      const good = send(port, last);
      expect(good.reply).toMatchObject({ type: 'DONE', value: vectors.length });
      expect(good.delta.crcBytes).toBe(streamBytes);
      expect(good.delta.distances).toBe(vectors.length);
    });

    it('without VERIFY_CRC runs no CRC, so a corrupt final chunk is taken as it is', () => {
      const msgs = chunks({ explicitIds: false });
      const port = freshPort();
      send(port, queryMsg);
      msgs.slice(0, -1).forEach((m) => send(port, m));
      const last = msgs.at(-1)!;
      const corrupt = { ...last, data: last.data.slice() };
      corrupt.data[3]! ^= 0x10;
      const { reply, delta } = send(port, corrupt);
      expect(reply).toMatchObject({ type: 'DONE', value: vectors.length });
      expect(delta.crcBytes).toBe(0);
    });

    it('counts COMPUTE on a staged block as its distances and merge, plus the resident block with VERIFY_CRC', () => {
      const msgs = chunks({ explicitIds: false, stageOnly: true });
      const port = freshPort();
      send(port, queryMsg);
      const staged = msgs.map((m) => send(port, m).delta);
      expect(staged.at(-1)).toEqual({ ...NONE, messages: 1, ioBytes: msgs.at(-1)!.data.length });
      const compute = (flags: number) => send(port, { type: 'COMPUTE', msgId: 5, metric: METRIC_L2, k: 10, flags });
      const work = { distances: vectors.length, distElems: vectors.length * padded, merged: vectors.length };
      expect(compute(0).delta).toEqual({ ...NONE, messages: 1, ...work });
      expect(compute(LB_F_VERIFY_CRC).delta).toEqual({ ...NONE, messages: 1, ...work, crcBytes: msgs[0]!.totalBytes });
    });

    it('counts LOAD_PARAMS chunk copies, the SQ params load, and a DEQUANT block\'s elements', () => {
      const port = freshPort();
      send(port, queryMsg);
      const params = new Uint8Array(new Float32Array(2 * dim).map((_, i) => (i % 2 ? 0.02 : -1.5)).buffer);
      const pmsgs = paramsChunks(params, { firstMsgId: 20, kind: 1, a: dim, b: 0, chunkDataBytes: 300 });
      pmsgs.forEach((m, i) => {
        const final = i === pmsgs.length - 1;
        expect(send(port, m).delta, `params chunk ${i}`).toEqual({ ...NONE, messages: 1, ioBytes: m.data.length + (final ? 8 * dim : 0) });
      });
      const codes = Array.from({ length: 12 }, () => randomVector(prng, DTYPE_I8, dim));
      const stream = blockStream(padBlockVectors(DTYPE_I8, dim, codes));
      const dmsgs = blockChunks(stream, { firstMsgId: 30, count: codes.length, dtype: DTYPE_I8, dequant: true, firstId: 7n, chunkDataBytes: 500 });
      const deltas = dmsgs.map((m) => send(port, m).delta);
      expect(deltas.at(-1)).toEqual({
        ...NONE,
        messages: 1,
        ioBytes: dmsgs.at(-1)!.data.length,
        dequant: codes.length * paddedElements(DTYPE_I8, dim),
        distances: codes.length,
        distElems: codes.length * padded,
        merged: codes.length,
      });
    });

    it('counts LOAD_NEIGHBORS as its ids copied and RESET as one message', () => {
      const port = freshPort();
      const nb = send(port, { type: 'LOAD_NEIGHBORS', msgId: 8, nodeId: 4n, layer: 0, ids: [1n, 2n, 3n, 9n] });
      expect(nb.reply).toMatchObject({ type: 'DONE', value: 4 });
      expect(nb.delta).toEqual({ ...NONE, messages: 1, ioBytes: 32 });
      expect(send(port, { type: 'RESET', msgId: 9 }).delta).toEqual({ ...NONE, messages: 1 });
    });

    it('counts a sealed message\'s check and its reply\'s seal and kept copy; a re-send only the check and the copy', () => {
      const port = freshPort();
      send(port, queryMsg);
      for (const m of chunks({ explicitIds: false })) send(port, m);
      const request = sealMessage(encodeMessage({ type: 'READ_TOPK', msgId: 77 }));
      const replyLen = MSG_HEADER_BYTES + 8 + 16 * 10;
      const first = measured(port.tile, () => port.exchangeRaw(request));
      expect(first.result.length).toBe(replyLen + MSG_CRC_BYTES);
      expect(first.delta).toEqual({ ...NONE, messages: 1, crcBytes: MSG_HEADER_BYTES + replyLen, ioBytes: 16 * 10 + replyLen + MSG_CRC_BYTES });
      const again = measured(port.tile, () => port.exchangeRaw(request));
      expect(again.delta).toEqual({ ...NONE, messages: 1, crcBytes: MSG_HEADER_BYTES, ioBytes: replyLen + MSG_CRC_BYTES });
      const tooLong = sealMessage(encodeMessage({ type: 'LOAD_QUERY', msgId: 78, dtype: DTYPE_FP16, metric: 0, k: 1, dim: 1, vector: new Uint8Array(2) }));
      tooLong[2] = MSG_MAX_PAYLOAD & 0xff;
      tooLong[3] = MSG_MAX_PAYLOAD >> 8; // the trailer would not fit: refused unchecked, only the ERROR is sealed
      expect(measured(port.tile, () => port.exchangeRaw(tooLong)).delta).toEqual({ ...NONE, messages: 1, crcBytes: MSG_HEADER_BYTES + 8 });
    });
  });
}

describe('work counters agree between builds', () => {
  it('end a whole push flow with the same eight values on simd and scalar', () => {
    const finals = BUILDS.map((build) => {
      const tile = new TileInstance(0, build);
      initTile(tile, { dtype: DTYPE_I8, dim: 64 });
      const port = new TilePort(tile);
      port.send({ type: 'LOAD_QUERY', msgId: 1, dtype: DTYPE_I8, metric: METRIC_COSINE, k: 5, dim: 64, vector: randomVector(new Prng(1), DTYPE_I8, 64) });
      const vecs = Array.from({ length: 30 }, (_, i) => randomVector(new Prng(100 + i), DTYPE_I8, 64));
      for (const m of blockChunks(blockStream(padBlockVectors(DTYPE_I8, 64, vecs)), { firstMsgId: 2, count: 30, dtype: DTYPE_I8, verifyCrc: true, firstId: 1n, chunkDataBytes: 700 })) port.send(m);
      port.send({ type: 'READ_TOPK', msgId: 9 });
      return readWorkCounters(tile);
    });
    expect(finals[0]).toEqual(finals[1]);
    expect(finals[0]!.distances).toBe(30);
  });
});
