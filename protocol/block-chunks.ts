// Splits a block stream (padded vectors, then optional u64 ids) or a parameter stream into
// chunk messages that each fit the 2 KB I/O buffer, with running offsets, FINAL on the last
// chunk, and the stream's CRC32C and total size repeated in every chunk.
import { BlockFlag, LoadBlock, LoadParams, ParamsFlag } from './constants.ts';
import { crc32c } from './crc32c.ts';
import type { LoadBlockMsg, LoadParamsMsg } from './types.ts';
import { strideBytes, vectorBytes } from './vector-bytes.ts';

/** Pads each unpadded vector to the block stride and concatenates them. */
export function padBlockVectors(dtype: number, dim: number, vectors: readonly Uint8Array[]): Uint8Array {
  const unpadded = vectorBytes(dtype, dim);
  const stride = strideBytes(dtype, dim);
  const out = new Uint8Array(stride * vectors.length);
  vectors.forEach((v, i) => {
    if (v.length !== unpadded) throw new RangeError(`vector ${i} is ${v.length} B, dtype ${dtype} dim ${dim} needs ${unpadded} B`);
    out.set(v, i * stride);
  });
  return out;
}

/** The block stream: padded vectors, then (explicit ids) count u64 little-endian ids. */
export function blockStream(paddedVectors: Uint8Array, ids?: readonly bigint[]): Uint8Array {
  if (!ids) return paddedVectors.slice();
  const out = new Uint8Array(paddedVectors.length + 8 * ids.length);
  out.set(paddedVectors);
  const view = new DataView(out.buffer);
  ids.forEach((id, i) => view.setBigUint64(paddedVectors.length + 8 * i, id, true));
  return out;
}

export interface BlockChunkOptions {
  firstMsgId: number;
  count: number;
  dtype: number;
  /** Id of vector 0 when the stream carries no ids. */
  firstId?: bigint;
  explicitIds?: boolean;
  stageOnly?: boolean;
  dequant?: boolean;
  verifyCrc?: boolean;
  /** On FINAL the tile empties its top-K before the merge (push-hnsw batches). */
  freshTopk?: boolean;
  /** Data bytes per chunk; at most (and by default) 2,016 so a chunk fills one message. */
  chunkDataBytes?: number;
  /** The stream's CRC32C when the caller already has it (the hub caches it with the stream). */
  streamCrc?: number;
}

export function chunkRanges(total: number, size: number): [number, number][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size ${size} must be a positive integer`);
  const out: [number, number][] = [];
  for (let at = 0; at < total; at += size) out.push([at, Math.min(total, at + size)]);
  return out.length > 0 ? out : [[0, 0]];
}

/** One chunk's share of a stream: its data at `offset` (raw bytes, or an LZ4 piece with BlockFlag.LZ4). */
export interface StreamPiece {
  offset: number;
  data: Uint8Array;
  flags: number;
}

export function blockChunks(stream: Uint8Array, o: BlockChunkOptions): LoadBlockMsg[] {
  const size = chunkDataBytes(o);
  return piecesToChunks(stream, chunkRanges(stream.length, size).map(([start, end]) => ({ offset: start, data: stream.subarray(start, end), flags: 0 })), o);
}

/** The chunk data budget the options ask for, checked against one message's room. */
export function chunkDataBytes(o: BlockChunkOptions): number {
  const size = o.chunkDataBytes ?? LoadBlock.maxDataBytes;
  if (size > LoadBlock.maxDataBytes) throw new RangeError(`chunk of ${size} B exceeds ${LoadBlock.maxDataBytes} B`);
  return size;
}

/** The flags every chunk of a stream carries (FINAL and a piece's own flags come on top). */
export function chunkFlags(o: BlockChunkOptions): number {
  return (
    (o.explicitIds ? BlockFlag.EXPLICIT_IDS : 0) | (o.stageOnly ? BlockFlag.STAGE_ONLY : 0) | (o.dequant ? BlockFlag.DEQUANT : 0) | (o.verifyCrc ? BlockFlag.VERIFY_CRC : 0) | (o.freshTopk ? BlockFlag.FRESH_TOPK : 0)
  );
}

/** The LOAD_BLOCK messages carrying `pieces` of `stream`, FINAL on the last. */
export function piecesToChunks(stream: Uint8Array, pieces: readonly StreamPiece[], o: BlockChunkOptions): LoadBlockMsg[] {
  const crc = o.streamCrc ?? crc32c(stream);
  const flags = chunkFlags(o);
  return pieces.map((piece, i) => ({
    type: 'LOAD_BLOCK',
    msgId: (o.firstMsgId + i) >>> 0,
    offset: piece.offset,
    count: o.count,
    dtype: o.dtype,
    flags: flags | piece.flags | (i === pieces.length - 1 ? BlockFlag.FINAL : 0),
    firstId: o.firstId ?? 0n,
    crc32c: crc,
    totalBytes: stream.length,
    data: piece.data,
  }));
}

export interface ParamsChunkOptions {
  firstMsgId: number;
  kind: number;
  /** SQ: dim; PQ: M. */
  a: number;
  /** PQ: K; SQ: 0. */
  b: number;
  chunkDataBytes?: number;
}

export function paramsChunks(stream: Uint8Array, o: ParamsChunkOptions): LoadParamsMsg[] {
  const size = o.chunkDataBytes ?? LoadParams.maxDataBytes;
  if (size > LoadParams.maxDataBytes) throw new RangeError(`chunk of ${size} B exceeds ${LoadParams.maxDataBytes} B`);
  const ranges = chunkRanges(stream.length, size);
  return ranges.map(([start, end], i) => ({
    type: 'LOAD_PARAMS',
    msgId: (o.firstMsgId + i) >>> 0,
    kind: o.kind,
    flags: i === ranges.length - 1 ? ParamsFlag.FINAL : 0,
    a: o.a,
    b: o.b,
    offset: start,
    totalBytes: stream.length,
    data: stream.subarray(start, end),
  }));
}
