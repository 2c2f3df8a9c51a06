// Message integrity (docs/protocol.md "Integrity"): a sealed message has bit MSG_F_CRC in
// its type and a u32 CRC32C of its header and payload right after the payload. The tile
// checks sealed requests and seals its replies to them; the hub does the same on its side.
import { MSG_CRC_BYTES, MSG_F_CRC } from '../wat/layout.ts';
import { HEADER, HEADER_BYTES } from './constants.ts';
import { crc32c } from './crc32c.ts';
import { hexBytes, ProtocolError } from './errors.ts';

export function isSealed(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && (bytes[1]! & (MSG_F_CRC >> 8)) !== 0;
}

/** A copy of `message` (header + payload) with the flag set and the CRC appended. */
export function sealMessage(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(message.length + MSG_CRC_BYTES);
  out.set(message);
  out[1] = out[1]! | (MSG_F_CRC >> 8);
  new DataView(out.buffer).setUint32(message.length, crc32c(out.subarray(0, message.length)), true);
  return out;
}

/** The message without its seal, after checking it; unsealed messages pass through. */
export function unsealMessage(bytes: Uint8Array): Uint8Array {
  if (!isSealed(bytes)) return bytes;
  if (bytes.length < HEADER_BYTES + MSG_CRC_BYTES) {
    throw new ProtocolError('truncated', bytes.length, bytes, `sealed message of ${bytes.length} B has no room for its header and CRC32C`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = HEADER_BYTES + view.getUint16(HEADER.length, true);
  if (bytes.length !== end + MSG_CRC_BYTES) {
    throw new ProtocolError('bad-field', HEADER.length, bytes.subarray(2, 4), `sealed message is ${bytes.length} B, its msg_length says ${end + MSG_CRC_BYTES}`);
  }
  const stored = view.getUint32(end, true);
  const actual = crc32c(bytes.subarray(0, end));
  if (stored !== actual) {
    throw new ProtocolError('bad-crc', end, bytes.subarray(end), `CRC32C 0x${actual.toString(16).padStart(8, '0')} of the message does not match the trailer (${hexBytes(bytes.subarray(end))})`);
  }
  const plain = bytes.slice(0, end);
  plain[1] = plain[1]! & ~(MSG_F_CRC >> 8);
  return plain;
}
