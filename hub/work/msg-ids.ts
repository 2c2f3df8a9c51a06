// The hub's msg_id allocator. Each message the hub sends carries a fresh id its reply must
// echo; ids count up from `first` and wrap back to it (never 0, which no reply may carry).
// Pull walks draw from their own range (0x80000000 up) so a walk's ids never meet the ids
// of the steps around it.
import { HEADER } from '../../protocol/constants.ts';

export const STEP_MSG_IDS_FIRST = 1;
export const WALK_MSG_IDS_FIRST = 0x80000000;

export class MsgIds {
  private nextId: number;

  constructor(private readonly first: number) {
    this.nextId = first;
  }

  take(): number {
    const id = this.nextId;
    this.nextId = (id + 1) >>> 0 || this.first;
    return id;
  }
}

/** Writes `msgId` into an encoded message's header (the bytes are the caller's own copy). */
export function stampMsgId(bytes: Uint8Array, msgId: number): Uint8Array {
  // Byte by byte, little-endian: a DataView per message was a measurable allocation.
  const at = HEADER.id;
  bytes[at] = msgId & 0xff;
  bytes[at + 1] = (msgId >>> 8) & 0xff;
  bytes[at + 2] = (msgId >>> 16) & 0xff;
  bytes[at + 3] = msgId >>> 24;
  return bytes;
}
