// PQ 6-bit by message on the Hot image (docs/protocol.md "LOAD_PARAMS", "PQ6 blocks"):
// LOAD_PARAMS kind 3 pieces sent after LOAD_QUERY build the query's PQ6 table, which then
// gives the reference distances bit for bit; bad pieces are one ERROR reply; a Core tile
// refuses kind 3. LOAD_BLOCK streams of dtype 4 (packed codes) then merge into the top-K
// the reference top-K over the reference PQ6 distances, COMPUTE rescoring the resident
// block for a second query.
import { describe, expect, it } from 'vitest';
import { Prng } from '../hub/prng.ts';
import { blockChunks, blockStream } from '../protocol/block-chunks.ts';
import { TilePort } from '../protocol/tile-port.ts';
import type { LoadParamsMsg } from '../protocol/types.ts';
import { initTile } from '../tile/kernel-calls.ts';
import { fp16BitsToF32 } from '../hub/data/fp16.ts';
import { pq6Distances, pq6Table, pq6VectorBytes } from '../tile/reference/pq6.ts';
import { referenceTopK } from '../tile/reference/topk.ts';
import { readWorkCounters, workDelta } from '../tile/work-counters.ts';
import { TileInstance } from '../tile/tile-instance.ts';
import { BLOCK_PTR, DTYPE_FP16, DTYPE_PQ6, LP_F_FINAL, LP_KIND_PQ6, METRIC_IP, METRIC_L2, MSG_LOAD_BLOCK, MSG_LOAD_PARAMS, PQ6_K } from '../wat/layout.ts';
import * as S from '../wat/status.ts';
import { randomVector } from './kernel-fixtures.ts';

const CODES = BLOCK_PTR;
const OUT = BLOCK_PTR + 0x4000;

interface Shape { dim: number; m: number; query: Uint8Array; codebook: Uint16Array }

function shape(dim: number, m: number, seed: number): Shape {
  const prng = new Prng(seed);
  const query = randomVector(prng, DTYPE_FP16, dim);
  const cb = randomVector(prng, DTYPE_FP16, PQ6_K * dim);
  return { dim, m, query, codebook: new Uint16Array(cb.buffer, cb.byteOffset, PQ6_K * dim) };
}

function port(build: string, s: Shape, withQuery = true): TilePort {
  const tile = new TileInstance(0, build);
  expect(initTile(tile, { dtype: DTYPE_FP16, dim: s.dim, profile: 2 })).toBe(S.OK);
  const p = new TilePort(tile);
  if (withQuery) expect(p.send({ type: 'LOAD_QUERY', msgId: 1, dtype: DTYPE_FP16, metric: METRIC_L2, k: 10, dim: s.dim, vector: s.query }).type).toBe('DONE');
  return p;
}

/** The piece of subspaces first .. first+count-1 as one LOAD_PARAMS kind 3 message. */
function piece(s: Shape, first: number, count: number, msgId = 5): LoadParamsMsg {
  const halves = PQ6_K * (s.dim / s.m);
  const data = new Uint8Array(s.codebook.buffer, s.codebook.byteOffset + first * halves * 2, count * halves * 2).slice();
  return { type: 'LOAD_PARAMS', msgId, kind: LP_KIND_PQ6, flags: LP_F_FINAL, a: s.m, b: first, offset: first * halves * 2, totalBytes: s.m * halves * 2, data };
}

function sendPieces(p: TilePort, s: Shape, per: number): number[] {
  const rows: number[] = [];
  for (let first = 0; first < s.m; first += per) {
    const reply = p.send(piece(s, first, Math.min(per, s.m - first)));
    expect(reply).toMatchObject({ type: 'DONE', requestType: MSG_LOAD_PARAMS });
    rows.push((reply as { value: number }).value);
  }
  return rows;
}

function codes(count: number, m: number, seed: number): Uint8Array {
  const prng = new Prng(seed);
  return Uint8Array.from({ length: count * pq6VectorBytes(m) }, () => prng.nextInt(0, 256));
}

