// The tile's replies: TOPK_RESULT, NEED_BLOCK, DONE, ERROR.
import { Done, ErrorReply, HEADER_BYTES, NeedBlock, TopkResult } from '../constants.ts';
import type { ReadCursor, WriteCursor } from '../cursor.ts';
import { checkCount, checkU64, checkUint } from '../fields.ts';
import type { DoneMsg, ErrorMsg, NeedBlockMsg, TopkResultMsg } from '../types.ts';

const at = (field: number) => HEADER_BYTES + field;

export function encodeTopkResult(w: WriteCursor, m: TopkResultMsg): void {
  checkCount(m.entries.length, TopkResult.maxEntries, 'top-K entries', at(TopkResult.count));
  w.u32le(m.entries.length).u32le(0);
  m.entries.forEach((e, i) => {
    const base = at(TopkResult.headerBytes + i * TopkResult.entryBytes);
    w.u64le(checkU64(e.id, `entries[${i}].id`, base)).f32le(e.dist).u32le(checkUint(e.aux, 32, `entries[${i}].aux`, base + TopkResult.entryAux));
  });
}

export function decodeTopkResult(r: ReadCursor, msgId: number): TopkResultMsg {
  const count = r.count32(TopkResult.maxEntries, 'count');
  r.zero(4, 'reserved');
  r.need(count * TopkResult.entryBytes, `${count} top-K entries`);
  const entries = Array.from({ length: count }, (_, i) => ({ id: r.u64le(`entries[${i}].id`), dist: r.f32le(`entries[${i}].dist`), aux: r.u32le(`entries[${i}].aux`) }));
  r.end('TOPK_RESULT');
  return { type: 'TOPK_RESULT', msgId, entries };
}

export function encodeNeedBlock(w: WriteCursor, m: NeedBlockMsg): void {
  checkCount(m.ids.length, NeedBlock.maxIds, 'ids', at(NeedBlock.count));
  w.u32le(m.ids.length).u32le(0);
  m.ids.forEach((id, i) => w.u64le(checkU64(id, `ids[${i}]`, at(NeedBlock.headerBytes + 8 * i))));
}

export function decodeNeedBlock(r: ReadCursor, msgId: number): NeedBlockMsg {
  const count = r.count32(NeedBlock.maxIds, 'count');
  r.zero(4, 'reserved');
  r.need(8 * count, `${count} ids`);
  const ids = Array.from({ length: count }, (_, i) => r.u64le(`ids[${i}]`));
  r.end('NEED_BLOCK');
  return { type: 'NEED_BLOCK', msgId, ids };
}

export function encodeDone(w: WriteCursor, m: DoneMsg): void {
  w.u16le(checkUint(m.requestType, 16, 'request type', at(Done.requestType))).u16le(0).u32le(checkUint(m.value, 32, 'value', at(Done.value)));
}

export function decodeDone(r: ReadCursor, msgId: number): DoneMsg {
  const requestType = r.u16le('request type');
  r.zero(2, 'reserved');
  const value = r.u32le('value');
  r.end('DONE');
  return { type: 'DONE', msgId, requestType, value };
}

export function encodeError(w: WriteCursor, m: ErrorMsg): void {
  w.u16le(checkUint(m.code, 16, 'code', at(ErrorReply.code)))
    .u16le(checkUint(m.requestType, 16, 'request type', at(ErrorReply.requestType)))
    .u32le(checkUint(m.detail, 32, 'detail', at(ErrorReply.detail)));
}

export function decodeError(r: ReadCursor, msgId: number): ErrorMsg {
  const code = r.u16le('code');
  const requestType = r.u16le('request type');
  const detail = r.u32le('detail');
  r.end('ERROR');
  return { type: 'ERROR', msgId, code, requestType, detail };
}
