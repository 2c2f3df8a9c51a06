// 1,024-dim fp16 on the Hot image (issue 17): the image's conformance checks at 1,024 dims
// (export level and through rvf_on_message: query chunks, blocks, L2/IP/cosine, top-K, bad
// chunks), the SIMD and scalar builds bit-identical, the work counters counting every one of
// the 1,024 elements, the Hot block region's limit on both sides, and the Core image still
// refusing fp16 above 384 dims.
import { describe, expect, it } from 'vitest';
import { Prng } from '../hub/prng.ts';
import { hotChecks } from '../protocol/conformance/hot-checks.ts';
import { blockChunks, blockStream, padBlockVectors } from '../protocol/block-chunks.ts';
import { LoadQuery } from '../protocol/constants.ts';
import { queryChunks } from '../protocol/messages/query.ts';
import { decodeMessage, decodeTileMessage, encodeMessage } from '../protocol/codec.ts';
import { sealMessage, unsealMessage } from '../protocol/integrity.ts';
import type { HubMessage, TileMessage } from '../protocol/types.ts';
import { MSG_CRC_BYTES } from '../wat/layout.ts';
import type { LoadQueryMsg } from '../protocol/types.ts';
import { computeDistances, initTile, loadQuery, placeBlock } from '../tile/kernel-calls.ts';
import { coreChecks } from '../tile/conformance/core-checks.ts';
import { loadKernel } from '../tile/kernel-module.ts';
import { kernelOrderDistanceBits } from '../tile/reference/distances.ts';
import { TileInstance } from '../tile/tile-instance.ts';
import { readWorkCounters, workDelta } from '../tile/work-counters.ts';
import { BLOCK_PTR, DTYPE_FP16, HOT_IMAGE_MAX_DIM_FP16, LQ_F_MORE, LQ_F_PULL, MAX_DIM_FP16, METRIC_COSINE, METRIC_IP, METRIC_L2 } from '../wat/layout.ts';
import * as S from '../wat/status.ts';
import { randomVector } from './kernel-fixtures.ts';
import { freshPort } from '../protocol/conformance/message-checks.ts';

const HOT = ['hot-simd-strict-fuel', 'hot-scalar-strict-fuel'] as const;
const sink = (): void => {};

describe('the Hot image at 1,024 fp16 dims passes conformance against the reference', () => {
  for (const build of HOT) {
    it(`${build}: every export-level check (fp16 dims up to 1,024) and every Hot message check`, () => {
      const kernel = loadKernel(build);
      const prng = new Prng(5).derive('conformance');
      const checks = [...coreChecks(kernel, prng, sink), ...hotChecks(kernel, prng, sink)];
      expect(checks.filter((c) => !c.pass)).toEqual([]);
      expect(checks.some((c) => c.name.includes('1000,1023,1024'))).toBe(true);
      expect(checks.filter((c) => c.name.startsWith('Hot image: LOAD_QUERY in')).length).toBe(6);
    });
  }

  it('a check that can fail: the Hot checks on a Core image find its refusal instead', () => {
    const core = hotChecks(loadKernel('simd-strict-fuel'), new Prng(5).derive('conformance'), sink);
    expect(core.map((c) => [c.name, c.pass])).toEqual([[`a Core image refuses fp16 LOAD_QUERY above ${MAX_DIM_FP16} dims (BAD_DIM), whole or in chunks`, true]]);
    // The Hot image run as if it were Core is caught: it accepts dim 385.
    const asCore = hotChecks({ ...loadKernel('hot-simd-strict-fuel'), image: 'core' }, new Prng(5).derive('conformance'), sink);
    expect(asCore[0]!.pass).toBe(false);
    expect(asCore[0]!.firstDifference).toMatch(/dim 385: expected ERROR BAD_DIM got .*DONE/);
  });
});

