import { describe, expect, it } from 'vitest';
import { blockChunks, blockStream, padBlockVectors } from '../protocol/block-chunks.ts';
import { decodeTileMessage, encodeMessage } from '../protocol/codec.ts';
import { ProtocolError } from '../protocol/errors.ts';
import { sealMessage, unsealMessage } from '../protocol/integrity.ts';
import type { HubMessage } from '../protocol/types.ts';
import { CFG_F_REQUIRE_MSG_CRC, CFG_FLAGS, CONFIG_PTR, DTYPE_FP16, IO_BYTES, METRIC_L2, MSG_CRC_BYTES, MSG_HEADER_BYTES } from '../wat/layout.ts';
import * as S from '../wat/status.ts';
import { asCandidates, expectedTopK, firstDifference, freshPort, msgId, pushCase, queryMessage, readTopK, snapshot } from './protocol-fixtures.ts';
import type { TilePort } from '../protocol/tile-port.ts';

const SEALED_CHUNK = IO_BYTES - MSG_HEADER_BYTES - 24 - MSG_CRC_BYTES; // 2,012 B of block data

function exchangeSealed(port: TilePort, m: HubMessage) {
  const reply = port.exchangeRaw(sealMessage(encodeMessage(m)));
  expect(reply[1]! & 0x40, 'the reply to a sealed request is sealed').toBe(0x40);
  return decodeTileMessage(reply);
}

function chunks(c: ReturnType<typeof pushCase>, b = 0) {
  const block = c.blocks[b]!;
  const stream = blockStream(padBlockVectors(c.dtype, c.dim, block.vectors), block.explicitIds ? block.ids : undefined);
  return blockChunks(stream, {
    firstMsgId: 0,
    count: block.vectors.length,
    dtype: c.dtype,
    firstId: block.explicitIds ? 0n : block.ids[0]!,
    explicitIds: block.explicitIds,
    verifyCrc: true,
    chunkDataBytes: SEALED_CHUNK,
  }).map((m) => ({
    ...m,
    msgId: msgId(),
  }));
}

describe('message integrity', () => {
  for (const build of ['simd', 'scalar', 'simd-strict']) {
    it(`runs a sealed push flow to the reference top-K, every reply sealed (${build})`, () => {
      const c = pushCase(31, DTYPE_FP16, 384, METRIC_L2, 10, [40, 17]);
      const port = freshPort(build, c.dtype, c.dim);
      expect(exchangeSealed(port, queryMessage(c)).type).toBe('DONE');
      for (let b = 0; b < c.blocks.length; b++) for (const m of chunks(c, b)) expect(exchangeSealed(port, m).type).toBe('DONE');
      const top = exchangeSealed(port, { type: 'READ_TOPK', msgId: msgId() });
      expect(top.type === 'TOPK_RESULT' && asCandidates(top.entries)).toEqual(expectedTopK(c));
    });

    it(`answers a sealed message with a flipped bit by BAD_MSG_CRC and changes nothing (${build})`, () => {
      const c = pushCase(32, DTYPE_FP16, 64, METRIC_L2, 5, [30]);
      const port = freshPort(build, c.dtype, c.dim);
      exchangeSealed(port, queryMessage(c));
      for (let bit = 0; bit < 64; bit += 7) {
        const wire = sealMessage(encodeMessage(queryMessage(c)));
        wire[MSG_HEADER_BYTES + 8 + bit] = wire[MSG_HEADER_BYTES + 8 + bit]! ^ (1 << (bit % 8));
        const before = snapshot(port);
        const reply = decodeTileMessage(port.exchangeRaw(wire));
        expect(reply.type === 'ERROR' && S.statusName(reply.code)).toBe('BAD_MSG_CRC');
        expect(firstDifference(before, snapshot(port))).toBe(-1);
      }
    });
  }

  it('refuses unsealed messages when the config requires a CRC on every message', () => {
    const c = pushCase(33, DTYPE_FP16, 32, METRIC_L2, 3, [8]);
    const port = freshPort('simd', c.dtype, c.dim);
    port.tile.bytes[CONFIG_PTR + CFG_FLAGS] = CFG_F_REQUIRE_MSG_CRC;
    const reply = port.send(queryMessage(c));
    expect(reply.type === 'ERROR' && S.statusName(reply.code)).toBe('BAD_MSG_CRC');
    expect(exchangeSealed(port, queryMessage(c)).type).toBe('DONE');
  });

  it('refuses a sealed message whose trailer would overrun the I/O buffer', () => {
    const c = pushCase(34, DTYPE_FP16, 384, METRIC_L2, 3, [42]);
    const port = freshPort('simd', c.dtype, c.dim);
    const full = encodeMessage(blockChunks(blockStream(padBlockVectors(c.dtype, c.dim, c.blocks[0]!.vectors)), { firstMsgId: 9, count: 42, dtype: c.dtype })[0]!);
    const wire = new Uint8Array(IO_BYTES);
    wire.set(full.subarray(0, IO_BYTES));
    wire[1] = wire[1]! | 0x40;
    const reply = decodeTileMessage(port.exchangeRaw(wire));
    expect(reply.type === 'ERROR' && S.statusName(reply.code)).toBe('BAD_MSG_LENGTH');
  });

  it('lets the hub detect a reply corrupted on its way back', () => {
    const sealed = sealMessage(encodeMessage({ type: 'DONE', msgId: 4, requestType: 2, value: 7 } as never));
    sealed[MSG_HEADER_BYTES + 4] = sealed[MSG_HEADER_BYTES + 4]! ^ 0x10;
    expect(() => unsealMessage(sealed)).toThrow(ProtocolError);
    expect(() => unsealMessage(sealed)).toThrow(/bad-crc/);
  });
});

