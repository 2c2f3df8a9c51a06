// encodeMessage / decodeMessage for every message type: the header plus the family codec.
import { HEADER_BYTES, MAX_PAYLOAD_BYTES, MSG_TYPE_NAMES, MsgType } from './constants.ts';
import { ReadCursor, WriteCursor } from './cursor.ts';
import { ProtocolError } from './errors.ts';
import { decodeHeader, encodeHeader } from './header.ts';
import { unsealMessage } from './integrity.ts';
import { decodeLoadBlock, encodeLoadBlock, loadBlockPayloadBytes } from './messages/block.ts';
import { decodeCompute, decodeReadTopk, decodeReset, encodeCompute } from './messages/control.ts';
import { decodeLoadNeighbors, decodeNeedNeighbors, encodeLoadNeighbors, encodeNeedNeighbors, loadNeighborsPayloadBytes } from './messages/neighbors.ts';
import { decodeLoadParams, encodeLoadParams, loadParamsPayloadBytes } from './messages/params.ts';
import { decodeLoadQuery, encodeLoadQuery, loadQueryPayloadBytes } from './messages/query.ts';
import { decodeDone, decodeError, decodeNeedBlock, decodeTopkResult, encodeDone, encodeError, encodeNeedBlock, encodeTopkResult } from './messages/replies.ts';
import type { Message, TileMessage } from './types.ts';

function payloadBytes(m: Message): number {
  switch (m.type) {
    case 'LOAD_QUERY':
      return loadQueryPayloadBytes(m);
    case 'LOAD_BLOCK':
      return loadBlockPayloadBytes(m);
    case 'LOAD_NEIGHBORS':
      return loadNeighborsPayloadBytes(m);
    case 'LOAD_PARAMS':
      return loadParamsPayloadBytes(m);
    case 'COMPUTE':
      return 4;
    case 'READ_TOPK':
    case 'RESET':
      return 0;
    case 'TOPK_RESULT':
      return 8 + 16 * m.entries.length;
    case 'NEED_BLOCK':
      return 8 + 8 * m.ids.length;
    case 'NEED_NEIGHBORS':
      return 16;
    case 'DONE':
    case 'ERROR':
      return 8;
  }
}

function encodePayload(w: WriteCursor, m: Message): void {
  switch (m.type) {
    case 'LOAD_QUERY':
      return encodeLoadQuery(w, m);
    case 'LOAD_BLOCK':
      return encodeLoadBlock(w, m);
    case 'LOAD_NEIGHBORS':
      return encodeLoadNeighbors(w, m);
    case 'LOAD_PARAMS':
      return encodeLoadParams(w, m);
    case 'COMPUTE':
      return encodeCompute(w, m);
    case 'READ_TOPK':
    case 'RESET':
      return;
    case 'TOPK_RESULT':
      return encodeTopkResult(w, m);
    case 'NEED_BLOCK':
      return encodeNeedBlock(w, m);
    case 'NEED_NEIGHBORS':
      return encodeNeedNeighbors(w, m);
    case 'DONE':
      return encodeDone(w, m);
    case 'ERROR':
      return encodeError(w, m);
  }
}

/** The wire bytes of a message (header + payload), at most 2,048 B. */
export function encodeMessage(m: Message): Uint8Array {
  const length = payloadBytes(m);
  // Checked before allocating: a message that cannot fit the I/O buffer is refused here.
  if (length > MAX_PAYLOAD_BYTES) {
    throw new ProtocolError('oversized', 2, new Uint8Array(0), `${m.type} payload of ${length} B, a message carries at most ${MAX_PAYLOAD_BYTES} B`);
  }
  const bytes = new Uint8Array(HEADER_BYTES + length);
  const w = new WriteCursor(bytes);
  encodeHeader(w, { msgType: MsgType[m.type], msgLength: length, msgId: m.msgId });
  encodePayload(w, m);
  if (w.offset !== bytes.length) throw new Error(`encoder for ${m.type} wrote ${w.offset} of ${bytes.length} B`); // a codec bug
  return bytes;
}

/** Decodes exactly one whole message (sealed or not); anything malformed is a ProtocolError. */
export function decodeMessage(wire: Uint8Array): Message {
  const bytes = unsealMessage(wire);
  const { msgType, msgId } = decodeHeader(bytes);
  const r = new ReadCursor(bytes, HEADER_BYTES);
  switch (MSG_TYPE_NAMES.get(msgType)) {
    case 'LOAD_QUERY':
      return decodeLoadQuery(r, msgId);
    case 'LOAD_BLOCK':
      return decodeLoadBlock(r, msgId);
    case 'LOAD_NEIGHBORS':
      return decodeLoadNeighbors(r, msgId);
    case 'LOAD_PARAMS':
      return decodeLoadParams(r, msgId);
    case 'COMPUTE':
      return decodeCompute(r, msgId);
    case 'READ_TOPK':
      return decodeReadTopk(r, msgId);
    case 'RESET':
      return decodeReset(r, msgId);
    case 'TOPK_RESULT':
      return decodeTopkResult(r, msgId);
    case 'NEED_BLOCK':
      return decodeNeedBlock(r, msgId);
    case 'NEED_NEIGHBORS':
      return decodeNeedNeighbors(r, msgId);
    case 'DONE':
      return decodeDone(r, msgId);
    case 'ERROR':
      return decodeError(r, msgId);
    default:
      throw new ProtocolError('bad-type', 0, bytes.subarray(0, 2), `unknown msg_type 0x${msgType.toString(16)}`);
  }
}

/** Decodes a message that must come from the tile (a reply or a pull-mode request). */
export function decodeTileMessage(bytes: Uint8Array): TileMessage {
  const m = decodeMessage(bytes);
  if (m.type === 'TOPK_RESULT' || m.type === 'NEED_BLOCK' || m.type === 'NEED_NEIGHBORS' || m.type === 'DONE' || m.type === 'ERROR') return m;
  throw new ProtocolError('bad-reply', 0, bytes.subarray(0, 2), `${m.type} is a hub-to-tile message, not a reply`);
}
