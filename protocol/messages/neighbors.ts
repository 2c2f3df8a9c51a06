// LOAD_NEIGHBORS (hub -> tile) and NEED_NEIGHBORS (tile -> hub, pull mode).
import { HEADER_BYTES, LoadNeighbors, NeedNeighbors } from '../constants.ts';
import type { ReadCursor, WriteCursor } from '../cursor.ts';
import { checkCount, checkU64, checkUint } from '../fields.ts';
import type { LoadNeighborsMsg, NeedNeighborsMsg } from '../types.ts';

const at = (field: number) => HEADER_BYTES + field;

export function loadNeighborsPayloadBytes(m: LoadNeighborsMsg): number {
  return LoadNeighbors.headerBytes + 8 * m.ids.length;
}

export function encodeLoadNeighbors(w: WriteCursor, m: LoadNeighborsMsg): void {
  checkCount(m.ids.length, LoadNeighbors.maxIds, 'neighbor count', at(LoadNeighbors.count));
  w.u64le(checkU64(m.nodeId, 'node_id', at(LoadNeighbors.nodeId)))
    .u32le(checkUint(m.layer, 32, 'layer', at(LoadNeighbors.layer)))
    .u32le(0)
    .u32le(m.ids.length)
    .u32le(0);
  m.ids.forEach((id, i) => w.u64le(checkU64(id, `ids[${i}]`, at(LoadNeighbors.headerBytes + 8 * i))));
}

export function decodeLoadNeighbors(r: ReadCursor, msgId: number): LoadNeighborsMsg {
  const nodeId = r.u64le('node_id');
  const layer = r.u32le('layer');
  r.zero(4, 'reserved');
  const count = r.count32(LoadNeighbors.maxIds, 'count');
  r.zero(4, 'reserved');
  r.need(8 * count, `${count} neighbor ids`);
  const ids = Array.from({ length: count }, (_, i) => r.u64le(`ids[${i}]`));
  r.end('LOAD_NEIGHBORS');
  return { type: 'LOAD_NEIGHBORS', msgId, nodeId, layer, ids };
}

export function encodeNeedNeighbors(w: WriteCursor, m: NeedNeighborsMsg): void {
  w.u64le(checkU64(m.nodeId, 'node_id', at(NeedNeighbors.nodeId))).u32le(checkUint(m.layer, 32, 'layer', at(NeedNeighbors.layer))).u32le(0);
}

export function decodeNeedNeighbors(r: ReadCursor, msgId: number): NeedNeighborsMsg {
  const nodeId = r.u64le('node_id');
  const layer = r.u32le('layer');
  r.zero(4, 'reserved');
  r.end('NEED_NEIGHBORS');
  return { type: 'NEED_NEIGHBORS', msgId, nodeId, layer };
}
