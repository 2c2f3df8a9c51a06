// Range checks for encoders: a value that does not fit its wire field is refused rather
// than silently truncated by the DataView.
import { ProtocolError } from './errors.ts';

export function checkUint(value: number, bits: 8 | 16 | 32, what: string, offset: number): number {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) {
    throw new ProtocolError('oversized', offset, new Uint8Array(0), `${what} = ${value} does not fit u${bits}`);
  }
  return value;
}

export function checkU64(value: bigint, what: string, offset: number): bigint {
  if (value < 0n || value >= 1n << 64n) {
    throw new ProtocolError('oversized', offset, new Uint8Array(0), `${what} = ${value} does not fit u64`);
  }
  return value;
}

export function checkCount(count: number, max: number, what: string, offset: number): number {
  if (count > max) throw new ProtocolError('oversized', offset, new Uint8Array(0), `${what} = ${count}, at most ${max}`);
  return count;
}
