// LOAD_BLOCK flag FRESH_TOPK (0x20, push-hnsw): on the FINAL chunk the tile empties its
// top-K before the merge, keeping the loaded query, so READ_TOPK returns exactly the
// block's distances. Without the flag the block merges into what is already there.
import { describe, expect, it } from 'vitest';
import { blockChunks, blockStream, padBlockVectors } from '../protocol/block-chunks.ts';
import { decodeMessage, encodeMessage } from '../protocol/codec.ts';
import { BLOCK_FLAGS_KNOWN, HEADER_BYTES, LoadBlock } from '../protocol/constants.ts';
import type { HubMessage, LoadBlockMsg } from '../protocol/types.ts';
import { referenceTopK } from '../tile/reference/topk.ts';
import { kernelOrderDistanceBits } from '../tile/reference/distances.ts';
import { DTYPE_FP16, LB_F_FRESH_TOPK, METRIC_L2 } from '../wat/layout.ts';
import { asCandidates, freshPort, msgId, pushCase, queryMessage, readTopK, sendAllDone, type PushBlock, type PushCase } from './protocol-fixtures.ts';

const BUILDS = ['simd', 'scalar'] as const;

function batchMessages(c: PushCase, b: PushBlock, freshTopk: boolean): HubMessage[] {
  const stream = blockStream(padBlockVectors(c.dtype, c.dim, b.vectors), b.ids);
  return blockChunks(stream, { firstMsgId: msgId(), count: b.vectors.length, dtype: c.dtype, explicitIds: true, verifyCrc: true, freshTopk }).map((m) => ({ ...m, msgId: msgId() }));
}

function distancesOf(c: PushCase, blocks: PushBlock[], k: number) {
  const all = blocks.flatMap((b) => b.vectors.map((v, i) => ({ id: b.ids[i]!, distBits: kernelOrderDistanceBits(c.dtype, c.metric, c.query, v, c.dim) })));
  return referenceTopK(all, k);
}

describe('LOAD_BLOCK FRESH_TOPK', () => {
  it('survives the codec on every chunk, and the codec refuses the first block flag it does not define', () => {
    const c = pushCase(30, DTYPE_FP16, 384, METRIC_L2, 4, [5]);
    const chunks = batchMessages(c, c.blocks[0]!, true);
    expect(chunks.length).toBeGreaterThan(1);
    for (const m of chunks) expect((decodeMessage(encodeMessage(m)) as LoadBlockMsg).flags & LB_F_FRESH_TOPK).toBe(LB_F_FRESH_TOPK);
    const undefinedFlag = BLOCK_FLAGS_KNOWN + 1; // the known flags are the low bits
    const first = chunks[0] as LoadBlockMsg;
    const bytes = encodeMessage(first);
    bytes[HEADER_BYTES + LoadBlock.flags]! |= undefinedFlag;
    expect(() => decodeMessage(bytes)).toThrow(`unknown block flags 0x${(first.flags | undefinedFlag).toString(16)}`);
  });

  for (const build of BUILDS) {
    it(`makes READ_TOPK return exactly each batch's distances, the query loaded once, on ${build}`, () => {
      // 384-dim fp16, k 16: batches of 16, 16 and 5 vectors with explicit ids (a push-hnsw round).
      const c = pushCase(31, DTYPE_FP16, 384, METRIC_L2, 16, [16, 16, 5]);
      const batches = c.blocks.map((b) => ({ ...b, explicitIds: true }));
      const port = freshPort(build, c.dtype, c.dim);
      sendAllDone(port, [queryMessage(c)]);
      for (const b of batches) {
        const chunks = batchMessages(c, b, true);
        expect(chunks.length).toBeGreaterThan(1);
        expect(chunks.every((m) => ((m as LoadBlockMsg).flags & LB_F_FRESH_TOPK) !== 0)).toBe(true);
        sendAllDone(port, chunks);
        const got = asCandidates(readTopK(port));
        expect(got).toHaveLength(b.vectors.length);
        expect(got).toEqual(distancesOf(c, [b], 16));
      }
    });

    it(`without FRESH_TOPK merges each batch into the previous ones, on ${build}`, () => {
      const c = pushCase(32, DTYPE_FP16, 128, METRIC_L2, 16, [12, 12]);
      const batches = c.blocks.map((b) => ({ ...b, explicitIds: true }));
      const port = freshPort(build, c.dtype, c.dim);
      sendAllDone(port, [queryMessage(c)]);
      for (const b of batches) sendAllDone(port, batchMessages(c, b, false));
      expect(asCandidates(readTopK(port))).toEqual(distancesOf(c, batches, 16));
    });

    it(`acknowledges a re-sent FINAL chunk without emptying the top-K again, on ${build}`, () => {
      const c = pushCase(33, DTYPE_FP16, 384, METRIC_L2, 16, [16, 9]);
      const [first, second] = c.blocks.map((b) => ({ ...b, explicitIds: true }));
      const port = freshPort(build, c.dtype, c.dim);
      sendAllDone(port, [queryMessage(c)]);
      sendAllDone(port, batchMessages(c, first!, true));
      const chunks = batchMessages(c, second!, true);
      sendAllDone(port, chunks);
      // The FINAL chunk's DONE was lost: the hub sends it again.
      const again = sendAllDone(port, [{ ...chunks[chunks.length - 1]!, msgId: msgId() }]);
      expect(again[0]!.type === 'DONE' && again[0]!.value).toBe(0);
      expect(asCandidates(readTopK(port))).toEqual(distancesOf(c, [second!], 16));
    });
  }
});
