import { beforeAll, describe, expect, it } from 'vitest';
import { f32ToFp16Bits, fp16BitsToF32 } from '../hub/data/fp16.ts';
import { packPq6 } from '../hub/pq6/pack-codes.ts';
import { pq6Distances, pq6Table, pq6VectorBytes, unpackPq6 } from '../tile/reference/pq6.ts';
import { referenceTopK } from '../tile/reference/topk.ts';
import type { LoadedKernel } from '../tile/kernel-module.ts';
import { TileInstance } from '../tile/tile-instance.ts';
import {
  BLOCK_PTR, CFG_DIM, CFG_DTYPE, CFG_K, CFG_METRIC, CFG_PROFILE, CONFIG_BYTES, IO_PTR, MEMORY_BYTES, PQ_TABLE_PTR, PQ6_K, PQ6_MAX_M,
  RESULT_PTR, STATE_PTR, ST_PQ_TABLES, PQ6_STATE_ROWS_SHIFT, PQ6_STATE_M_SHIFT, PQ6_GROUP_ROW_BYTES, WK_DIST_ELEMS, WK_DISTANCES, WK_PQ_CODES, WORK_PTR, PQ_TABLES_PQ6,
} from '../wat/layout.ts';
import { ERR_BAD_COUNT, ERR_BAD_DIM, ERR_BAD_POINTER, ERR_INVALID_PARAMS, ERR_NO_PARAMS, ERR_NO_QUERY, OK } from '../wat/status.ts';
import { expectUnchangedExcept, pseudoRandomBytes, snapshot, WORK_RANGE } from './helpers/kernel-ext.ts';
import { HOT_BUILDS, hotKernel, type HotBuild } from './helpers/hot-pq6-kernel.ts';

const CB = BLOCK_PTR; // codebook pieces
const CODES = BLOCK_PTR + 0x6000;
const OUT = IO_PTR + 1024;
const kernels = new Map<HotBuild, LoadedKernel>();

beforeAll(async () => {
  for (const b of HOT_BUILDS) kernels.set(b, await hotKernel(b));
}, 120_000);

function tileOf(build: HotBuild, dim: number): TileInstance {
  const tile = new TileInstance(0, kernels.get(build)!);
  tile.bytes.fill(0, IO_PTR, IO_PTR + CONFIG_BYTES);
  tile.view.setUint8(IO_PTR + CFG_PROFILE, 2);
  tile.view.setUint8(IO_PTR + CFG_DTYPE, 1);
  tile.view.setUint8(IO_PTR + CFG_METRIC, 0);
  tile.view.setUint8(IO_PTR + CFG_K, 10);
  tile.view.setUint16(IO_PTR + CFG_DIM, dim, true);
  expect(tile.call('rvf_init', IO_PTR)).toBe(OK);
  return tile;
}

function randomFp16(n: number, seed: number): Uint16Array {
  const b = pseudoRandomBytes(2 * n, seed);
  return Uint16Array.from({ length: n }, (_, i) => f32ToFp16Bits(((b[2 * i]! * 256 + b[2 * i + 1]!) / 65536 - 0.5) * 4));
}

function queryF32(raw: Uint16Array): Float32Array {
  return Float32Array.from(raw, (h) => fp16BitsToF32(h));
}

interface Setup { tile: TileInstance; query: Uint16Array; codebook: Uint16Array; dim: number; m: number }

/** A tile with a query loaded and the whole table built, `per` subspaces a piece. */
function setup(build: HotBuild, dim: number, m: number, per = m, seed = 1): Setup {
  const tile = tileOf(build, dim);
  const query = randomFp16(dim, seed);
  tile.bytes.set(new Uint8Array(query.buffer), IO_PTR);
  expect(tile.call('rvf_load_query', IO_PTR, dim)).toBe(OK);
  const codebook = randomFp16(PQ6_K * dim, seed + 100);
  const rowHalves = PQ6_K * (dim / m);
  for (let first = 0; first < m; first += per) {
    const count = Math.min(per, m - first);
    tile.bytes.set(new Uint8Array(codebook.buffer, first * rowHalves * 2, count * rowHalves * 2), CB);
    expect(tile.call('rvf_load_pq_codebook', CB, m, first, count)).toBe(OK);
  }
  return { tile, query, codebook, dim, m };
}

function randomCodes(count: number, m: number, seed: number): Uint8Array {
  return packPq6(pseudoRandomBytes(count * m, seed).map((b) => b & 63), count, m);
}

function run(s: Setup, packed: Uint8Array, count: number): Float32Array {
  s.tile.bytes.set(packed, CODES);
  expect(s.tile.call('rvf_pq_distances', CODES, count, OUT)).toBe(OK);
  return new Float32Array(s.tile.memory.buffer.slice(OUT, OUT + 4 * count));
}

