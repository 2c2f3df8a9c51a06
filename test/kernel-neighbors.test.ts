import { describe, expect, it } from 'vitest';
import { f32ToFp16Bits } from '../hub/data/fp16.ts';
import { walkState, writeNeighborRecord } from '../tile/conformance/walk-checks.ts';
import { greedyChoice } from '../tile/reference/greedy.ts';
import type { TileInstance } from '../tile/tile-instance.ts';
import {
  BLOCK_PTR, DATA_BASE, DIST_PTR, IO_PTR, MEMORY_BYTES, NEIGHBOR_BYTES, NEIGHBOR_PTR, RESULT_PTR, STATE_PTR,
  ST_NEIGHBOR_COUNT, ST_NEIGHBOR_LAYER, ST_NEIGHBOR_NODE, ST_NEIGHBOR_SET, ST_TOPK_LEN,
} from '../wat/layout.ts';
import { ERR_BAD_COUNT, ERR_BAD_K, ERR_BAD_POINTER, ERR_NO_BLOCK, ERR_NO_QUERY, ERR_UNKNOWN_NODE, OK } from '../wat/status.ts';
import { BAD_INPUT_BUILDS, CONFORMANCE_BUILDS, expectUnchangedExcept, initTile, LAST_STATUS_RANGE, lastStatus, snapshot } from './helpers/kernel-ext.ts';

const DIM = 16;
const RECORD = IO_PTR + 256;

/** A vector whose every element is x (fp16). */
function vec(x: number): Uint16Array {
  return new Uint16Array(DIM).fill(f32ToFp16Bits(x));
}

function walkTile(build: string, k = 8): TileInstance {
  const tile = initTile(build, { dim: DIM, dtype: 1, metric: 0, k });
  tile.bytes.set(new Uint8Array(vec(0).buffer), IO_PTR);
  expect(tile.call('rvf_load_query', IO_PTR, DIM)).toBe(OK);
  return tile;
}

/** Loads the list of node for layer and a block of the neighbors' vectors (value per neighbor). */
function loadStep(tile: TileInstance, node: bigint, layer: number, ids: bigint[], values: number[]): void {
  writeNeighborRecord(tile, RECORD, ids);
  expect(tile.call('rvf_load_neighbors', node, layer, RECORD)).toBe(OK);
  if (values.length === 0) return;
  values.forEach((x, i) => tile.bytes.set(new Uint8Array(vec(x).buffer), BLOCK_PTR + i * DIM * 2));
  expect(tile.call('rvf_load_block', BLOCK_PTR, values.length, 1)).toBe(OK);
}

function topkIds(tile: TileInstance): bigint[] {
  const n = tile.view.getUint32(STATE_PTR + ST_TOPK_LEN, true);
  return Array.from({ length: n }, (_, i) => tile.view.getBigUint64(RESULT_PTR + 16 * i, true));
}

describe.each(CONFORMANCE_BUILDS)('rvf_load_neighbors (%s)', (build) => {
  it('copies the ids and tags the cache with node and layer', () => {
    const tile = initTile(build);
    const ids = [5n, 0xffff_ffff_ffff_fffen, 1n << 40n];
    writeNeighborRecord(tile, RECORD, ids);
    expect(tile.call('rvf_load_neighbors', 1234567890123n, 3, RECORD)).toBe(OK);
    const v = tile.view;
    expect(ids.map((_, i) => v.getBigUint64(NEIGHBOR_PTR + 8 * i, true))).toEqual(ids);
    expect(v.getBigUint64(STATE_PTR + ST_NEIGHBOR_NODE, true)).toBe(1234567890123n);
    expect(v.getUint32(STATE_PTR + ST_NEIGHBOR_LAYER, true)).toBe(3);
    expect(v.getUint32(STATE_PTR + ST_NEIGHBOR_COUNT, true)).toBe(3);
    expect(v.getUint32(STATE_PTR + ST_NEIGHBOR_SET, true)).toBe(1);
  });

  it('accepts 512 ids (the whole 4 KB cache) and an empty list', () => {
    const tile = initTile(build);
    const ids = Array.from({ length: NEIGHBOR_BYTES / 8 }, (_, i) => BigInt(i * 3));
    writeNeighborRecord(tile, BLOCK_PTR, ids);
    expect(tile.call('rvf_load_neighbors', 1n, 0, BLOCK_PTR)).toBe(OK);
    expect(tile.view.getBigUint64(NEIGHBOR_PTR + NEIGHBOR_BYTES - 8, true)).toBe(511n * 3n);
    writeNeighborRecord(tile, RECORD, []);
    expect(tile.call('rvf_load_neighbors', 2n, 0, RECORD)).toBe(OK);
    expect(tile.view.getUint32(STATE_PTR + ST_NEIGHBOR_COUNT, true)).toBe(0);
  });
});

