// Bad input to the core query path: every rejected call returns its documented status,
// writes nothing (all tile memory compared byte for byte), and the tile still answers
// correctly afterwards. Run on simd, scalar and simd-strict (the strict build traps on
// any access below the data window, so a passing run also proves no stray access).
import { describe, expect, it } from 'vitest';
import { readWorkCounters, workDelta } from '../tile/work-counters.ts';
import { expectUnchangedExcept, WORK_RANGE } from './helpers/kernel-ext.ts';
import { Prng } from '../hub/prng.ts';
import {
  BLOCK_BYTES, BLOCK_PTR, CFG_DIM, CFG_DTYPE, CONFIG_PTR, DATA_BASE, DIST_PTR, DTYPE_BITS, DTYPE_FP16, DTYPE_I8, IDS_PTR, IO_PTR,
  MAX_BLOCK_VECTORS, MEMORY_BYTES, METRIC_COSINE, METRIC_HAMMING, METRIC_L2, RESULT_BYTES, TEMP_PTR,
} from '../wat/layout.ts';
import * as S from '../wat/status.ts';
import { initTile, loadQuery, mergeIds, placeBlock, readTopK } from '../tile/kernel-calls.ts';
import { kernelOrderDistanceBits } from '../tile/reference/distances.ts';
import { referenceTopK } from '../tile/reference/topk.ts';
import { vectorStrideBytes } from '../tile/reference/vector-layout.ts';
import { TileInstance } from '../tile/tile-instance.ts';
import { ids, randomCase, randomVector, runOnTile, SEED, type KernelCase } from './kernel-fixtures.ts';

const BUILDS = ['simd', 'scalar', 'simd-strict'] as const;

/** A tile with config, query and block loaded and one merge done (fp16, dim 384, 42 vectors). */
function readyTile(build: string): { tile: TileInstance; c: KernelCase } {
  const c = randomCase(new Prng(SEED).derive('bad-input'), 'ready', DTYPE_FP16, 384, METRIC_L2, 42, 10);
  const tile = new TileInstance(0, build);
  runOnTile(tile, c);
  return { tile, c };
}

/** The tile answers a fresh query exactly as the emulation predicts. */
function expectHealthy(tile: TileInstance, seedLabel: string): void {
  const c = randomCase(new Prng(SEED).derive(seedLabel), 'after', DTYPE_I8, 100, METRIC_COSINE, 30, 16);
  const run = runOnTile(tile, c);
  const predicted = c.vectors.map((v) => kernelOrderDistanceBits(c.dtype, c.metric, c.query, v, c.dim));
  expect(Array.from(run.distBits)).toEqual(predicted);
  expect(run.topk.map((e) => e.id)).toEqual(referenceTopK(ids(c).map((id, i) => ({ id, distBits: predicted[i]! })), c.k).map((e) => e.id));
}

/** Calls `bad` and checks its status and that no byte of tile memory changed. */
function expectRejected(tile: TileInstance, status: number, bad: () => number): void {
  const before = tile.bytes.slice();
  expect(bad()).toBe(status);
  const after = tile.bytes;
  const changed = after.findIndex((b, i) => b !== before[i]);
  expect(changed, changed >= 0 ? `byte 0x${changed.toString(16)} changed` : '').toBe(-1);
}

