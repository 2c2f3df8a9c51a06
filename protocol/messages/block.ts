// LOAD_BLOCK: one chunk of a block stream (padded vectors, then optional u64 ids).
import { BLOCK_FLAGS_KNOWN, HEADER_BYTES, LoadBlock } from '../constants.ts';
import type { ReadCursor, WriteCursor } from '../cursor.ts';
import { checkCount, checkU64, checkUint } from '../fields.ts';
import type { LoadBlockMsg } from '../types.ts';

const at = (field: number) => HEADER_BYTES + field;

export function loadBlockPayloadBytes(m: LoadBlockMsg): number {
  return LoadBlock.headerBytes + m.data.length;
}

export function encodeLoadBlock(w: WriteCursor, m: LoadBlockMsg): void {
  checkCount(m.data.length, LoadBlock.maxDataBytes, 'chunk data bytes', at(LoadBlock.headerBytes));
  w.u32le(checkUint(m.offset, 32, 'offset', at(LoadBlock.offset)))
    .u16le(checkUint(m.count, 16, 'count', at(LoadBlock.count)))
    .u8le(checkUint(m.dtype, 8, 'dtype', at(LoadBlock.dtype)))
    .u8le(checkUint(m.flags, 8, 'flags', at(LoadBlock.flags)))
    .u64le(checkU64(m.firstId, 'first_id', at(LoadBlock.firstId)))
    .u32le(checkUint(m.crc32c, 32, 'crc32c', at(LoadBlock.crc32c)))
    .u32le(checkUint(m.totalBytes, 32, 'total_bytes', at(LoadBlock.totalBytes)))
    .raw(m.data);
}

export function decodeLoadBlock(r: ReadCursor, msgId: number): LoadBlockMsg {
  const offset = r.u32le('offset');
  const count = r.u16le('count');
  const dtype = r.u8le('dtype');
  const flags = r.flags8(BLOCK_FLAGS_KNOWN, 'block flags');
  const firstId = r.u64le('first_id');
  const crc32c = r.u32le('crc32c');
  const totalBytes = r.u32le('total_bytes');
  const data = r.bytesCopy(r.remaining, 'chunk data');
  return { type: 'LOAD_BLOCK', msgId, offset, count, dtype, flags, firstId, crc32c, totalBytes, data };
}
