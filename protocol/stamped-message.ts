// A message the hub sends, as a template and a msg_id: the template's encoded bytes with the
// msg_id written into the header and, in integrity mode, the seal (integrity.ts) appended.
// The hub sends the same encoded chunks many times with fresh ids; writing template and id
// once, straight where the message goes (the tile's I/O buffer in simulation), saves a 2 KB
// copy per message (docs/performance.md). `writeStampedMessage` is the one place the stamped
// bytes are made, so every reader (the tile, a fault tap's copy, the bench's replay) sees the
// same bytes `sealMessage(stamp(copy(template)))` gave.
import { MSG_CRC_BYTES, MSG_F_CRC } from '../wat/layout.ts';
import { HEADER } from './constants.ts';
import type { ByteSlab } from './byte-slab.ts';
import { crc32cUpdate } from './crc32c.ts';

/** Bytes of the stamped message: the template, and the seal's CRC when sealed. */
export function stampedLength(template: Uint8Array, sealed: boolean): number {
  return stampedLengthOf(template.length, sealed);
}

/** stampedLength from the template's length alone (its facts, template-facts.ts). */
export function stampedLengthOf(templateLength: number, sealed: boolean): number {
  return sealed ? templateLength + MSG_CRC_BYTES : templateLength;
}

/** Writes `msgId` (u32 little-endian) into the header of the message at `dst[at]`. */
export function stampMsgIdAt(dst: Uint8Array, at: number, msgId: number): void {
  // Byte by byte: a DataView per message was a measurable allocation.
  const i = at + HEADER.id;
  dst[i] = msgId & 0xff;
  dst[i + 1] = (msgId >>> 8) & 0xff;
  dst[i + 2] = (msgId >>> 16) & 0xff;
  dst[i + 3] = msgId >>> 24;
}

/**
 * Writes the stamped message into `dst` at `at` (room for stampedLength bytes is the
 * caller's): the template, its msg_id, and when `sealed` the MSG_F_CRC flag and the CRC32C
 * of the stamped header and payload right after them, exactly as sealMessage computes it.
 * Returns the message's length.
 */
export function writeStampedMessage(dst: Uint8Array, at: number, template: Uint8Array, msgId: number, sealed: boolean): number {
  const n = template.length;
  dst.set(template, at);
  stampMsgIdAt(dst, at, msgId);
  if (!sealed) return n;
  dst[at + 1] = dst[at + 1]! | (MSG_F_CRC >> 8);
  const crc = crc32cUpdate(dst.subarray(at, at + n)); // integrity mode only: one view per message
  dst[at + n] = crc & 0xff;
  dst[at + n + 1] = (crc >>> 8) & 0xff;
  dst[at + n + 2] = (crc >>> 16) & 0xff;
  dst[at + n + 3] = crc >>> 24;
  return n + MSG_CRC_BYTES;
}

/** Type field (u16 at HEADER.type, with MSG_F_CRC when sealed) of the stamped message. */
export function stampedType(template: Uint8Array, sealed: boolean): number {
  const t = HEADER.type;
  if (template.length < t + 2) return -1;
  return stampedTypeOf(template[t]! | (template[t + 1]! << 8), sealed);
}

/** stampedType from the template's type field alone (its facts, template-facts.ts). */
export function stampedTypeOf(templateType: number, sealed: boolean): number {
  return sealed ? templateType | MSG_F_CRC : templateType;
}

/** The stamped message as bytes of its own (carved from `slab` if given): for readers that
 *  keep or change a message (a fault tap keys and corrupts the very bytes it is given). */
export function stampedCopy(template: Uint8Array, msgId: number, sealed: boolean, slab?: ByteSlab): Uint8Array {
  const n = stampedLength(template, sealed);
  const out = slab ? slab.carve(n) : new Uint8Array(n);
  writeStampedMessage(out, 0, template, msgId, sealed);
  return out;
}
