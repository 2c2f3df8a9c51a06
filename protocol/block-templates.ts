// A block stream's LOAD_BLOCK chunks as wire bytes (unsealed: the templates the hub stamps
// and sends), written straight from the stream: the same bytes as
// encodeMessages(blockChunks(stream, o)), without a message object, a cursor, a DataView or a
// BigInt write per chunk. The hub encodes every block it sends once inside the run (its first
// job on each tile), and at 4,096 tiles with a block each that encoding was a tenth of the run
// (docs/performance.md "The first job per tile, large arrays"). The 32 B chunk header is
// written once with its fields checked as encodeLoadBlock checks them, then copied to each
// chunk and patched where chunks differ (msg_length, msg_id, offset, FINAL); the data is one copy.
import { BlockFlag, HEADER, HEADER_BYTES, LoadBlock, MsgType } from './constants.ts';
import { chunkDataBytes, chunkFlags, chunkRanges, type BlockChunkOptions } from './block-chunks.ts';
import { crc32c } from './crc32c.ts';
import { encodeMessages } from './codec.ts';
import { lz4BlockChunks } from './lz4-chunks.ts';
import { checkU64, checkUint } from './fields.ts';

const CHUNK_HEADER_BYTES = HEADER_BYTES + LoadBlock.headerBytes;
const at = (field: number) => HEADER_BYTES + field;

/**
 * The wire bytes of every plain (not LZ4) LOAD_BLOCK chunk of `stream`, in order, carved from
 * one buffer (a block's templates are kept, and collected, together), chunk i with msg_id
 * `o.firstMsgId + i` as blockChunks numbers them (the hub passes 0 and stamps each when sent).
 */
export function encodeBlockChunks(stream: Uint8Array, o: BlockChunkOptions): Uint8Array[] {
  const ranges = chunkRanges(stream.length, chunkDataBytes(o));
  const header = chunkHeader(stream, o, chunkFlags(o));
  const buffer = new Uint8Array(ranges.length * CHUNK_HEADER_BYTES + stream.length);
  const out: Uint8Array[] = new Array<Uint8Array>(ranges.length);
  let to = 0;
  for (let i = 0; i < ranges.length; i++) {
    const [start, end] = ranges[i]!;
    const n = CHUNK_HEADER_BYTES + (end - start);
    buffer.set(header, to);
    putU16(buffer, to + HEADER.length, n - HEADER_BYTES);
    putU32(buffer, to + HEADER.id, (o.firstMsgId + i) >>> 0);
    putU32(buffer, to + at(LoadBlock.offset), start);
    if (i === ranges.length - 1) buffer[to + at(LoadBlock.flags)] = header[at(LoadBlock.flags)]! | BlockFlag.FINAL;
    buffer.set(stream.subarray(start, end), to + CHUNK_HEADER_BYTES);
    out[i] = buffer.subarray(to, to + n);
    to += n;
  }
  return out;
}

/** A stream's chunk templates, LZ4 chunks (Hot tiles) when `lz4`: those through their
 *  messages, plain ones straight from the stream (encodeBlockChunks). */
export function streamChunkTemplates(stream: Uint8Array, o: BlockChunkOptions, lz4: boolean): Uint8Array[] {
  return lz4 ? encodeMessages(lz4BlockChunks(stream, o)) : encodeBlockChunks(stream, o);
}

/** The fields every chunk of the stream shares (msg_length, msg_id and offset are each chunk's; no FINAL), checked once. */
function chunkHeader(stream: Uint8Array, o: BlockChunkOptions, flags: number): Uint8Array {
  const h = new Uint8Array(CHUNK_HEADER_BYTES);
  // The last chunk's offset is the largest: when it fits u32, every chunk's does.
  checkUint(Math.max(0, stream.length - 1), 32, 'offset', at(LoadBlock.offset));
  putU16(h, HEADER.type, MsgType.LOAD_BLOCK);
  putU16(h, at(LoadBlock.count), checkUint(o.count, 16, 'count', at(LoadBlock.count)));
  h[at(LoadBlock.dtype)] = checkUint(o.dtype, 8, 'dtype', at(LoadBlock.dtype));
  h[at(LoadBlock.flags)] = checkUint(flags, 8, 'flags', at(LoadBlock.flags));
  const firstId = checkU64(o.firstId ?? 0n, 'first_id', at(LoadBlock.firstId));
  putU32(h, at(LoadBlock.firstId), Number(firstId & 0xffffffffn));
  putU32(h, at(LoadBlock.firstId) + 4, Number(firstId >> 32n));
  putU32(h, at(LoadBlock.crc32c), checkUint(o.streamCrc ?? crc32c(stream), 32, 'crc32c', at(LoadBlock.crc32c)));
  putU32(h, at(LoadBlock.totalBytes), checkUint(stream.length, 32, 'total_bytes', at(LoadBlock.totalBytes)));
  return h;
}

function putU16(b: Uint8Array, i: number, v: number): void {
  b[i] = v & 0xff;
  b[i + 1] = (v >>> 8) & 0xff;
}

function putU32(b: Uint8Array, i: number, v: number): void {
  b[i] = v & 0xff;
  b[i + 1] = (v >>> 8) & 0xff;
  b[i + 2] = (v >>> 16) & 0xff;
  b[i + 3] = v >>> 24;
}
