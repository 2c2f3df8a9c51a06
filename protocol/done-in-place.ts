// The reply a hub gets for nearly every message (a DONE, ~95% of a push run's messages are
// block chunks it answers), read in place: the header and the fixed payload straight from the
// bytes, with no cursor, no copy and no object. It accepts exactly the DONE replies the full
// decoder (codec.ts decodeMessage) accepts and reads the same fields; anything else (another
// type, a wrong length, a reserved bit set, a seal that does not check) is left to the full
// decoder, which gives the same answer or the same error it always gave.
import { Done, HEADER, HEADER_BYTES, MsgType } from './constants.ts';
import { crc32cUpdate } from './crc32c.ts';
import { u16le, u32le } from './le-bytes.ts';
import type { DoneMsg } from './types.ts';
import { MSG_CRC_BYTES, MSG_F_CRC } from '../wat/layout.ts';

const DONE_BYTES = HEADER_BYTES + Done.bytes;
const SEALED_DONE_BYTES = DONE_BYTES + MSG_CRC_BYTES;
const SEALED_DONE_TYPE = MsgType.DONE | MSG_F_CRC;


/** `doneIdInPlace`: the bytes are not a well-formed DONE (a msg_id is a u32, never negative). */
export const NOT_A_DONE = -1;

/**
 * The msg_id of `bytes` when they are a well-formed DONE: unsealed (only when `sealedOnly` is
 * false), or sealed with a CRC32C that checks; NOT_A_DONE for everything else. It reads and
 * writes nothing else: the hub's one-pass reply (hub/core/one-pass-reply.ts) needs only the id.
 */
export function doneIdInPlace(bytes: Uint8Array, sealedOnly: boolean): number {
  const n = bytes.length;
  if (n === DONE_BYTES) {
    if (sealedOnly || u16le(bytes, HEADER.type) !== MsgType.DONE) return NOT_A_DONE;
  } else if (n !== SEALED_DONE_BYTES || u16le(bytes, HEADER.type) !== SEALED_DONE_TYPE || u32le(bytes, DONE_BYTES) !== crc32cUpdate(bytes, 0, DONE_BYTES)) {
    return NOT_A_DONE;
  }
  if (u16le(bytes, HEADER.length) !== Done.bytes || u16le(bytes, HEADER_BYTES + Done.reserved) !== 0) return NOT_A_DONE;
  return u32le(bytes, HEADER.id);
}

/**
 * Reads `bytes` into `into` when they are a well-formed DONE (doneIdInPlace). Returns false,
 * leaving `into` as it was, for everything else: the caller decodes those in full.
 */
export function readDoneInPlace(bytes: Uint8Array, into: DoneMsg, sealedOnly: boolean): boolean {
  const msgId = doneIdInPlace(bytes, sealedOnly);
  if (msgId === NOT_A_DONE) return false;
  into.msgId = msgId;
  into.requestType = u16le(bytes, HEADER_BYTES + Done.requestType);
  into.value = u32le(bytes, HEADER_BYTES + Done.value);
  return true;
}
