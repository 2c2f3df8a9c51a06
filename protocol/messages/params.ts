// LOAD_PARAMS: one chunk of a quantization-parameter stream (SQ params or PQ codebook).
import { HEADER_BYTES, LoadParams, PARAMS_FLAGS_KNOWN, ParamsKind } from '../constants.ts';
import type { ReadCursor, WriteCursor } from '../cursor.ts';
import { ProtocolError } from '../errors.ts';
import { checkCount, checkUint } from '../fields.ts';
import type { LoadParamsMsg } from '../types.ts';

const at = (field: number) => HEADER_BYTES + field;
const isKind = (k: number) => k === ParamsKind.SQ || k === ParamsKind.PQ || k === ParamsKind.PQ6;

export function loadParamsPayloadBytes(m: LoadParamsMsg): number {
  return LoadParams.headerBytes + m.data.length;
}

export function encodeLoadParams(w: WriteCursor, m: LoadParamsMsg): void {
  checkCount(m.data.length, LoadParams.maxDataBytes, 'chunk data bytes', at(LoadParams.headerBytes));
  if (!isKind(m.kind)) throw new ProtocolError('bad-type', at(LoadParams.kind), new Uint8Array([m.kind & 0xff]), `unknown params kind ${m.kind}`);
  w.u8le(m.kind)
    .u8le(checkUint(m.flags, 8, 'flags', at(LoadParams.flags)))
    .u16le(checkUint(m.a, 16, 'a', at(LoadParams.a)))
    .u16le(checkUint(m.b, 16, 'b', at(LoadParams.b)))
    .u16le(0)
    .u32le(checkUint(m.offset, 32, 'offset', at(LoadParams.offset)))
    .u32le(checkUint(m.totalBytes, 32, 'total_bytes', at(LoadParams.totalBytes)))
    .raw(m.data);
}

export function decodeLoadParams(r: ReadCursor, msgId: number): LoadParamsMsg {
  const kindAt = r.offset;
  const kind = r.u8le('kind');
  if (!isKind(kind)) throw new ProtocolError('bad-type', kindAt, r.bytes.subarray(kindAt, kindAt + 1), `unknown params kind ${kind}`);
  const flags = r.flags8(PARAMS_FLAGS_KNOWN, 'params flags');
  const a = r.u16le('a');
  const b = r.u16le('b');
  r.zero(2, 'reserved');
  const offset = r.u32le('offset');
  const totalBytes = r.u32le('total_bytes');
  const data = r.bytesCopy(r.remaining, 'chunk data');
  return { type: 'LOAD_PARAMS', msgId, kind, flags, a, b, offset, totalBytes, data };
}
