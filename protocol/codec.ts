// encodeMessage / decodeMessage for every message type: the header plus the message's
// entry in CODECS. A new message type is one tag in constants.ts, one interface in
// types.ts and one entry here (the table's type refuses to compile without it).
import { Compute, Done, ErrorReply, HEADER_BYTES, MAX_PAYLOAD_BYTES, MSG_TYPE_NAMES, MsgType, NeedBlock, NeedNeighbors, TopkResult, type MsgTypeName } from './constants.ts';
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

/** Who sends a message: the tile (a reply, or a pull-mode request) or the hub; types.ts decides. */
type Sender<M extends Message> = M extends TileMessage ? 'tile' : 'hub';

/** Everything the codec knows about one message type. */
export interface MessageCodec<M extends Message> {
  from: Sender<M>;
  /** Payload bytes (after the 8 B header) of this message. */
  size(m: M): number;
  /** Writes the payload; range checks throw ProtocolError naming the field and offset. */
  encode(w: WriteCursor, m: M): void;
  /** Reads the payload strictly (reserved bytes, flags, counts, exact end). */
  decode(r: ReadCursor, msgId: number): M;
}

type MessageOf<K extends MsgTypeName> = Extract<Message, { type: K }>;

const noPayload = { size: () => 0, encode: () => {} };

/** One entry per message type in MsgType, no more, no fewer. */
export const CODECS: { readonly [K in MsgTypeName]: MessageCodec<MessageOf<K>> } = {
  LOAD_QUERY: { from: 'hub', size: loadQueryPayloadBytes, encode: encodeLoadQuery, decode: decodeLoadQuery },
  LOAD_BLOCK: { from: 'hub', size: loadBlockPayloadBytes, encode: encodeLoadBlock, decode: decodeLoadBlock },
  LOAD_NEIGHBORS: { from: 'hub', size: loadNeighborsPayloadBytes, encode: encodeLoadNeighbors, decode: decodeLoadNeighbors },
  LOAD_PARAMS: { from: 'hub', size: loadParamsPayloadBytes, encode: encodeLoadParams, decode: decodeLoadParams },
  COMPUTE: { from: 'hub', size: () => Compute.bytes, encode: encodeCompute, decode: decodeCompute },
  READ_TOPK: { from: 'hub', ...noPayload, decode: decodeReadTopk },
  RESET: { from: 'hub', ...noPayload, decode: decodeReset },
  TOPK_RESULT: { from: 'tile', size: (m) => TopkResult.headerBytes + TopkResult.entryBytes * m.entries.length, encode: encodeTopkResult, decode: decodeTopkResult },
  NEED_BLOCK: { from: 'tile', size: (m) => NeedBlock.headerBytes + 8 * m.ids.length, encode: encodeNeedBlock, decode: decodeNeedBlock },
  NEED_NEIGHBORS: { from: 'tile', size: () => NeedNeighbors.bytes, encode: encodeNeedNeighbors, decode: decodeNeedNeighbors },
  DONE: { from: 'tile', size: () => Done.bytes, encode: encodeDone, decode: decodeDone },
  ERROR: { from: 'tile', size: () => ErrorReply.bytes, encode: encodeError, decode: decodeError },
};

// TypeScript cannot correlate CODECS[m.type] with m's own type; the table's declared type
// above is what guarantees each entry matches its message.
function codecOf<M extends Message>(type: M['type']): MessageCodec<M> {
  return CODECS[type] as unknown as MessageCodec<M>;
}

/** The wire bytes of a message (header + payload), at most 2,048 B. */
export function encodeMessage(m: Message): Uint8Array {
  const bytes = new Uint8Array(HEADER_BYTES + payloadBytes(m));
  encodeInto(m, bytes);
  return bytes;
}

/** The wire bytes of each message, carved from one buffer: a block's chunk templates are kept
 *  (and collected) together instead of as one small buffer each. */
export function encodeMessages(ms: readonly Message[]): Uint8Array[] {
  const sizes = ms.map((m) => HEADER_BYTES + payloadBytes(m));
  const buffer = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
  let at = 0;
  return ms.map((m, i) => {
    const bytes = buffer.subarray(at, (at += sizes[i]!));
    encodeInto(m, bytes);
    return bytes;
  });
}

/** Payload bytes of `m`, checked before anything is allocated: a message that cannot fit the I/O buffer is refused. */
function payloadBytes(m: Message): number {
  const length = codecOf(m.type).size(m);
  if (length > MAX_PAYLOAD_BYTES) {
    throw new ProtocolError('oversized', 2, new Uint8Array(0), `${m.type} payload of ${length} B, a message carries at most ${MAX_PAYLOAD_BYTES} B`);
  }
  return length;
}

/** Writes `m` (header + payload) over all of `bytes`, sized by payloadBytes. */
function encodeInto(m: Message, bytes: Uint8Array): void {
  const w = new WriteCursor(bytes);
  encodeHeader(w, { msgType: MsgType[m.type], msgLength: bytes.length - HEADER_BYTES, msgId: m.msgId });
  codecOf(m.type).encode(w, m);
  if (w.offset !== bytes.length) throw new Error(`encoder for ${m.type} wrote ${w.offset} of ${bytes.length} B`); // a codec bug
}

/** Decodes exactly one whole message (sealed or not); anything malformed is a ProtocolError. */
export function decodeMessage(wire: Uint8Array): Message {
  const bytes = unsealMessage(wire);
  const { msgType, msgId } = decodeHeader(bytes);
  const name = MSG_TYPE_NAMES.get(msgType);
  // decodeHeader refuses unknown tags already; this keeps the lookup total.
  if (name === undefined) throw new ProtocolError('bad-type', 0, bytes.subarray(0, 2), `unknown msg_type 0x${msgType.toString(16)}`);
  return codecOf(name).decode(new ReadCursor(bytes, HEADER_BYTES), msgId);
}

function isTileMessage(m: Message): m is TileMessage {
  return CODECS[m.type].from === 'tile';
}

/** Decodes a message that must come from the tile (a reply or a pull-mode request). */
export function decodeTileMessage(bytes: Uint8Array): TileMessage {
  const m = decodeMessage(bytes);
  if (isTileMessage(m)) return m;
  throw new ProtocolError('bad-reply', 0, bytes.subarray(0, 2), `${m.type} is a hub-to-tile message, not a reply`);
}
