// COMPUTE, READ_TOPK, RESET: the fixed-size control requests.
import { Compute, COMPUTE_FLAGS_KNOWN, HEADER_BYTES } from '../constants.ts';
import type { ReadCursor, WriteCursor } from '../cursor.ts';
import { checkUint } from '../fields.ts';
import type { ComputeMsg, ReadTopkMsg, ResetMsg } from '../types.ts';

const at = (field: number) => HEADER_BYTES + field;

export function encodeCompute(w: WriteCursor, m: ComputeMsg): void {
  w.u8le(checkUint(m.metric, 8, 'metric', at(Compute.metric)))
    .u8le(checkUint(m.k, 8, 'k', at(Compute.k)))
    .u8le(checkUint(m.flags, 8, 'flags', at(Compute.flags)))
    .u8le(0);
}

export function decodeCompute(r: ReadCursor, msgId: number): ComputeMsg {
  const metric = r.u8le('metric');
  const k = r.u8le('k');
  const flags = r.flags8(COMPUTE_FLAGS_KNOWN, 'compute flags');
  r.zero(1, 'reserved');
  r.end('COMPUTE');
  return { type: 'COMPUTE', msgId, metric, k, flags };
}

export function decodeReadTopk(r: ReadCursor, msgId: number): ReadTopkMsg {
  r.end('READ_TOPK');
  return { type: 'READ_TOPK', msgId };
}

export function decodeReset(r: ReadCursor, msgId: number): ResetMsg {
  r.end('RESET');
  return { type: 'RESET', msgId };
}