describe('6-bit code packing', () => {
  it('puts code 4i + j in bits 6j..6j+5 of the little-endian 3-byte group, and the reference unpacks it', () => {
    expect([...packPq6(new Uint8Array([1, 2, 3, 63]), 1, 4)]).toEqual([0x81, 0x30, 0xfc]);
    const codes = pseudoRandomBytes(40 * 12, 3).map((b) => b & 63);
    expect(unpackPq6(packPq6(codes, 40, 12), 40, 12)).toEqual(codes);
    expect(pq6VectorBytes(32)).toBe(24);
  });
  it('refuses a code above 63 and an M that is not a multiple of 4', () => {
    expect(() => packPq6(new Uint8Array([64, 0, 0, 0]), 1, 4)).toThrow(/code 0 is 64, above 63/);
    expect(() => packPq6(new Uint8Array(6), 1, 6)).toThrow(/multiple of 4/);
  });
});

describe.each(['hot-simd', 'hot-scalar'] as const)('Hot rvf_load_pq_codebook + rvf_pq_distances (PQ 6-bit) (%s)', (build) => {
  it.each([
    [64, 8, 8, 'width 8: lane order, one piece'],
    [384, 24, 1, 'width 16, one subspace a piece'],
    [384, 32, 5, 'width 12: sequential, pieces of 5'],
    [96, 4, 3, 'width 24, pieces of 3 then 1'],
    [128, 32, 7, 'width 4, M 32: the table fills its 8 KB'],
    [384, 16, 4, 'width 24 at the Core fp16 dim limit'],
    [20, 4, 4, 'width 5'],
  ])('equals the reference for dim %i, M %i, %i subspaces a piece (%s)', (dim, m, per) => {
    const s = setup(build, dim, m, per, dim + m);
    const packed = randomCodes(130, m, 5);
    const table = pq6Table(queryF32(s.query), s.codebook, m, dim);
    expect(new Float32Array(s.tile.memory.buffer.slice(PQ_TABLE_PTR, PQ_TABLE_PTR + 4 * m * PQ6_K))).toEqual(table);
    expect(run(s, packed, 130)).toEqual(pq6Distances(table, packed, 130, m));
  });

  it('counts the work it does: 64 x dim table elements, one distance and M code steps per vector', () => {
    const s = setup(build, 384, 24, 4);
    const before = [WK_DIST_ELEMS, WK_DISTANCES, WK_PQ_CODES].map((o) => s.tile.view.getUint32(WORK_PTR + o, true));
    expect(before[0]).toBe(64 * 384);
    run(s, randomCodes(100, 24, 9), 100);
    const after = [WK_DIST_ELEMS, WK_DISTANCES, WK_PQ_CODES].map((o) => s.tile.view.getUint32(WORK_PTR + o, true));
    expect(after.map((v, i) => v - before[i]!)).toEqual([0, 100, 2400]);
  });

  it('merges into the top-K like any distances, ties to the lower id', () => {
    const s = setup(build, 64, 8);
    const packed = randomCodes(50, 8, 11);
    packed.copyWithin(6 * 7, 0, 6); // vector 7 repeats vector 0: a tie
    const dist = run(s, packed, 50);
    const ids = new BigUint64Array(Array.from({ length: 50 }, (_, i) => BigInt(1000 - i)));
    s.tile.bytes.set(new Uint8Array(ids.buffer), IO_PTR);
    expect(s.tile.call('rvf_topk_merge', OUT, IO_PTR, 50, 10)).toBe(OK);
    const bits = new Uint32Array(dist.buffer);
    const want = referenceTopK(Array.from({ length: 50 }, (_, i) => ({ id: ids[i]!, distBits: bits[i]! })), 10);
    const got = Array.from({ length: 10 }, (_, i) => s.tile.view.getBigUint64(RESULT_PTR + 16 * i, true));
    expect(got).toEqual(want.map((e) => e.id));
    expect(dist[7]).toBe(dist[0]);
  });
});

