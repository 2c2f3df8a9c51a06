import { describe, expect, it } from 'vitest';
// The host CRC32C (slice-by-16) against a bit-at-a-time loop written here, independently.
import { crc32cUpdate as crc32c } from '../protocol/crc32c.ts';
import { crc32c as referenceCrc32c } from '../tile/reference/crc32c.ts';
import { BLOCK_BYTES, BLOCK_PTR } from '../wat/layout.ts';
import { initTile, pseudoRandomBytes } from './helpers/kernel-ext.ts';

function bitwiseCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return ~crc >>> 0;
}

describe('crc32c', () => {
  it('gives the Castagnoli check value 0xE3069283 for "123456789"', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
  });

  it('gives 0 for empty input', () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('matches a bit-at-a-time reference for every length 0..40', () => {
    const bytes = Uint8Array.from({ length: 40 }, (_, i) => (i * 73 + 11) & 0xff);
    for (let length = 0; length <= bytes.length; length++) {
      expect(crc32c(bytes.subarray(0, length))).toBe(bitwiseCrc32c(bytes.subarray(0, length)));
    }
  });

  it('continues across pieces split at any point', () => {
    const bytes = Uint8Array.from({ length: 37 }, (_, i) => (i * 29) & 0xff);
    const whole = crc32c(bytes);
    for (let split = 0; split <= bytes.length; split++) {
      expect(crc32c(bytes.subarray(split), crc32c(bytes.subarray(0, split)))).toBe(whole);
    }
  });
});

/** The host CRC32C before slice-by-16 (byte reads, slice-by-8), kept here as a second reference. */
const SLICE8: Uint32Array = (() => {
  const t = new Uint32Array(256 * 8);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[b] = c >>> 0;
  }
  for (let b = 0; b < 256; b++) for (let k = 1, c = t[b]!; k < 8; k++) t[k * 256 + b] = c = ((c >>> 8) ^ t[c & 0xff]!) >>> 0;
  return t;
})();

function slice8Crc32c(bytes: Uint8Array, crcSoFar = 0): number {
  const t = SLICE8;
  let crc = ~crcSoFar >>> 0;
  let i = 0;
  const end8 = bytes.length - (bytes.length % 8);
  for (; i < end8; i += 8) {
    const lo = (crc ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) >>> 0;
    crc =
      t[7 * 256 + (lo & 0xff)]! ^ t[6 * 256 + ((lo >>> 8) & 0xff)]! ^ t[5 * 256 + ((lo >>> 16) & 0xff)]! ^ t[4 * 256 + (lo >>> 24)]! ^
      t[3 * 256 + bytes[i + 4]!]! ^ t[2 * 256 + bytes[i + 5]!]! ^ t[256 + bytes[i + 6]!]! ^ t[bytes[i + 7]!]!;
  }
  for (; i < bytes.length; i++) crc = (crc >>> 8) ^ t[(crc ^ bytes[i]!) & 0xff]!;
  return ~crc >>> 0;
}

describe('crc32c slice-by-16 against the slice-by-8 it replaced, the tile reference and the kernel', () => {
  const source = pseudoRandomBytes(70_000, 14);
  // Random ranges of one buffer: every alignment of byteOffset, lengths around the word loop's edges and long.
  const ranges = Array.from({ length: 400 }, (_, i) => {
    const r = pseudoRandomBytes(8, i + 1);
    const offset = r[0]! & 7;
    const length = i < 150 ? i : i < 300 ? (r[1]! | (r[2]! << 8)) % 2100 : (r[1]! | (r[2]! << 8) | ((r[3]! & 0x7f) << 16)) % 66_000;
    return source.subarray(offset, offset + length);
  });

  it('equals the old implementation and the tile reference on random ranges at every alignment', () => {
    for (const bytes of ranges) {
      expect(crc32c(bytes)).toBe(slice8Crc32c(bytes));
      expect(crc32c(bytes)).toBe(referenceCrc32c(bytes));
    }
  });

  it('continues a CRC over pieces as the old implementation does, and reads a prefix in place', () => {
    for (const bytes of ranges.slice(140, 220)) {
      const cut = bytes.length >>> 1;
      const first = crc32c(bytes.subarray(0, cut));
      expect(crc32c(bytes.subarray(cut), first)).toBe(slice8Crc32c(bytes.subarray(cut), slice8Crc32c(bytes.subarray(0, cut))));
      expect(crc32c(bytes, 0, cut)).toBe(first);
    }
  });

  it('equals rvf_crc32c of the tile kernel on random bytes', () => {
    const tile = initTile('simd');
    for (const bytes of ranges.filter((b) => b.length <= BLOCK_BYTES)) {
      const at = BLOCK_PTR + (bytes.byteOffset & 3);
      tile.bytes.set(bytes, at);
      expect(tile.call('rvf_crc32c', at, bytes.length) >>> 0).toBe(crc32c(bytes));
    }
  });
});