describe('1,024-dim distances', () => {
  it('are bit-identical in the SIMD and scalar Hot builds and equal the reference, for l2, ip and cosine', () => {
    const prng = new Prng(11);
    const dim = HOT_IMAGE_MAX_DIM_FP16;
    const query = randomVector(prng, DTYPE_FP16, dim);
    const vectors = Array.from({ length: 14 }, () => randomVector(prng, DTYPE_FP16, dim));
    for (const metric of [METRIC_L2, METRIC_IP, METRIC_COSINE]) {
      const want = vectors.map((v) => kernelOrderDistanceBits(DTYPE_FP16, metric, query, v, dim) >>> 0);
      for (const build of HOT) {
        const tile = new TileInstance(0, build);
        expect(initTile(tile, { dtype: DTYPE_FP16, dim, metric })).toBe(S.OK);
        expect(loadQuery(tile, DTYPE_FP16, query, dim)).toBe(S.OK);
        expect(placeBlock(tile, DTYPE_FP16, dim, vectors)).toBe(S.OK);
        expect(Array.from(computeDistances(tile, metric, vectors.length).bits), `${build} metric ${metric}`).toEqual(want);
      }
    }
  });

  it('count all 1,024 elements of each distance in the work counters (WK_DIST_ELEMS), and the query chunks their bytes', () => {
    const prng = new Prng(12);
    const dim = HOT_IMAGE_MAX_DIM_FP16;
    const port = freshPort(loadKernel('hot-simd-strict-fuel'), DTYPE_FP16, dim);
    const whole: LoadQueryMsg = { type: 'LOAD_QUERY', msgId: 1, dtype: DTYPE_FP16, metric: METRIC_L2, k: 10, dim, vector: randomVector(prng, DTYPE_FP16, dim) };
    let before = readWorkCounters(port.tile);
    for (const m of queryChunks(whole, LoadQuery.maxDataBytes)) expect(port.send(m).type).toBe('DONE');
    // Two chunks of 1,024 B staged, then rvf_load_query copies the 2,048 B vector to TEMP.
    expect(workDelta(before, readWorkCounters(port.tile))).toMatchObject({ ioBytes: 1024 + 1024 + 2048, messages: 2, distances: 0 });
    const vectors = Array.from({ length: 13 }, () => randomVector(prng, DTYPE_FP16, dim));
    const chunks = blockChunks(blockStream(padBlockVectors(DTYPE_FP16, dim, vectors), vectors.map((_, i) => BigInt(i))), { firstMsgId: 10, count: 13, dtype: DTYPE_FP16, explicitIds: true });
    before = readWorkCounters(port.tile);
    for (const m of chunks) expect(port.send(m).type).toBe('DONE');
    expect(workDelta(before, readWorkCounters(port.tile))).toMatchObject({ distances: 13, distElems: 13 * 1024, merged: 13 });
  });
});

describe('sealed query chunks (integrity mode)', () => {
  it("answer as unsealed ones: the reply the tile keeps in TEMP between messages does not touch the staged chunks", () => {
    const prng = new Prng(14);
    const dim = HOT_IMAGE_MAX_DIM_FP16;
    const whole: LoadQueryMsg = { type: 'LOAD_QUERY', msgId: 1, dtype: DTYPE_FP16, metric: METRIC_COSINE, k: 8, dim, vector: randomVector(prng, DTYPE_FP16, dim) };
    const vectors = Array.from({ length: 12 }, () => randomVector(prng, DTYPE_FP16, dim));
    const messages: HubMessage[] = [
      ...queryChunks(whole, LoadQuery.maxDataBytes - MSG_CRC_BYTES),
      ...blockChunks(blockStream(padBlockVectors(DTYPE_FP16, dim, vectors), vectors.map((_, i) => BigInt(100 + i))), { firstMsgId: 10, count: 12, dtype: DTYPE_FP16, explicitIds: true, chunkDataBytes: 2000 }),
      { type: 'READ_TOPK', msgId: 99 },
    ];
    const run = (sealed: boolean): TileMessage => {
      const port = freshPort(loadKernel('hot-simd-strict-fuel'), DTYPE_FP16, dim);
      let last: TileMessage | undefined;
      for (const [i, m] of messages.entries()) last = decodeTileMessage(unsealMessage(port.exchangeRaw(sealed ? sealMessage(encodeMessage({ ...m, msgId: 1 + i })) : encodeMessage({ ...m, msgId: 1 + i }))));
      return last!;
    };
    const plain = run(false);
    expect(plain.type).toBe('TOPK_RESULT');
    expect(run(true)).toEqual(plain);
    const want = vectors.map((v, i) => ({ id: BigInt(100 + i), bits: kernelOrderDistanceBits(DTYPE_FP16, METRIC_COSINE, whole.vector, v, dim) >>> 0 })).sort((a, b) => a.bits - b.bits || Number(a.id - b.id)).slice(0, 8);
    expect(plain.type === 'TOPK_RESULT' && plain.entries.map((e) => e.id)).toEqual(want.map((w) => w.id));
  });
});