describe.each(HOT_BUILDS)('Hot rvf_load_pq_codebook and rvf_pq_distances (PQ 6-bit) refuse bad input (%s)', (build) => {
  it('refuses before writing: no query, bad M, bad piece, out-of-order piece, bad pointer', () => {
    const tile = tileOf(build, 64);
    expect(tile.call('rvf_load_pq_codebook', CB, 8, 0, 8)).toBe(ERR_NO_QUERY);
    const q = randomFp16(64, 2);
    tile.bytes.set(new Uint8Array(q.buffer), IO_PTR);
    expect(tile.call('rvf_load_query', IO_PTR, 64)).toBe(OK);
    const loaded = snapshot(tile);
    for (const [m, first, count] of [[0, 0, 1], [2, 0, 2], [6, 0, 6], [36, 0, 1], [PQ6_MAX_M + 4, 0, 1], [12, 0, 12], [8, 0, 0], [8, 0, 9], [8, 7, 2], [8, 1, 1], [8, -1, 2]]) {
      expect(tile.call('rvf_load_pq_codebook', CB, m!, first!, count!), `M ${m} first ${first} count ${count}`).toBe(ERR_INVALID_PARAMS);
    }
    expect(tile.call('rvf_load_pq_codebook', MEMORY_BYTES - 100, 8, 0, 1)).toBe(ERR_BAD_POINTER);
    expect(tile.call('rvf_load_pq_codebook', 0, 8, 0, 1)).toBe(ERR_BAD_POINTER);
    expect(tile.call('rvf_pq_distances', CODES, 1, OUT)).toBe(ERR_NO_PARAMS);
    expectUnchangedExcept(tile, loaded);
    // A partial table is not a table; a piece that skips a row is refused.
    expect(tile.call('rvf_load_pq_codebook', CB, 8, 0, 4)).toBe(OK);
    expect(tile.call('rvf_pq_distances', CODES, 1, OUT)).toBe(ERR_NO_PARAMS);
    expect(tile.call('rvf_load_pq_codebook', CB, 8, 5, 3)).toBe(ERR_INVALID_PARAMS);
    expect(tile.call('rvf_load_pq_codebook', CB, 16, 4, 4)).toBe(ERR_INVALID_PARAMS);
    expect(tile.call('rvf_load_pq_codebook', CB, 8, 4, 4)).toBe(OK);
    expect(tile.view.getUint32(STATE_PTR + ST_PQ_TABLES, true)).toBe(PQ_TABLES_PQ6 | (8 << PQ6_STATE_ROWS_SHIFT) | (8 << PQ6_STATE_M_SHIFT));
    const built = snapshot(tile);
    expect(tile.call('rvf_pq_distances', CODES, 0, OUT)).toBe(ERR_BAD_COUNT);
    expect(tile.call('rvf_pq_distances', CODES, MEMORY_BYTES + 1, OUT)).toBe(ERR_BAD_COUNT);
    expect(tile.call('rvf_pq_distances', MEMORY_BYTES - 5, 1, OUT)).toBe(ERR_BAD_POINTER);
    expect(tile.call('rvf_pq_distances', CODES, 2, MEMORY_BYTES - 4)).toBe(ERR_BAD_POINTER);
    expectUnchangedExcept(tile, built);
    // At the limits: the last 6 bytes of the tile are one code vector, the last 4 one result.
    expect(tile.call('rvf_pq_distances', MEMORY_BYTES - 6, 1, MEMORY_BYTES - 4)).toBe(OK);
  });

  it('refuses a query of another dim than the config and the widest M one past the table', () => {
    const tile = tileOf(build, 256);
    const q = randomFp16(128, 2);
    tile.bytes.set(new Uint8Array(q.buffer), IO_PTR);
    expect(tile.call('rvf_load_query', IO_PTR, 128)).toBe(OK);
    expect(tile.call('rvf_load_pq_codebook', CB, 8, 0, 1)).toBe(ERR_BAD_DIM);
    const t2 = tileOf(build, 128);
    t2.bytes.set(new Uint8Array(q.buffer), IO_PTR);
    expect(t2.call('rvf_load_query', IO_PTR, 128)).toBe(OK);
    expect(t2.call('rvf_load_pq_codebook', CB, 32, 0, 1)).toBe(OK); // M 32: the table fills 8 KB
    expect(t2.call('rvf_load_pq_codebook', CB, 64, 0, 1)).toBe(ERR_INVALID_PARAMS);
  });
});

describe('the PQ6 table goes stale with its query', () => {
  it('LOAD_QUERY and RESET messages clear it; a Core PQ call takes the area over', () => {
    const s = setup('hot-simd', 64, 8);
    expect(s.tile.view.getUint32(STATE_PTR + ST_PQ_TABLES, true)).toBe(PQ_TABLES_PQ6 | (8 << PQ6_STATE_ROWS_SHIFT) | (8 << PQ6_STATE_M_SHIFT));
    // RESET through the dispatcher: type 7, no payload.
    s.tile.view.setUint16(IO_PTR, 7, true);
    s.tile.view.setUint16(IO_PTR + 2, 0, true);
    s.tile.view.setUint32(IO_PTR + 4, 1, true);
    s.tile.call('rvf_on_message');
    expect(s.tile.view.getUint32(STATE_PTR + ST_PQ_TABLES, true)).toBe(0);
    expect(s.tile.call('rvf_pq_distances', CODES, 1, OUT)).toBe(ERR_NO_PARAMS);
  });
});

describe('the PQ6 lookup loop', () => {
  it('relies on a table area aligned to the 1 KB a group of four rows spans', () => {
    expect(PQ_TABLE_PTR % PQ6_GROUP_ROW_BYTES).toBe(0);
    expect(PQ6_GROUP_ROW_BYTES).toBe(1024);
  });
});
