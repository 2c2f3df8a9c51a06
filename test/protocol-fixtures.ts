// Shared helpers for the protocol tests (not a test file itself): tiles driven purely
// through messages, the expected top-K from the TS reference, memory snapshots.
import { Prng } from '../hub/prng.ts';
import { blockChunks, blockStream, padBlockVectors } from '../protocol/block-chunks.ts';
import { encodeMessage } from '../protocol/codec.ts';
import { TilePort } from '../protocol/tile-port.ts';
import type { HubMessage, TileMessage, TopkEntry } from '../protocol/types.ts';
import { initTile } from '../tile/kernel-calls.ts';
import { kernelOrderDistanceBits } from '../tile/reference/distances.ts';
import { referenceTopK, type Candidate } from '../tile/reference/topk.ts';
import type { Dtype } from '../tile/reference/vector-layout.ts';
import { TileInstance } from '../tile/tile-instance.ts';
import { IO_BYTES, IO_PTR, MEMORY_BYTES, WORK_BYTES, WORK_PTR } from '../wat/layout.ts';
import { randomVector } from './kernel-fixtures.ts';

export interface PushBlock {
  vectors: Uint8Array[];
  ids: bigint[];
  explicitIds: boolean;
}

export interface PushCase {
  dtype: Dtype;
  dim: number;
  metric: number;
  k: number;
  query: Uint8Array;
  blocks: PushBlock[];
}

export function pushCase(seed: number, dtype: Dtype, dim: number, metric: number, k: number, blockSizes: number[]): PushCase {
  const prng = new Prng(seed);
  let next = BigInt(prng.nextInt(0, 1_000_000)) * 1_000_003n;
  const blocks = blockSizes.map((count, b) => {
    const vectors = Array.from({ length: count }, () => randomVector(prng, dtype, dim));
    const ids = vectors.map(() => (next += BigInt(1 + prng.nextInt(0, 5))));
    // Odd blocks carry explicit (non-consecutive) ids; even ones use first_id + i.
    const explicitIds = b % 2 === 1;
    return { vectors, ids: explicitIds ? ids : ids.map((_, i) => ids[0]! + BigInt(i)), explicitIds };
  });
  return { dtype, dim, metric, k, query: randomVector(prng, dtype, dim), blocks };
}

export function expectedTopK(c: PushCase): Candidate[] {
  const all = c.blocks.flatMap((b) => b.vectors.map((v, i) => ({ id: b.ids[i]!, distBits: kernelOrderDistanceBits(c.dtype, c.metric, c.query, v, c.dim) })));
  return referenceTopK(all, c.k);
}

export function asCandidates(entries: TopkEntry[]): Candidate[] {
  return entries.map((e) => ({ id: e.id, distBits: new Uint32Array(new Float32Array([e.dist]).buffer)[0]! }));
}

/** A tile after rvf_init with the case's shape, and its port. */
export function freshPort(build: string, dtype: Dtype, dim: number): TilePort {
  const tile = new TileInstance(0, build);
  const status = initTile(tile, { dtype, dim });
  if (status !== 0) throw new Error(`rvf_init returned ${status}`);
  return new TilePort(tile);
}

let nextId = 1;
export function msgId(): number {
  return nextId++;
}

export function blockMessages(c: PushCase, b: PushBlock, flags: { stageOnly?: boolean; verifyCrc?: boolean } = {}): HubMessage[] {
  const stream = blockStream(padBlockVectors(c.dtype, c.dim, b.vectors), b.explicitIds ? b.ids : undefined);
  return blockChunks(stream, {
    firstMsgId: msgId(),
    count: b.vectors.length,
    dtype: c.dtype,
    firstId: b.explicitIds ? 0n : b.ids[0]!,
    explicitIds: b.explicitIds,
    stageOnly: flags.stageOnly,
    verifyCrc: flags.verifyCrc,
  }).map((m) => ({ ...m, msgId: msgId() }));
}

export function queryMessage(c: PushCase): HubMessage {
  return { type: 'LOAD_QUERY', msgId: msgId(), dtype: c.dtype, metric: c.metric, k: c.k, dim: c.dim, vector: c.query };
}

/** Sends every message, demanding DONE for each; returns the replies. */
export function sendAllDone(port: TilePort, messages: HubMessage[]): TileMessage[] {
  return messages.map((m) => {
    const reply = port.send(m);
    if (reply.type !== 'DONE') throw new Error(`${m.type} (msg ${m.msgId}) got ${JSON.stringify(reply)}`);
    return reply;
  });
}

export function readTopK(port: TilePort): TopkEntry[] {
  const reply = port.send({ type: 'READ_TOPK', msgId: msgId() });
  if (reply.type !== 'TOPK_RESULT') throw new Error(`READ_TOPK got ${JSON.stringify(reply)}`);
  return reply.entries;
}

/**
 * All of tile memory except the I/O buffer and the work counters (WORK_PTR): a refused
 * message still counts as a message, and any CRC it checked as CRC bytes
 * (test/kernel-work-counters.test.ts checks those deltas exactly).
 */
export function snapshot(port: TilePort): Uint8Array {
  const b = port.tile.bytes;
  const out = new Uint8Array(MEMORY_BYTES - IO_BYTES);
  out.set(b.subarray(0, IO_PTR));
  out.set(b.subarray(IO_PTR + IO_BYTES), IO_PTR);
  out.fill(0, WORK_PTR, WORK_PTR + WORK_BYTES); // below IO_PTR: same offset in the snapshot
  return out;
}

/** The first address where two snapshots differ, or -1. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i < IO_PTR ? i : i + IO_BYTES;
  return -1;
}

export function raw(m: HubMessage): Uint8Array {
  return encodeMessage(m);
}