describe('the Hot block region (28 KB, the query takes the last 4 KB)', () => {
  it('holds 14 vectors of 1,024 fp16 dims and refuses 15 (BAD_COUNT) on the Hot image; the Core image refuses 1,024 and 385 dims (BAD_DIM)', () => {
    const prng = new Prng(13);
    const dim = HOT_IMAGE_MAX_DIM_FP16;
    const tile = new TileInstance(0, 'hot-simd-strict-fuel');
    expect(initTile(tile, { dtype: DTYPE_FP16, dim })).toBe(S.OK);
    expect(tile.call('rvf_load_block', BLOCK_PTR, 14, DTYPE_FP16)).toBe(S.OK);
    expect(tile.call('rvf_load_block', BLOCK_PTR, 15, DTYPE_FP16)).toBe(S.ERR_BAD_COUNT);
    const core = new TileInstance(0, 'simd-strict-fuel');
    expect(initTile(core, { dtype: DTYPE_FP16, dim })).toBe(S.OK);
    expect(core.call('rvf_load_block', BLOCK_PTR, 1, DTYPE_FP16)).toBe(S.ERR_BAD_DIM);
    expect(loadQuery(core, DTYPE_FP16, randomVector(prng, DTYPE_FP16, MAX_DIM_FP16 + 1), MAX_DIM_FP16 + 1)).toBe(S.ERR_BAD_DIM);
  });

  it('refuses dim 1,025 on the Hot image and takes 1,024 (rvf_load_query)', () => {
    const tile = new TileInstance(0, 'hot-scalar-strict-fuel');
    expect(initTile(tile, { dtype: DTYPE_FP16, dim: 8 })).toBe(S.OK);
    expect(tile.call('rvf_load_query', BLOCK_PTR, 1024)).toBe(S.OK);
    expect(tile.call('rvf_load_query', BLOCK_PTR, 1025)).toBe(S.ERR_BAD_DIM);
  });
});

describe('query chunks on the wire', () => {
  it('split a 2,048 B query into two 1,024 B chunks (MORE on the first), encode and decode back, and leave a Core-size query whole', () => {
    const vector = new Uint8Array(2048).map((_, i) => i & 0xff);
    const whole: LoadQueryMsg = { type: 'LOAD_QUERY', msgId: 3, dtype: DTYPE_FP16, metric: 0, k: 4, dim: 1024, flags: LQ_F_PULL, vector };
    const chunks = queryChunks(whole, LoadQuery.maxDataBytes);
    expect(chunks.map((c) => [c.offset ?? 0, c.vector.length, c.flags])).toEqual([[0, 1024, LQ_F_PULL | LQ_F_MORE], [1024, 1024, LQ_F_PULL]]);
    for (const c of chunks) expect(decodeMessage(encodeMessage(c))).toEqual({ ...c, vector: c.vector.slice() });
    expect(queryChunks({ ...whole, dim: 384, vector: vector.subarray(0, 768) }, LoadQuery.maxDataBytes)).toHaveLength(1);
    expect(queryChunks(whole, 700).map((c) => c.vector.length)).toEqual([684, 684, 680]);
  });

  it('refuse to encode a chunk that does not end where its flag says', () => {
    const base: LoadQueryMsg = { type: 'LOAD_QUERY', msgId: 4, dtype: DTYPE_FP16, metric: 0, k: 4, dim: 1024, vector: new Uint8Array(1024) };
    expect(() => encodeMessage({ ...base, offset: 1000 })).toThrow(/must end at the vector's 2048 B/);
    expect(() => encodeMessage({ ...base, offset: 1024, flags: LQ_F_MORE })).toThrow(/must end inside/);
  });
});