for (const build of ['hot-simd-strict', 'hot-scalar'] as const) {
  describe(`LOAD_PARAMS kind 3 (PQ6 codebook pieces) on ${build}`, () => {
    it.each([
      [64, 8, 1],
      [48, 16, 5],
      [384, 32, 1],
    ])('dim %i M %i, %i subspaces a message: the table the pieces build gives the reference distances', (dim, m, per) => {
      const s = shape(dim, m, dim * 31 + m);
      const p = port(build, s);
      const rows = sendPieces(p, s, per);
      expect(rows).toEqual(Array.from({ length: Math.ceil(m / per) }, (_, i) => Math.min(m, (i + 1) * per)));
      const packed = codes(70, m, m + 3);
      p.tile.bytes.set(packed, CODES);
      expect(p.tile.call('rvf_pq_distances', CODES, 70, OUT)).toBe(S.OK);
      const q = Float32Array.from(new Uint16Array(s.query.buffer, s.query.byteOffset, dim), (h) => fp16BitsToF32(h));
      const want = pq6Distances(pq6Table(q, s.codebook, m, dim), packed, 70, m);
      expect(new Uint32Array(p.tile.memory.buffer.slice(OUT, OUT + 280))).toEqual(new Uint32Array(want.buffer));
    });

    it('refuses a partial subspace, M 0, an out-of-order piece and a piece before the query, each with one ERROR', () => {
      const s = shape(64, 8, 9);
      const p = port(build, s);
      const ragged = piece(s, 0, 1);
      expect(p.send({ ...ragged, data: ragged.data.slice(0, 1000) })).toMatchObject({ type: 'ERROR', code: S.ERR_BAD_MSG_LENGTH, requestType: MSG_LOAD_PARAMS });
      expect(p.send({ ...ragged, a: 0 })).toMatchObject({ type: 'ERROR', code: S.ERR_INVALID_PARAMS });
      expect(p.send({ ...ragged, a: 128 })).toMatchObject({ type: 'ERROR', code: S.ERR_INVALID_PARAMS });
      expect(p.send(piece(s, 1, 1))).toMatchObject({ type: 'ERROR', code: S.ERR_INVALID_PARAMS });
      expect(p.send(piece(s, 0, 1))).toMatchObject({ type: 'DONE', value: 1 });
      expect(p.send(piece(s, 2, 1))).toMatchObject({ type: 'ERROR', code: S.ERR_INVALID_PARAMS });
      // A new query makes the table stale: distances need the pieces again.
      expect(p.send({ type: 'LOAD_QUERY', msgId: 2, dtype: DTYPE_FP16, metric: METRIC_L2, k: 10, dim: 64, vector: s.query }).type).toBe('DONE');
      expect(p.tile.call('rvf_pq_distances', CODES, 1, OUT)).toBe(S.ERR_NO_PARAMS);
      expect(port(build, s, false).send(piece(s, 0, 1))).toMatchObject({ type: 'ERROR', code: S.ERR_NO_QUERY });
    });
  });
}

/** The reference top-k ids of `count` packed code vectors with ids `ids` against `s`'s query. */
function referenceIds(s: Shape, packed: Uint8Array, ids: readonly bigint[], k: number): bigint[] {
  const q = Float32Array.from(new Uint16Array(s.query.buffer, s.query.byteOffset, s.dim), (h) => fp16BitsToF32(h));
  const d = pq6Distances(pq6Table(q, s.codebook, s.m, s.dim), packed, ids.length, s.m);
  const bits = new Uint32Array(d.buffer);
  return referenceTopK(ids.map((id, i) => ({ id, distBits: bits[i]! })), k).map((e) => e.id);
}

function topkIds(p: TilePort): bigint[] {
  const r = p.send({ type: 'READ_TOPK', msgId: 98 });
  if (r.type !== 'TOPK_RESULT') throw new Error(`READ_TOPK: ${JSON.stringify(r)}`);
  return r.entries.map((e) => e.id);
}