describe('re-sent chunks', () => {
  it('acknowledge a repeated chunk without staging it twice, and a repeated final chunk without merging again', () => {
    const c = pushCase(35, DTYPE_FP16, 384, METRIC_L2, 10, [42]);
    const port = freshPort('simd', c.dtype, c.dim);
    port.send(queryMessage(c));
    const ms = chunks(c);
    expect(ms.length).toBeGreaterThan(2);
    port.send(ms[0]!);
    port.send(ms[1]!);
    const before = snapshot(port);
    const again = port.send({ ...ms[1]!, msgId: msgId() });
    expect(again.type).toBe('DONE');
    expect(firstDifference(before, snapshot(port))).toBe(-1);
    for (const m of ms.slice(2)) port.send(m);
    const top = readTopK(port);
    const last = ms[ms.length - 1]!;
    const repeat = port.send({ ...last, msgId: msgId() });
    expect(repeat.type === 'DONE' && repeat.value).toBe(0);
    expect(readTopK(port)).toEqual(top);
    expect(asCandidates(top)).toEqual(expectedTopK(c));
  });

  it('still refuses a chunk that skips ahead or belongs to another stream', () => {
    const c = pushCase(36, DTYPE_FP16, 384, METRIC_L2, 10, [42]);
    const port = freshPort('simd', c.dtype, c.dim);
    const ms = chunks(c);
    port.send(ms[0]!);
    const skip = port.send(ms[2]!);
    expect(skip.type === 'ERROR' && S.statusName(skip.code)).toBe('BAD_OFFSET');
    const other = port.send({ ...ms[0]!, offset: 0, msgId: msgId() });
    expect(other.type).toBe('DONE');
    const wrongStream = port.send({ ...ms[1]!, crc32c: (ms[1]!.crc32c ^ 1) >>> 0, msgId: msgId() });
    expect(wrongStream.type === 'DONE').toBe(true); // offset 2012 continues the staged stream: a new chunk, not a repeat
  });
});

describe('re-sent sealed requests', () => {
  it('are answered again from the kept reply, not run twice', () => {
    const c = pushCase(37, DTYPE_FP16, 64, METRIC_L2, 5, [30]);
    const port = freshPort('simd', c.dtype, c.dim);
    const query = sealMessage(encodeMessage(queryMessage(c)));
    const first = port.exchangeRaw(query);
    for (const m of chunks(c)) exchangeSealed(port, m);
    const read = sealMessage(encodeMessage({ type: 'READ_TOPK', msgId: msgId() }));
    const before = port.exchangeRaw(read);
    const topk = decodeTileMessage(before);
    expect(topk.type === 'TOPK_RESULT' && topk.entries.length).toBe(5);
    // The same READ_TOPK again: the same bytes back.
    expect(port.exchangeRaw(read)).toEqual(before);
    // The LOAD_QUERY again after a newer request: it runs (it is not the last one) and
    // starts a new query, emptying the top-K, as any new request would.
    expect(decodeTileMessage(port.exchangeRaw(query)).type).toBe('DONE');
    expect(first.length).toBeGreaterThan(0);
    const after = decodeTileMessage(port.exchangeRaw(sealMessage(encodeMessage({ type: 'READ_TOPK', msgId: msgId() }))));
    expect(after.type === 'TOPK_RESULT' && after.entries.length).toBe(0);
  });

  it('replays only a request that passed its CRC check', () => {
    const c = pushCase(38, DTYPE_FP16, 64, METRIC_L2, 5, [30]);
    const port = freshPort('simd', c.dtype, c.dim);
    const m = queryMessage(c);
    const good = sealMessage(encodeMessage(m));
    const bad = good.slice();
    bad[MSG_HEADER_BYTES + 10] = bad[MSG_HEADER_BYTES + 10]! ^ 1;
    const refused = decodeTileMessage(port.exchangeRaw(bad));
    expect(refused.type === 'ERROR' && S.statusName(refused.code)).toBe('BAD_MSG_CRC');
    // The intact copy with the same msg_id is run, not answered with the refusal.
    expect(decodeTileMessage(port.exchangeRaw(good)).type).toBe('DONE');
  });
});