describe.each(CONFORMANCE_BUILDS)('rvf_greedy_step (%s)', (build) => {
  it('moves to the closest neighbor on the first step, merges all neighbors into the top-K and records the move', () => {
    const tile = walkTile(build);
    const ids = [50n, 20n, 30n, 40n];
    loadStep(tile, 7n, 0, ids, [3, 1, 2, 0.5]);
    const state = walkState(tile);
    expect(tile.call('rvf_greedy_step', 7n, 0)).toBe(40n);
    expect(lastStatus(tile)).toBe(OK);
    const dists = new Float32Array(tile.memory.buffer.slice(DIST_PTR, DIST_PTR + 16));
    expect(dists[3]).toBe(DIM * 0.25);
    const choice = greedyChoice(7n, state, ids, dists);
    expect(choice.next).toBe(40n);
    expect(walkState(tile)).toEqual({ curSet: true, curId: 40n, curDist: DIM * 0.25 });
    expect(topkIds(tile)).toEqual([40n, 20n, 30n, 50n]);
  });

  it('breaks equal distances toward the lower id', () => {
    const tile = walkTile(build);
    loadStep(tile, 7n, 0, [90n, 12n, 33n], [1, 1, 1]);
    expect(tile.call('rvf_greedy_step', 7n, 0)).toBe(12n);
  });

  it('stays when no neighbor is strictly closer than the known current node, and keeps accumulating the top-K', () => {
    const tile = walkTile(build);
    loadStep(tile, 7n, 0, [40n, 41n], [0.5, 2]);
    expect(tile.call('rvf_greedy_step', 7n, 0)).toBe(40n);
    loadStep(tile, 40n, 0, [7n, 44n, 45n], [0.5, 0.5, 3]); // 44 ties with 40: not strictly closer
    expect(tile.call('rvf_greedy_step', 40n, 0)).toBe(40n);
    expect(lastStatus(tile)).toBe(OK);
    expect(walkState(tile)).toEqual({ curSet: true, curId: 40n, curDist: DIM * 0.25 });
    expect(topkIds(tile)).toEqual([7n, 40n, 44n, 41n, 45n]);
    loadStep(tile, 40n, 0, [46n], [0.25]);
    expect(tile.call('rvf_greedy_step', 40n, 0)).toBe(46n);
  });

  it('treats the current distance as unknown when the walk was at another node, so it moves', () => {
    const tile = walkTile(build);
    loadStep(tile, 7n, 0, [40n], [0.25]);
    expect(tile.call('rvf_greedy_step', 7n, 0)).toBe(40n);
    loadStep(tile, 9n, 1, [60n], [3]); // walk state says 40, we step from 9
    expect(tile.call('rvf_greedy_step', 9n, 1)).toBe(60n);
  });

  it('returns the current id for an empty list, needing no block', () => {
    const tile = walkTile(build);
    loadStep(tile, 7n, 2, [], []);
    const before = snapshot(tile);
    expect(tile.call('rvf_greedy_step', 7n, 2)).toBe(7n);
    expect(lastStatus(tile)).toBe(OK);
    expectUnchangedExcept(tile, before, [LAST_STATUS_RANGE]);
  });
});

