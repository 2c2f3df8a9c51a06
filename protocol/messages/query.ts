// LOAD_QUERY: the query vector and the search settings (dtype, metric, k, dim). A query
// longer than one message (a 1,024-dim fp16 query is 2,048 B) goes as chunks, each with the
// same settings, its byte offset and flag MORE on all but the last (Hot image only;
// docs/protocol.md "Query chunks").
import { HEADER_BYTES, LoadQuery } from '../constants.ts';
import type { ReadCursor, WriteCursor } from '../cursor.ts';
import { ProtocolError } from '../errors.ts';
import { checkUint } from '../fields.ts';
import type { LoadQueryMsg } from '../types.ts';
import { isKnownDtype, vectorBytes } from '../vector-bytes.ts';
import { LQ_F_MORE, LQ_F_PULL } from '../../wat/layout.ts';

const at = (field: number) => HEADER_BYTES + field;

/** LOAD_QUERY flags the tile knows: bit0 PULL (docs/pull-mode.md), bit1 MORE (a chunk; Hot image). */
export const QUERY_FLAGS_KNOWN = LQ_F_PULL | LQ_F_MORE;

/** True when the message is one chunk of a query (MORE, or a nonzero offset). */
export function isQueryChunk(m: Pick<LoadQueryMsg, 'flags' | 'offset'>): boolean {
  return ((m.flags ?? 0) & LQ_F_MORE) !== 0 || (m.offset ?? 0) !== 0;
}

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
  const offset = checkUint(m.offset ?? 0, 16, 'offset', at(LoadQuery.offset));
  const whole = vectorBytes(m.dtype, m.dim);
  const last = ((m.flags ?? 0) & LQ_F_MORE) === 0;
  // A whole query, or a chunk: the last one ends at the vector's end, the others inside it.
  if (last ? offset + m.vector.length !== whole : offset + m.vector.length >= whole) {
    const what = isQueryChunk(m) ? `chunk at ${offset} of ${m.vector.length} B ${last ? 'must end at' : 'must end inside'} the vector's ${whole} B` : `vector is ${m.vector.length} B, dtype ${m.dtype} dim ${m.dim} needs ${whole} B`;
    throw new ProtocolError('bad-field', at(LoadQuery.headerBytes), new Uint8Array(0), what);
  }
  w.u8le(checkUint(m.dtype, 8, 'dtype', at(LoadQuery.dtype)))
    .u8le(checkUint(m.metric, 8, 'metric', at(LoadQuery.metric)))
    .u8le(checkUint(m.k, 8, 'k', at(LoadQuery.k)))
    .u8le(checkQueryFlags(m.flags ?? 0, at(LoadQuery.flags)))
    .u16le(m.dim)
    .u16le(offset)
    .raw(m.vector);
}

export function decodeLoadQuery(r: ReadCursor, msgId: number): LoadQueryMsg {
  const dtypeAt = r.offset;
  const dtype = r.u8le('dtype');
  const metric = r.u8le('metric');
  const k = r.u8le('k');
  const flags = r.flags8(QUERY_FLAGS_KNOWN, 'query flags');
  const dim = r.u16le('dim');
  const offset = r.u16le('offset');
  if (!isKnownDtype(dtype)) throw new ProtocolError('bad-type', dtypeAt, r.bytes.subarray(dtypeAt, dtypeAt + 1), `unknown dtype ${dtype}`);
  // A chunk carries the rest of the payload; a whole query exactly its vector.
  const chunk = isQueryChunk({ flags, offset });
  const vector = r.bytesCopy(chunk ? r.remaining : vectorBytes(dtype, dim), chunk ? `query chunk at ${offset}` : `dim ${dim} vector`);
  r.end('LOAD_QUERY');
  return { type: 'LOAD_QUERY', msgId, dtype, metric, k, dim, vector, ...(flags ? { flags } : {}), ...(offset ? { offset } : {}) };
}

/**
 * The query as the messages that carry it: itself when it fits one message (`maxDataBytes`
 * of vector), else equal chunks (even sizes, so an fp16 value is never split) with MORE on
 * all but the last. Only a Hot-image tile takes chunks; a Core-size query always fits.
 */
export function queryChunks(m: LoadQueryMsg, maxDataBytes: number): LoadQueryMsg[] {
  const total = m.vector.length;
  if (total <= maxDataBytes) return [m];
  const parts = Math.ceil(total / maxDataBytes);
  const size = Math.ceil(total / parts / 2) * 2;
  const out: LoadQueryMsg[] = [];
  for (let offset = 0; offset < total; offset += size) {
    const end = Math.min(total, offset + size);
    const flags = (m.flags ?? 0) | (end < total ? LQ_F_MORE : 0);
    out.push({ ...m, vector: m.vector.subarray(offset, end), ...(flags ? { flags } : {}), ...(offset ? { offset } : {}) });
  }
  return out;
}
