// A block stream as LZ4 chunks for a Hot tile (docs/protocol.md "LZ4 chunks"): each chunk
// carries {u32 decoded bytes, one LZ4 block} of the next piece of the stream, as long a
// piece as fits one message; a piece that does not shrink travels raw (no LZ4 flag), so
// incompressible data (fp16 of random values) costs at most what it costs uncompressed.
import { BlockFlag } from './constants.ts';
import { chunkDataBytes, chunkRanges, piecesToChunks, type BlockChunkOptions, type StreamPiece } from './block-chunks.ts';
import { Lz4StreamCompressor } from './lz4-compress.ts';
import type { LoadBlockMsg } from './types.ts';
import { LZ4_CHUNK_HEADER_BYTES } from '../wat/layout.ts';

/** Tries per chunk at finding the longest piece whose block fits. */
const FIT_TRIES = 6;

/** The LZ4 chunk data: the decoded size, then the block. */
function lz4Data(decodedBytes: number, block: Uint8Array): Uint8Array {
  const out = new Uint8Array(LZ4_CHUNK_HEADER_BYTES + block.length);
  new DataView(out.buffer).setUint32(0, decodedBytes, true);
  out.set(block, LZ4_CHUNK_HEADER_BYTES);
  return out;
}

/**
 * The longest piece from `at` (of the lengths tried) whose LZ4 block fits `budget` bytes,
 * starting from `guess` and scaling by the ratio each try achieved.
 */
function fitPiece(c: Lz4StreamCompressor, at: number, remaining: number, budget: number, guess: number): { length: number; block: Uint8Array } | undefined {
  let best: { length: number; block: Uint8Array } | undefined;
  let length = Math.min(remaining, guess);
  for (let t = 0; t < FIT_TRIES && length > 0; t++) {
    const block = c.compress(at, at + length);
    // No gain at all on the first try (random fp16, i8 codes): a shorter piece will not
    // shrink either, so the chunk goes raw without more tries.
    if (t === 0 && block.length + LZ4_CHUNK_HEADER_BYTES >= length) return undefined;
    const scaled = Math.floor((length * budget) / Math.max(1, block.length));
    if (block.length <= budget) {
      if (!best || length > best.length) best = { length, block };
      if (length === remaining) break;
      // Grow toward the budget, a little short of the ratio so the next try likely fits.
      const next = Math.min(remaining, Math.floor(scaled * 0.97));
      if (next <= length) break;
      length = next;
    } else {
      const next = Math.min(length - 1, Math.floor(scaled * 0.97));
      if (best && next <= best.length) break;
      length = next;
    }
  }
  return best;
}

/** The stream's pieces: LZ4 where that carries more bytes per chunk than raw, raw elsewhere. */
export function lz4Pieces(stream: Uint8Array, maxData: number): StreamPiece[] {
  if (stream.length === 0) return [{ offset: 0, data: stream.subarray(0, 0), flags: 0 }];
  const compressor = new Lz4StreamCompressor(stream);
  const budget = maxData - LZ4_CHUNK_HEADER_BYTES;
  const pieces: StreamPiece[] = [];
  let guess = budget;
  for (let at = 0; at < stream.length; ) {
    const remaining = stream.length - at;
    const fit = fitPiece(compressor, at, remaining, budget, guess);
    if (fit && LZ4_CHUNK_HEADER_BYTES + fit.block.length < fit.length) {
      pieces.push({ offset: at, data: lz4Data(fit.length, fit.block), flags: BlockFlag.LZ4 });
      at += fit.length;
      guess = fit.length;
    } else {
      const [, end] = chunkRanges(remaining, maxData)[0]!;
      pieces.push({ offset: at, data: stream.subarray(at, at + end), flags: 0 });
      at += end;
      guess = budget;
    }
  }
  return pieces;
}

/** The LOAD_BLOCK chunks of `stream` with LZ4 pieces (a Hot tile's form of blockChunks). */
export function lz4BlockChunks(stream: Uint8Array, o: BlockChunkOptions): LoadBlockMsg[] {
  return piecesToChunks(stream, lz4Pieces(stream, chunkDataBytes(o)), o);
}