describe.each(BAD_INPUT_BUILDS)('neighbor and greedy errors write nothing (%s)', (build) => {
  it('rvf_load_neighbors: 513 ids is BAD_COUNT; a record or ids leaving the tile is BAD_POINTER', () => {
    const tile = initTile(build);
    tile.view.setUint32(BLOCK_PTR, NEIGHBOR_BYTES / 8 + 1, true);
    const cases: [number, number][] = [
      [BLOCK_PTR, ERR_BAD_COUNT],
      [MEMORY_BYTES - 7, ERR_BAD_POINTER],
      [DATA_BASE - 8, ERR_BAD_POINTER],
    ];
    for (const [ptr, status] of cases) {
      const before = snapshot(tile);
      expect(tile.call('rvf_load_neighbors', 1n, 0, ptr)).toBe(status);
      expectUnchangedExcept(tile, before);
    }
    writeNeighborRecord(tile, MEMORY_BYTES - 8 - 16, [1n, 2n]);
    tile.view.setUint32(MEMORY_BYTES - 24, 3, true); // claims 3 ids, room for 2
    const before = snapshot(tile);
    expect(tile.call('rvf_load_neighbors', 1n, 0, MEMORY_BYTES - 24)).toBe(ERR_BAD_POINTER);
    expectUnchangedExcept(tile, before);
    tile.view.setUint32(MEMORY_BYTES - 24, 2, true);
    expect(tile.call('rvf_load_neighbors', 1n, 0, MEMORY_BYTES - 24)).toBe(OK);
  });

  function expectFailure(tile: TileInstance, node: bigint, layer: number, status: number): void {
    const before = snapshot(tile);
    expect(tile.call('rvf_greedy_step', node, layer)).toBe(-1n);
    expect(lastStatus(tile)).toBe(status);
    expectUnchangedExcept(tile, before, [LAST_STATUS_RANGE]);
  }

  it('rvf_greedy_step: no list, another node or another layer is UNKNOWN_NODE', () => {
    const tile = walkTile(build);
    expectFailure(tile, 0n, 0, ERR_UNKNOWN_NODE); // fresh state: node 0 layer 0 is not cached
    loadStep(tile, 7n, 1, [40n], [1]);
    expectFailure(tile, 8n, 1, ERR_UNKNOWN_NODE);
    expectFailure(tile, 7n, 0, ERR_UNKNOWN_NODE);
    expect(tile.call('rvf_greedy_step', 7n, 1)).toBe(40n);
  });

  it('rvf_greedy_step: no query is NO_QUERY, no block NO_BLOCK, a block of the wrong size BAD_COUNT', () => {
    const noQuery = initTile(build, { dim: DIM, dtype: 1 });
    loadStep(noQuery, 7n, 0, [1n], [1]);
    expectFailure(noQuery, 7n, 0, ERR_NO_QUERY);
    const tile = walkTile(build);
    writeNeighborRecord(tile, RECORD, [1n, 2n]);
    expect(tile.call('rvf_load_neighbors', 7n, 0, RECORD)).toBe(OK);
    expectFailure(tile, 7n, 0, ERR_NO_BLOCK);
    loadStep(tile, 7n, 0, [1n, 2n, 3n], [1, 2]); // 3 ids, block of 2
    expectFailure(tile, 7n, 0, ERR_BAD_COUNT);
    loadStep(tile, 7n, 0, [1n, 2n], [1, 2]);
    expect(tile.call('rvf_greedy_step', 7n, 0)).toBe(1n);
  });

  it('rvf_greedy_step: a config k of 0 or 17 is BAD_K before any distance is written; 16 works', () => {
    for (const [k, ok] of [[0, false], [17, false], [16, true]] as const) {
      const tile = walkTile(build, k);
      loadStep(tile, 7n, 0, [1n], [1]);
      if (ok) expect(tile.call('rvf_greedy_step', 7n, 0)).toBe(1n);
      else expectFailure(tile, 7n, 0, ERR_BAD_K);
    }
  });
});