for (const build of ['hot-simd-strict', 'hot-scalar-fuel'] as const) {
  describe(`LOAD_BLOCK of PQ6 codes (dtype 4) on ${build}`, () => {
    const s = shape(384, 32, 77);
    const count = 120; // 24 B a vector: one block, two chunks of 1,500 B
    const packed = codes(count, 32, 11);
    const ids = Array.from({ length: count }, (_, i) => BigInt(5000 + 3 * ((i * 37) % count)));
    const chunks = blockChunks(blockStream(packed, ids), { firstMsgId: 20, count, dtype: DTYPE_PQ6, explicitIds: true, chunkDataBytes: 1500 });

    it('merges the reference top-10 over the reference PQ6 distances, counting one distance and M codes a vector', () => {
      const p = port(build, s);
      sendPieces(p, s, 1);
      const before = readWorkCounters(p.tile);
      for (const c of chunks) expect(p.send(c).type).toBe('DONE');
      const delta = workDelta(before, readWorkCounters(p.tile));
      expect(delta.distances).toBe(count);
      expect(delta.pqCodes).toBe(count * 32);
      expect(topkIds(p)).toEqual(referenceIds(s, packed, ids, 10));
    });

    it('COMPUTE rescores the resident block for a second query once its pieces arrived; before them NO_PARAMS', () => {
      const p = port(build, s);
      sendPieces(p, s, 1);
      for (const c of chunks) expect(p.send(c).type).toBe('DONE');
      const s2 = { ...shape(384, 32, 78), codebook: s.codebook };
      expect(p.send({ type: 'LOAD_QUERY', msgId: 3, dtype: DTYPE_FP16, metric: METRIC_L2, k: 10, dim: 384, vector: s2.query }).type).toBe('DONE');
      expect(p.send({ type: 'COMPUTE', msgId: 4, metric: METRIC_L2, k: 10, flags: 0 })).toMatchObject({ type: 'ERROR', code: S.ERR_NO_PARAMS });
      sendPieces(p, s2, 1);
      expect(p.send({ type: 'COMPUTE', msgId: 5, metric: METRIC_IP, k: 10, flags: 0 })).toMatchObject({ type: 'ERROR', code: S.ERR_BAD_METRIC });
      expect(p.send({ type: 'COMPUTE', msgId: 6, metric: METRIC_L2, k: 10, flags: 0 }).type).toBe('DONE');
      expect(topkIds(p)).toEqual(referenceIds(s2, packed, ids, 10));
    });

    it('refuses a PQ6 block before the table is complete (NO_PARAMS) and one whose size is not count x 3M/4 (BAD_COUNT)', () => {
      const p = port(build, s);
      expect(p.send(chunks[0]!)).toMatchObject({ type: 'ERROR', code: S.ERR_NO_PARAMS, requestType: MSG_LOAD_BLOCK });
      sendPieces(p, s, 1);
      expect(p.send({ ...chunks[0]!, totalBytes: chunks[0]!.totalBytes + 8 })).toMatchObject({ type: 'ERROR', code: S.ERR_BAD_COUNT });
    });
  });
}

describe('a Core tile', () => {
  it('refuses a PQ6 block (dtype 4) with BAD_DTYPE', () => {
    const s = shape(64, 8, 4);
    const packed = codes(4, 8, 1);
    const [c] = blockChunks(blockStream(packed), { firstMsgId: 20, count: 4, dtype: DTYPE_PQ6, explicitIds: false });
    expect(port('simd', s).send(c!)).toMatchObject({ type: 'ERROR', code: S.ERR_BAD_DTYPE, requestType: MSG_LOAD_BLOCK });
  });

  it('refuses LOAD_PARAMS kind 3 with INVALID_PARAMS', () => {
    const s = shape(64, 8, 4);
    expect(port('simd', s).send(piece(s, 0, 1))).toMatchObject({ type: 'ERROR', code: S.ERR_INVALID_PARAMS, requestType: MSG_LOAD_PARAMS });
  });
});
