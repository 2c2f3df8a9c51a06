import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockChunks, blockStream, padBlockVectors, paramsChunks } from '../protocol/block-chunks.ts';
import { decodeMessage, decodeTileMessage, encodeMessage } from '../protocol/codec.ts';
import { MSG_TYPE_NAMES } from '../protocol/constants.ts';
import { ProtocolError } from '../protocol/errors.ts';
import type { HubMessage } from '../protocol/types.ts';
import { TileTrap } from '../tile/tile-trap.ts';
import { DTYPE_BITS, DTYPE_FP16, DTYPE_I8, IO_PTR } from '../wat/layout.ts';
import { statusName } from '../wat/status.ts';
import { blockMessages, freshPort, pushCase, queryMessage } from './protocol-fixtures.ts';

// A pool of valid messages for three tile shapes; the fuzzer sends them as they are, as
// whole streams, or mutated (bit flips, truncation, length and type changes, random bytes).
const fp16 = pushCase(501, DTYPE_FP16, 64, 0, 8, [20, 9]);
const i8 = pushCase(502, DTYPE_I8, 64, 1, 4, [30]);
const bits = pushCase(503, DTYPE_BITS, 256, 3, 16, [50]);
const sqParams = new Uint8Array(new Float32Array(Array.from({ length: 128 }, (_, i) => (i % 2 ? 0.01 : -1))).buffer);
const dequantStream = blockStream(padBlockVectors(DTYPE_I8, 64, i8.blocks[0]!.vectors));

const STREAMS: HubMessage[][] = [
  [queryMessage(fp16)],
  [queryMessage(i8)],
  [queryMessage(bits)],
  blockMessages(fp16, fp16.blocks[0]!),
  blockMessages(fp16, fp16.blocks[1]!, { verifyCrc: true }),
  blockMessages(fp16, fp16.blocks[0]!, { stageOnly: true }),
  blockMessages(i8, i8.blocks[0]!, { verifyCrc: true }),
  blockMessages(bits, bits.blocks[0]!),
  paramsChunks(sqParams, { firstMsgId: 1, kind: 1, a: 64, b: 0, chunkDataBytes: 200 }),
  blockChunks(dequantStream, { firstMsgId: 1, count: 30, dtype: DTYPE_I8, dequant: true, verifyCrc: true, firstId: 9n, chunkDataBytes: 1000 }),
  [{ type: 'COMPUTE', msgId: 1, metric: 0, k: 8, flags: 0x10 }],
  [{ type: 'COMPUTE', msgId: 1, metric: 3, k: 16, flags: 0 }],
  [{ type: 'READ_TOPK', msgId: 1 }],
  [{ type: 'RESET', msgId: 1 }],
  [{ type: 'LOAD_NEIGHBORS', msgId: 1, nodeId: 5n, layer: 1, ids: [1n, 2n, 3n] }],
  [{ type: 'LOAD_PARAMS', msgId: 1, kind: 2, flags: 1, a: 8, b: 16, offset: 0, totalBytes: 2048, data: new Uint8Array(2024) }],
];
const SINGLES = STREAMS.flat();

type Mutation =
  | { kind: 'none' }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; keep: number }
  | { kind: 'length'; value: number }
  | { kind: 'type'; value: number }
  | { kind: 'field'; at: number; value: number }
  | { kind: 'random'; bytes: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'none' } as const) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('length' as const), value: fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 2030, max: 2050 })) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('type' as const), value: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0x80, max: 0x86 }), fc.integer({ min: 0, max: 0xffff })) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('field' as const), at: fc.integer({ min: 8, max: 40 }), value: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('random' as const), bytes: fc.uint8Array({ minLength: 8, maxLength: 2048 }) }) },
);

function mutate(base: Uint8Array, m: Mutation): Uint8Array {
  const b = base.slice();
  const v = new DataView(b.buffer);
  switch (m.kind) {
    case 'none':
      return b;
    case 'flip':
      b[m.at % b.length]! ^= 1 << m.bit;
      return b;
    case 'truncate':
      // The header stays (a request shorter than 8 B has no msg_id to answer to).
      return b.slice(0, 8 + (m.keep % (b.length - 7)));
    case 'length':
      v.setUint16(2, m.value, true);
      return b;
    case 'type':
      v.setUint16(0, m.value, true);
      return b;
    case 'field':
      if (m.at < b.length) b[m.at] = m.value;
      return b;
    case 'random':
      return m.bytes.slice();
  }
}

const step = fc.oneof(
  { weight: 1, arbitrary: fc.nat({ max: STREAMS.length - 1 }).map((i) => ({ stream: i, mutation: { kind: 'none' } as Mutation })) },
  { weight: 6, arbitrary: fc.record({ single: fc.nat({ max: SINGLES.length - 1 }), mutation }) },
);

describe('protocol fuzz', () => {
  it('answers 10,000+ random and mutated messages on simd-strict with exactly one decodable reply each, no trap, no host exception', () => {
    const port = freshPort('simd-strict', DTYPE_FP16, 64);
    const replies = new Map<string, number>();
    const errors = new Map<string, number>();
    let sent = 0;
    let hubRejected = 0;
    let msgId = 1;

    const send = (request: Uint8Array): void => {
      msgId = (msgId + 1) >>> 0;
      new DataView(request.buffer, request.byteOffset).setUint32(4, msgId, true);
      // Hub side: decoding the request either succeeds or throws a ProtocolError.
      try {
        decodeMessage(request);
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
        hubRejected++;
      }
      let replyBytes: Uint8Array;
      try {
        replyBytes = port.exchangeRaw(request);
      } catch (err) {
        if (err instanceof TileTrap) throw new Error(`tile trapped on ${Buffer.from(request.subarray(0, 48)).toString('hex')}: ${err.message}`);
        throw err;
      }
      const reply = decodeTileMessage(replyBytes);
      expect(reply.msgId).toBe(msgId);
      expect(port.tile.view.getUint32(IO_PTR + 4, true)).toBe(msgId);
      replies.set(reply.type, (replies.get(reply.type) ?? 0) + 1);
      if (reply.type === 'ERROR') {
        const key = `${statusName(reply.code)} for ${MSG_TYPE_NAMES.get(reply.requestType) ?? 'unknown types'}`;
        errors.set(key, (errors.get(key) ?? 0) + 1);
      }
      sent++;
    };

    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 4 }), (steps) => {
        for (const s of steps) {
          if ('stream' in s) for (const m of STREAMS[s.stream]!) send(encodeMessage(m));
          else send(mutate(encodeMessage(SINGLES[s.single]!), s.mutation));
        }
      }),
      { numRuns: 8000, seed: 0x5eed, endOnFailure: true },
    );

    console.log(`protocol fuzz: ${sent} messages, ${hubRejected} rejected by the hub decoder; replies ${JSON.stringify(Object.fromEntries(replies))}`);
    console.log(`protocol fuzz errors: ${JSON.stringify(Object.fromEntries([...errors].sort((a, b) => b[1] - a[1])))}`);
    expect(sent).toBeGreaterThanOrEqual(10_000);
    // The fuzzer reached every reply the tile produces in push mode, and real work happened.
    expect(replies.get('DONE')).toBeGreaterThan(500);
    expect(replies.get('TOPK_RESULT')).toBeGreaterThan(50);
    expect(replies.get('ERROR')).toBeGreaterThan(500);
  });
});
