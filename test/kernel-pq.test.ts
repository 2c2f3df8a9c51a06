import { describe, expect, it } from 'vitest';
import { f32ToFp16Bits, fp16BitsToF32 } from '../hub/data/fp16.ts';
import { pqDistances, pqTable } from '../tile/reference/pq.ts';
import type { TileInstance } from '../tile/tile-instance.ts';
import { BLOCK_PTR, DATA_BASE, IO_PTR, MEMORY_BYTES, PQ_CODEBOOK_BYTES, PQ_TABLE_PTR, STATE_PTR, ST_PQ_K, ST_PQ_M, ST_PQ_TABLES, TEMP_PTR } from '../wat/layout.ts';
import { ERR_BAD_COUNT, ERR_BAD_DIM, ERR_BAD_POINTER, ERR_INVALID_INPUT, ERR_INVALID_PARAMS, ERR_NO_PARAMS, ERR_NO_QUERY, ERR_OUT_OF_MEMORY, OK } from '../wat/status.ts';
import { BAD_INPUT_BUILDS, CONFORMANCE_BUILDS, expectUnchangedExcept, initTile, pseudoRandomBytes, snapshot, WORK_RANGE } from './helpers/kernel-ext.ts';

const CB_SRC = BLOCK_PTR; // codebook source
const CODES = BLOCK_PTR + 0x4000;
const OUT = IO_PTR + 1024;

function randomFp16(n: number, seed: number, spread = 4): Uint16Array {
  const b = pseudoRandomBytes(2 * n, seed);
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) out[i] = f32ToFp16Bits(((b[2 * i]! * 256 + b[2 * i + 1]!) / 65536 - 0.5) * spread);
  return out;
}

function queryF32(raw: Uint16Array): Float32Array {
  const q = new Float32Array((raw.length + 7) & ~7);
  raw.forEach((h, i) => (q[i] = fp16BitsToF32(h)));
  return q;
}

interface PqSetup {
  tile: TileInstance;
  query: Uint16Array;
  codebook: Uint16Array;
}

function setup(build: string, dim: number, m: number, k: number, seed = 1): PqSetup {
  const tile = initTile(build, { dim, dtype: 1 });
  const query = randomFp16(dim, seed);
  tile.bytes.set(new Uint8Array(query.buffer), IO_PTR);
  expect(tile.call('rvf_load_query', IO_PTR, dim)).toBe(OK);
  const codebook = randomFp16(k * dim, seed + 100);
  tile.bytes.set(new Uint8Array(codebook.buffer), CB_SRC);
  expect(tile.call('rvf_load_pq_codebook', CB_SRC, m, k)).toBe(OK);
  return { tile, query, codebook };
}

function codesFor(count: number, m: number, k: number, seed: number): Uint8Array {
  return pseudoRandomBytes(count * m, seed).map((b) => b % k);
}

function run(s: PqSetup, codes: Uint8Array, count: number): Float32Array {
  s.tile.bytes.set(codes, CODES);
  expect(s.tile.call('rvf_pq_distances', CODES, count, OUT)).toBe(OK);
  return new Float32Array(s.tile.memory.buffer.slice(OUT, OUT + 4 * count));
}

