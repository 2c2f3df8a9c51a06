// LOAD_QUERY: the query vector and the search settings (dtype, metric, k, dim).
import { HEADER_BYTES, LoadQuery } from '../constants.ts';
import type { ReadCursor, WriteCursor } from '../cursor.ts';
import { ProtocolError } from '../errors.ts';
import { checkUint } from '../fields.ts';
import type { LoadQueryMsg } from '../types.ts';
import { isKnownDtype, vectorBytes } from '../vector-bytes.ts';
import { LQ_F_PULL } from '../../wat/layout.ts';

const at = (field: number) => HEADER_BYTES + field;

/** LOAD_QUERY flags the tile knows: bit0 PULL (docs/pull-mode.md). */
export const QUERY_FLAGS_KNOWN = LQ_F_PULL;

function checkQueryFlags(flags: number, offset: number): number {
  if (!Number.isInteger(flags) || (flags & ~QUERY_FLAGS_KNOWN) !== 0) {
    throw new ProtocolError('bad-field', offset, new Uint8Array([flags & 0xff]), `unknown query flags 0x${(flags >>> 0).toString(16)}`);
  }
  return flags;
}

export function loadQueryPayloadBytes(m: LoadQueryMsg): number {
  return LoadQuery.headerBytes + m.vector.length;
}

export function encodeLoadQuery(w: WriteCursor, m: LoadQueryMsg): void {
  if (!isKnownDtype(m.dtype)) throw new ProtocolError('bad-type', at(LoadQuery.dtype), new Uint8Array([m.dtype & 0xff]), `unknown dtype ${m.dtype}`);
  checkUint(m.dim, 16, 'dim', at(LoadQuery.dim));
  if (m.vector.length !== vectorBytes(m.dtype, m.dim)) {
    throw new ProtocolError('bad-field', at(LoadQuery.headerBytes), new Uint8Array(0), `vector is ${m.vector.length} B, dtype ${m.dtype} dim ${m.dim} needs ${vectorBytes(m.dtype, m.dim)} B`);
  }
  w.u8le(checkUint(m.dtype, 8, 'dtype', at(LoadQuery.dtype)))
    .u8le(checkUint(m.metric, 8, 'metric', at(LoadQuery.metric)))
    .u8le(checkUint(m.k, 8, 'k', at(LoadQuery.k)))
    .u8le(checkQueryFlags(m.flags ?? 0, at(LoadQuery.flags)))
    .u16le(m.dim)
    .u16le(0)
    .raw(m.vector);
}

export function decodeLoadQuery(r: ReadCursor, msgId: number): LoadQueryMsg {
  const dtypeAt = r.offset;
  const dtype = r.u8le('dtype');
  const metric = r.u8le('metric');
  const k = r.u8le('k');
  const flags = r.flags8(QUERY_FLAGS_KNOWN, 'query flags');
  const dim = r.u16le('dim');
  r.zero(2, 'reserved');
  if (!isKnownDtype(dtype)) throw new ProtocolError('bad-type', dtypeAt, r.bytes.subarray(dtypeAt, dtypeAt + 1), `unknown dtype ${dtype}`);
  const vector = r.bytesCopy(vectorBytes(dtype, dim), `dim ${dim} vector`);
  r.end('LOAD_QUERY');
  return { type: 'LOAD_QUERY', msgId, dtype, metric, k, dim, vector, ...(flags ? { flags } : {}) };
}
