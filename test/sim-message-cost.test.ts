import { describe, expect, it } from 'vitest';
import { encodeMessage } from '../protocol/codec.ts';
import { sealMessage } from '../protocol/integrity.ts';
import { blockChunks } from '../protocol/block-chunks.ts';
import { DEFAULT_COST_MODEL as model, blockDistanceCycles, crc32cCycles, ioCopyCycles } from '../sim/cost-model.ts';
import { messageCycles } from '../sim/message-cost.ts';
import { DTYPE_FP16 } from '../wat/layout.ts';

const shape = { dim: 64, metric: 'l2' as const, k: 10, wire: 'fp16' as const };

describe('message cost', () => {
  const [chunk] = blockChunks(new Uint8Array(64 * 2 * 10), { firstMsgId: 1, count: 10, dtype: DTYPE_FP16 });
  const plain = encodeMessage(chunk!);
  const done = (value: number) => encodeMessage({ type: 'DONE', msgId: 1, requestType: 2, value });

  it('charges the distances a final chunk computed, as its DONE reports them', () => {
    const computed = messageCycles(model, shape, plain, done(10), 0) - messageCycles(model, shape, plain, done(0), 0);
    expect(computed).toBeGreaterThanOrEqual(blockDistanceCycles(model, 'fp16', 64, 'l2', 10));
  });

  it('charges a sealed message the same work plus its CRC32C check and the reply seal', () => {
    const sealed = sealMessage(plain);
    const sealedDone = sealMessage(done(10));
    const extra = messageCycles(model, shape, sealed, sealedDone, 0) - messageCycles(model, shape, plain, done(10), 0);
    const expected = crc32cCycles(model, plain.length) + crc32cCycles(model, sealedDone.length) + ioCopyCycles(model, sealed.length) - ioCopyCycles(model, plain.length);
    expect(extra).toBe(expected);
  });
});