describe.each(CONFORMANCE_BUILDS)('rvf_pq_distances (%s)', (build) => {
  it.each([
    [64, 8, 16, 'width 8: lane order'],
    [48, 16, 32, 'width 3: sequential'],
    [384, 48, 14, 'width 8 at the fp16 dim limit'],
    [96, 4, 16, 'width 24: lane order over three groups'],
    [16, 8, 256, 'K = 256, table exactly 8 KB'],
    [30, 5, 20, 'width 6 with a padded query'],
  ])('equals the reference for dim %i, M %i, K %i (%s)', (dim, m, k) => {
    const s = setup(build, dim, m, k, dim + m);
    const codes = codesFor(200, m, k, 5);
    const table = pqTable(queryF32(s.query), s.codebook, m, k, dim);
    expect(run(s, codes, 200)).toEqual(pqDistances(table, codes, 200, m, k));
    expect(new Float32Array(s.tile.memory.buffer.slice(PQ_TABLE_PTR, PQ_TABLE_PTR + 4 * m * k))).toEqual(table);
    expect(s.tile.view.getUint32(STATE_PTR + ST_PQ_TABLES, true)).toBe(1);
  });

  it('uses the new query after rvf_load_query and the new codebook after rvf_load_pq_codebook', () => {
    const s = setup(build, 64, 8, 16, 3);
    const codes = codesFor(50, 8, 16, 9);
    run(s, codes, 50);
    const q2 = randomFp16(64, 77);
    s.tile.bytes.set(new Uint8Array(q2.buffer), IO_PTR);
    expect(s.tile.call('rvf_load_query', IO_PTR, 64)).toBe(OK);
    expect(run(s, codes, 50)).toEqual(pqDistances(pqTable(queryF32(q2), s.codebook, 8, 16, 64), codes, 50, 8, 16));
    const cb2 = randomFp16(16 * 64, 78);
    s.tile.bytes.set(new Uint8Array(cb2.buffer), CB_SRC);
    expect(s.tile.call('rvf_load_pq_codebook', CB_SRC, 8, 16)).toBe(OK);
    expect(s.tile.view.getUint32(STATE_PTR + ST_PQ_TABLES, true)).toBe(0);
    expect(run(s, codes, 50)).toEqual(pqDistances(pqTable(queryF32(q2), cb2, 8, 16, 64), codes, 50, 8, 16));
  });

  it('folds a NaN distance (inf - inf in the table) to the canonical NaN', () => {
    const s = setup(build, 16, 2, 4, 5);
    const inf = new Uint16Array([0x7c00]);
    s.tile.bytes.set(new Uint8Array(inf.buffer), IO_PTR);
    s.tile.bytes.set(new Uint8Array(new Uint16Array(15).buffer), IO_PTR + 2);
    expect(s.tile.call('rvf_load_query', IO_PTR, 16)).toBe(OK);
    s.tile.bytes.set(new Uint8Array(inf.buffer), CB_SRC); // centroid 0 of subspace 0 starts with +inf
    expect(s.tile.call('rvf_load_pq_codebook', CB_SRC, 2, 4)).toBe(OK);
    run(s, new Uint8Array([0, 1, 1, 1]), 2);
    expect(s.tile.view.getUint32(OUT, true)).toBe(0x7fc00000);
    expect(s.tile.view.getFloat32(OUT + 4, true)).toBe(Infinity);
  });

  it('gives identical bits in the SIMD and scalar builds', () => {
    const [a, b] = CONFORMANCE_BUILDS.map((bd) => run(setup(bd, 120, 15, 24, 8), codesFor(300, 15, 24, 4), 300));
    expect(a).toEqual(b);
  });
});

