// The one error the codec throws: what is wrong, where (byte offset in the message) and
// the offending byte(s) in hex, so a bad message can be found in a trace dump.

export type ProtocolErrorKind =
  | 'truncated' // fewer bytes than the field or the declared length needs
  | 'oversized' // a length or count larger than the protocol allows
  | 'trailing-bytes' // bytes after the end of the message
  | 'bad-type' // unknown msg_type, dtype, kind
  | 'bad-field' // a value the format forbids (reserved bits set, length inconsistent)
  | 'bad-reply' // the tile answered with something that is not a reply to the request
  | 'bad-crc'; // the CRC32C trailer does not match the message (corrupted in transit)

export function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

export class ProtocolError extends Error {
  readonly offendingHex: string;
  constructor(
    readonly kind: ProtocolErrorKind,
    readonly offset: number,
    offending: Uint8Array,
    detail: string,
  ) {
    const hex = offending.length > 0 ? hexBytes(offending.subarray(0, 16)) + (offending.length > 16 ? ' ...' : '') : '<none>';
    super(`${kind} at offset 0x${offset.toString(16)} (byte(s) ${hex}): ${detail}`);
    this.name = 'ProtocolError';
    this.offendingHex = hex;
  }
}
