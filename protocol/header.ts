// The 8 B message header: u16 msg_type, u16 msg_length (payload bytes), u32 msg_id.
import { HEADER, HEADER_BYTES, MAX_PAYLOAD_BYTES, MSG_TYPE_NAMES } from './constants.ts';
import { ReadCursor, type WriteCursor } from './cursor.ts';
import { ProtocolError } from './errors.ts';
import { checkUint } from './fields.ts';

export interface MessageHeader {
  msgType: number;
  msgLength: number;
  msgId: number;
}

export function encodeHeader(w: WriteCursor, h: MessageHeader): void {
  if (h.msgLength > MAX_PAYLOAD_BYTES) {
    throw new ProtocolError('oversized', HEADER.length, new Uint8Array(0), `payload of ${h.msgLength} B, a message carries at most ${MAX_PAYLOAD_BYTES} B`);
  }
  w.u16le(checkUint(h.msgType, 16, 'msg_type', HEADER.type)).u16le(h.msgLength).u32le(checkUint(h.msgId, 32, 'msg_id', HEADER.id));
}

/**
 * Reads and checks the header of a whole message: known type, payload within the
 * I/O buffer, and exactly msg_length payload bytes present (no fewer, no more).
 */
export function decodeHeader(bytes: Uint8Array): MessageHeader {
  const r = new ReadCursor(bytes);
  const msgType = r.u16le('msg_type');
  const msgLength = r.u16le('msg_length');
  const msgId = r.u32le('msg_id');
  if (!MSG_TYPE_NAMES.has(msgType)) throw new ProtocolError('bad-type', HEADER.type, bytes.subarray(0, 2), `unknown msg_type 0x${msgType.toString(16)}`);
  if (msgLength > MAX_PAYLOAD_BYTES) {
    throw new ProtocolError('oversized', HEADER.length, bytes.subarray(2, 4), `msg_length ${msgLength}, at most ${MAX_PAYLOAD_BYTES}`);
  }
  const end = HEADER_BYTES + msgLength;
  if (bytes.length < end) {
    throw new ProtocolError('truncated', bytes.length, bytes.subarray(HEADER_BYTES), `msg_length ${msgLength} but only ${bytes.length - HEADER_BYTES} payload byte(s)`);
  }
  if (bytes.length > end) throw new ProtocolError('trailing-bytes', end, bytes.subarray(end), `${bytes.length - end} byte(s) after a ${msgLength} B payload`);
  return { msgType, msgLength, msgId };
}
