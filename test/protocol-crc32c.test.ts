import { describe, expect, it } from 'vitest';
// The host CRC32C (slice-by-8) against a bit-at-a-time loop written here, independently.
import { crc32cUpdate as crc32c } from '../protocol/crc32c.ts';

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