for (const build of BUILDS) {
  describe(`bad input on the ${build} build`, () => {
    it('rvf_load_query refuses a dim above the dtype limit or 0 and accepts the limit', () => {
      const { tile } = readyTile(build);
      for (const [dtype, limit] of [[DTYPE_FP16, 384], [DTYPE_I8, 768], [DTYPE_BITS, 6144]] as const) {
        tile.view.setUint8(CONFIG_PTR + CFG_DTYPE, dtype);
        expectRejected(tile, S.ERR_BAD_DIM, () => tile.call('rvf_load_query', IO_PTR, limit + 1));
        expectRejected(tile, S.ERR_BAD_DIM, () => tile.call('rvf_load_query', IO_PTR, 0));
        expect(tile.call('rvf_load_query', IO_PTR, limit)).toBe(S.OK);
      }
      expectHealthy(tile, 'h1');
    });

    it('rvf_load_query refuses an unknown config dtype', () => {
      const { tile } = readyTile(build);
      for (const dtype of [0, 4, 255]) {
        tile.view.setUint8(CONFIG_PTR + CFG_DTYPE, dtype);
        expectRejected(tile, S.ERR_BAD_DTYPE, () => tile.call('rvf_load_query', IO_PTR, 8));
      }
      expectHealthy(tile, 'h2');
    });

    it('rvf_load_query refuses a query that leaves the tile and accepts one ending at its last byte', () => {
      const { tile } = readyTile(build);
      const raw = 384 * 2;
      for (const ptr of [0, DATA_BASE - 1, DATA_BASE - raw, MEMORY_BYTES - raw + 1, MEMORY_BYTES, -1]) {
        expectRejected(tile, S.ERR_BAD_POINTER, () => tile.call('rvf_load_query', ptr, 384));
      }
      expect(tile.call('rvf_load_query', MEMORY_BYTES - raw, 384)).toBe(S.OK);
      expect(tile.call('rvf_load_query', DATA_BASE, 384)).toBe(S.OK);
      expectHealthy(tile, 'h3');
    });

    it('rvf_load_block refuses counts 0 and above the limit, and a block that does not fit', () => {
      const { tile } = readyTile(build);
      expectRejected(tile, S.ERR_BAD_COUNT, () => tile.call('rvf_load_block', BLOCK_PTR, 0, DTYPE_FP16));
      expectRejected(tile, S.ERR_BAD_COUNT, () => tile.call('rvf_load_block', BLOCK_PTR, 43, DTYPE_FP16)); // 43 x 768 B > 32 KB
      expect(tile.call('rvf_load_block', BLOCK_PTR, 42, DTYPE_FP16)).toBe(S.OK);
      const stride = vectorStrideBytes(DTYPE_FP16, 384);
      expectRejected(tile, S.ERR_BAD_COUNT, () => tile.call('rvf_load_block', BLOCK_PTR + BLOCK_BYTES - stride + 16, 1, DTYPE_FP16));
      expect(tile.call('rvf_load_block', BLOCK_PTR + BLOCK_BYTES - stride, 1, DTYPE_FP16)).toBe(S.OK);
      tile.view.setUint16(CONFIG_PTR + CFG_DIM, 8, true);
      expectRejected(tile, S.ERR_BAD_COUNT, () => tile.call('rvf_load_block', BLOCK_PTR, MAX_BLOCK_VECTORS + 1, DTYPE_I8));
      expect(tile.call('rvf_load_block', BLOCK_PTR, MAX_BLOCK_VECTORS, DTYPE_I8)).toBe(S.OK);
      expectHealthy(tile, 'h4');
    });

    it('rvf_load_block refuses a block outside the block region, an unknown dtype and a bad config dim', () => {
      const { tile } = readyTile(build);
      for (const ptr of [BLOCK_PTR - 8, BLOCK_PTR + BLOCK_BYTES, DATA_BASE, 0, MEMORY_BYTES, -1]) {
        expectRejected(tile, S.ERR_BAD_POINTER, () => tile.call('rvf_load_block', ptr, 1, DTYPE_FP16));
      }
      for (const dtype of [0, 4]) expectRejected(tile, S.ERR_BAD_DTYPE, () => tile.call('rvf_load_block', BLOCK_PTR, 1, dtype));
      tile.view.setUint16(CONFIG_PTR + CFG_DIM, 385, true);
      expectRejected(tile, S.ERR_BAD_DIM, () => tile.call('rvf_load_block', BLOCK_PTR, 1, DTYPE_FP16));
      expect(tile.call('rvf_load_block', BLOCK_PTR, 1, DTYPE_I8)).toBe(S.OK);
      tile.view.setUint16(CONFIG_PTR + CFG_DIM, 0, true);
      expectRejected(tile, S.ERR_BAD_DIM, () => tile.call('rvf_load_block', BLOCK_PTR, 1, DTYPE_I8));
      expectHealthy(tile, 'h5');
    });

    it('rvf_distances refuses unknown metrics, metrics the dtype lacks, and a result range outside the tile', () => {
      const { tile } = readyTile(build);
      for (const metric of [METRIC_HAMMING, 4, 255, -1]) expectRejected(tile, S.ERR_BAD_METRIC, () => tile.call('rvf_distances', metric, DIST_PTR));
      for (const ptr of [0, DATA_BASE - 4, MEMORY_BYTES - 42 * 4 + 1]) expectRejected(tile, S.ERR_BAD_POINTER, () => tile.call('rvf_distances', METRIC_L2, ptr));
      expect(tile.call('rvf_distances', METRIC_L2, MEMORY_BYTES - 42 * 4)).toBe(S.OK);
      expectHealthy(tile, 'h6');
    });

    it('rvf_distances needs a query and a block of the same dtype and padded dim', () => {
      const tile = new TileInstance(0, build);
      expect(initTile(tile, { dtype: DTYPE_BITS, dim: 64 })).toBe(S.OK);
      expectRejected(tile, S.ERR_NO_QUERY, () => tile.call('rvf_distances', METRIC_HAMMING, DIST_PTR));
      const prng = new Prng(SEED).derive('bad-dist');
      expect(loadQuery(tile, DTYPE_BITS, randomVector(prng, DTYPE_BITS, 64), 64)).toBe(S.OK);
      expectRejected(tile, S.ERR_NO_BLOCK, () => tile.call('rvf_distances', METRIC_HAMMING, DIST_PTR));
      expect(placeBlock(tile, DTYPE_I8, 64, [randomVector(prng, DTYPE_I8, 64)])).toBe(S.OK);
      expectRejected(tile, S.ERR_BAD_DTYPE, () => tile.call('rvf_distances', METRIC_HAMMING, DIST_PTR));
      tile.view.setUint16(CONFIG_PTR + CFG_DIM, 65, true); // 9 B -> 16 B stride, the query has 8
      expect(placeBlock(tile, DTYPE_BITS, 65, [randomVector(prng, DTYPE_BITS, 65)])).toBe(S.OK);
      expectRejected(tile, S.ERR_BAD_DIM, () => tile.call('rvf_distances', METRIC_HAMMING, DIST_PTR));
      tile.view.setUint16(CONFIG_PTR + CFG_DIM, 60, true); // 8 B stride again
      expect(placeBlock(tile, DTYPE_BITS, 60, [randomVector(prng, DTYPE_BITS, 60)])).toBe(S.OK);
      for (const metric of [METRIC_L2, METRIC_COSINE]) expectRejected(tile, S.ERR_BAD_METRIC, () => tile.call('rvf_distances', metric, DIST_PTR));
      expect(tile.call('rvf_distances', METRIC_HAMMING, DIST_PTR)).toBe(S.OK);
      expectHealthy(tile, 'h7');
    });

    it('rvf_topk_merge refuses k 0 and 17, counts above the limit and candidates outside the tile', () => {
      const { tile } = readyTile(build);
      for (const k of [0, 17, -1]) expectRejected(tile, S.ERR_BAD_K, () => tile.call('rvf_topk_merge', DIST_PTR, IDS_PTR, 4, k));
      expect(tile.call('rvf_topk_merge', DIST_PTR, IDS_PTR, 4, 16)).toBe(S.OK);
      expect(tile.call('rvf_topk_merge', DIST_PTR, IDS_PTR, 4, 1)).toBe(S.OK);
      expectRejected(tile, S.ERR_BAD_COUNT, () => tile.call('rvf_topk_merge', DIST_PTR, IDS_PTR, MAX_BLOCK_VECTORS + 1, 4));
      expect(tile.call('rvf_topk_merge', DIST_PTR, IDS_PTR, MAX_BLOCK_VECTORS, 4)).toBe(S.OK);
      expectRejected(tile, S.ERR_BAD_POINTER, () => tile.call('rvf_topk_merge', 0, IDS_PTR, 1, 4));
      expectRejected(tile, S.ERR_BAD_POINTER, () => tile.call('rvf_topk_merge', DIST_PTR, MEMORY_BYTES - 8 * 4 + 1, 4, 4));
      expectRejected(tile, S.ERR_BAD_POINTER, () => tile.call('rvf_topk_merge', MEMORY_BYTES - 4 * 4 + 1, IDS_PTR, 4, 4));
      expect(tile.call('rvf_topk_merge', MEMORY_BYTES - 4 * 4, MEMORY_BYTES - 8 * 4, 4, 4)).toBe(S.OK);
      expectHealthy(tile, 'h8');
    });

    it('rvf_topk_read refuses an output range outside the tile and accepts the last 256 B', () => {
      const { tile } = readyTile(build);
      for (const ptr of [0, DATA_BASE - 1, MEMORY_BYTES - RESULT_BYTES + 1, -1]) expectRejected(tile, S.ERR_BAD_POINTER, () => tile.call('rvf_topk_read', ptr));
      expect(tile.call('rvf_topk_read', MEMORY_BYTES - RESULT_BYTES)).toBe(S.OK);
      expect(readTopK(tile, TEMP_PTR).entries.length).toBe(10);
      expectHealthy(tile, 'h9');
    });

    it('rvf_topk_merge with count 0 changes nothing and a re-sent block is idempotent', () => {
      const { tile, c } = readyTile(build);
      const first = readTopK(tile).entries;
      expectRejected(tile, S.OK, () => tile.call('rvf_topk_merge', DIST_PTR, IDS_PTR, 0, 3));
      // The same ids and distances again: the buffer is unchanged, the merge still offered them.
      const beforeResend = tile.bytes.slice();
      const work = readWorkCounters(tile);
      expect(mergeIds(tile, ids(c), c.k)).toBe(S.OK);
      expectUnchangedExcept(tile, beforeResend, [WORK_RANGE]);
      expect(workDelta(work, readWorkCounters(tile))).toMatchObject({ merged: c.vectors.length, distances: 0 });
      expect(readTopK(tile).entries).toEqual(first);
      expect(mergeIds(tile, ids(c), 4)).toBe(S.OK); // a smaller k truncates
      expect(readTopK(tile).entries).toEqual(first.slice(0, 4));
    });
  });
}