describe.each(BAD_INPUT_BUILDS)('PQ errors write nothing (%s)', (build) => {
  function expectStatus(tile: TileInstance, status: number, call: () => number): void {
    const before = snapshot(tile);
    expect(call()).toBe(status);
    expectUnchangedExcept(tile, before);
  }

  it('rvf_load_pq_codebook: K 0 and 257, M 0, M not dividing dim, M above dim are INVALID_PARAMS', () => {
    const tile = initTile(build, { dim: 16 });
    for (const [m, k] of [[8, 0], [8, 257], [0, 4], [3, 4], [32, 4], [-1, 4], [8, -1]] as const) {
      expectStatus(tile, ERR_INVALID_PARAMS, () => tile.call('rvf_load_pq_codebook', CB_SRC, m, k));
    }
    expect(tile.call('rvf_load_pq_codebook', CB_SRC, 16, 1)).toBe(OK);
    expect(tile.view.getUint32(STATE_PTR + ST_PQ_M, true)).toBe(16);
    expect(tile.view.getUint32(STATE_PTR + ST_PQ_K, true)).toBe(1);
  });

  it('rvf_load_pq_codebook: codebook one step over 11 KB or table over 8 KB is OUT_OF_MEMORY, at the limits OK', () => {
    const t352 = initTile(build, { dim: 352 });
    expect(16 * 352 * 2).toBe(PQ_CODEBOOK_BYTES);
    expect(t352.call('rvf_load_pq_codebook', CB_SRC, 44, 16)).toBe(OK);
    expectStatus(t352, ERR_OUT_OF_MEMORY, () => t352.call('rvf_load_pq_codebook', CB_SRC, 44, 17));
    const t16 = initTile(build, { dim: 16 });
    expect(t16.call('rvf_load_pq_codebook', CB_SRC, 8, 256)).toBe(OK);
    expectStatus(t16, ERR_OUT_OF_MEMORY, () => t16.call('rvf_load_pq_codebook', CB_SRC, 16, 256));
  });

  it('rvf_load_pq_codebook: no config dim is BAD_DIM; a source leaving the tile is BAD_POINTER', () => {
    const t0 = initTile(build, { dim: 0 });
    expectStatus(t0, ERR_BAD_DIM, () => t0.call('rvf_load_pq_codebook', CB_SRC, 1, 1));
    const t = initTile(build, { dim: 16 });
    expectStatus(t, ERR_BAD_POINTER, () => t.call('rvf_load_pq_codebook', MEMORY_BYTES - 16 * 16 * 2 + 1, 4, 16));
    expectStatus(t, ERR_BAD_POINTER, () => t.call('rvf_load_pq_codebook', DATA_BASE - 2, 4, 16));
    expect(t.call('rvf_load_pq_codebook', MEMORY_BYTES - 16 * 16 * 2, 4, 16)).toBe(OK);
  });

  it('rvf_pq_distances: no codebook is NO_PARAMS, no query is NO_QUERY', () => {
    const t = initTile(build, { dim: 16 });
    expectStatus(t, ERR_NO_PARAMS, () => t.call('rvf_pq_distances', CODES, 1, OUT));
    expect(t.call('rvf_load_pq_codebook', CB_SRC, 4, 16)).toBe(OK);
    expectStatus(t, ERR_NO_QUERY, () => t.call('rvf_pq_distances', CODES, 1, OUT));
  });

  it('rvf_pq_distances: count 0 is BAD_COUNT; codes or results leaving the tile are BAD_POINTER', () => {
    const s = setup(build, 16, 4, 16);
    s.tile.bytes.fill(0, CODES, CODES + 64);
    expectStatus(s.tile, ERR_BAD_COUNT, () => s.tile.call('rvf_pq_distances', CODES, 0, OUT));
    expectStatus(s.tile, ERR_BAD_COUNT, () => s.tile.call('rvf_pq_distances', CODES, -1, OUT));
    expectStatus(s.tile, ERR_BAD_POINTER, () => s.tile.call('rvf_pq_distances', MEMORY_BYTES - 4 * 3 + 1, 3, OUT));
    expectStatus(s.tile, ERR_BAD_POINTER, () => s.tile.call('rvf_pq_distances', CODES, 3, MEMORY_BYTES - 4 * 3 + 1));
    expectStatus(s.tile, ERR_BAD_POINTER, () => s.tile.call('rvf_pq_distances', CODES, 3, 0));
    expect(s.tile.call('rvf_pq_distances', CODES, 3, MEMORY_BYTES - 12)).toBe(OK);
  });

  it('rvf_pq_distances: a code equal to K anywhere is INVALID_INPUT before the table or results are touched; K-1 is fine', () => {
    const s = setup(build, 16, 4, 16);
    const codes = codesFor(10, 4, 16, 3);
    codes[39] = 16;
    s.tile.bytes.set(codes, CODES);
    expectStatus(s.tile, ERR_INVALID_INPUT, () => s.tile.call('rvf_pq_distances', CODES, 10, OUT));
    s.tile.bytes[CODES + 39] = 15;
    expect(s.tile.call('rvf_pq_distances', CODES, 10, OUT)).toBe(OK);
  });

  it('writes only the results, the table, its flag and the accumulator scratch on success', () => {
    const s = setup(build, 16, 4, 16);
    s.tile.bytes.set(codesFor(5, 4, 16, 3), CODES);
    const before = snapshot(s.tile);
    expect(s.tile.call('rvf_pq_distances', CODES, 5, OUT)).toBe(OK);
    expectUnchangedExcept(s.tile, before, [
      [OUT, OUT + 20],
      [PQ_TABLE_PTR, PQ_TABLE_PTR + 4 * 64],
      [TEMP_PTR, TEMP_PTR + 32],
      [STATE_PTR + ST_PQ_TABLES, STATE_PTR + ST_PQ_TABLES + 4],
      WORK_RANGE,
    ]);
  });
});
