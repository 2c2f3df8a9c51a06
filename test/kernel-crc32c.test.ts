import { describe, expect, it } from 'vitest';
import { crc32c, crc32cTable } from '../tile/reference/crc32c.ts';
import { crc32c as hubCrc32c } from '../protocol/crc32c.ts';
import { BLOCK_BYTES, BLOCK_PTR, CRC_TABLE_PTR, DATA_BASE, IO_PTR, MEMORY_BYTES } from '../wat/layout.ts';
import { ERR_BAD_POINTER, OK } from '../wat/status.ts';
import { TileInstance } from '../tile/tile-instance.ts';
import { BAD_INPUT_BUILDS, CONFORMANCE_BUILDS, expectUnchangedExcept, initTile, LAST_STATUS_RANGE, lastStatus, pseudoRandomBytes, snapshot } from './helpers/kernel-ext.ts';

const CHECK = new TextEncoder().encode('123456789');

describe('CRC32C reference', () => {
  it('gives the Castagnoli check value 0xE3069283 for "123456789"', () => {
    expect(crc32c(CHECK)).toBe(0xe3069283);
  });

  it('gives 0 for empty input and the known value for 32 zero bytes', () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa); // RFC 3720 B.4
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43); // RFC 3720 B.4
  });

  it('agrees with the host CRC32C (protocol/crc32c.ts, slice-by-8), written independently', () => {
    const data = pseudoRandomBytes(5000, 7);
    expect(crc32c(data)).toBe(hubCrc32c(data) >>> 0);
  });
});

describe.each(CONFORMANCE_BUILDS)('rvf_crc32c (%s)', (build) => {
  it('builds the 1 KB table in rvf_init, equal to the reference table', () => {
    const tile = initTile(build);
    expect(new Uint32Array(tile.memory.buffer, CRC_TABLE_PTR, 256)).toEqual(crc32cTable());
  });

  it('returns the check value for "123456789" at every alignment and sets last status OK', () => {
    const tile = initTile(build);
    for (let shift = 0; shift < 4; shift++) {
      tile.bytes.set(CHECK, IO_PTR + shift);
      expect(tile.call('rvf_crc32c', IO_PTR + shift, CHECK.length) >>> 0).toBe(0xe3069283);
      expect(lastStatus(tile)).toBe(OK);
    }
  });

  it('equals the reference for every length 0..67 (word loop and byte tail)', () => {
    const tile = initTile(build);
    const data = pseudoRandomBytes(67, 3);
    tile.bytes.set(data, IO_PTR);
    for (let len = 0; len <= 67; len++) {
      expect(tile.call('rvf_crc32c', IO_PTR, len) >>> 0).toBe(crc32c(data.subarray(0, len)));
    }
  });

  it('equals the reference over a whole 32 KB block and over the last byte of tile memory', () => {
    const tile = initTile(build);
    const data = pseudoRandomBytes(BLOCK_BYTES, 11);
    tile.bytes.set(data, BLOCK_PTR);
    expect(tile.call('rvf_crc32c', BLOCK_PTR, BLOCK_BYTES) >>> 0).toBe(crc32c(data));
    expect(tile.call('rvf_crc32c', MEMORY_BYTES - 1, 1) >>> 0).toBe(crc32c(tile.bytes.subarray(MEMORY_BYTES - 1)));
  });

  it('is correct on a fresh tile that never ran rvf_init (builds its table on first use)', () => {
    const tile = new TileInstance(0, build);
    tile.bytes.set(CHECK, IO_PTR);
    expect(tile.call('rvf_crc32c', IO_PTR, CHECK.length) >>> 0).toBe(0xe3069283);
  });
});

describe.each(BAD_INPUT_BUILDS)('rvf_crc32c bad pointers (%s)', (build) => {
  const cases: [string, number, number][] = [
    ['one byte below the data window', DATA_BASE - 1, 1],
    ['one byte past the end of tile memory', MEMORY_BYTES - 4, 5],
    ['a length that wraps 32 bits', IO_PTR, 0xffffffff],
    ['address 0', 0, 0],
  ];
  it.each(cases)('returns 0 with BAD_POINTER for %s, writes nothing else, and stays usable', (_name, ptr, len) => {
    const tile = initTile(build);
    tile.bytes.set(CHECK, IO_PTR + 100);
    const before = snapshot(tile);
    expect(tile.call('rvf_crc32c', ptr, len | 0)).toBe(0);
    expect(lastStatus(tile)).toBe(ERR_BAD_POINTER);
    expectUnchangedExcept(tile, before, [LAST_STATUS_RANGE]);
    expect(tile.call('rvf_crc32c', IO_PTR + 100, CHECK.length) >>> 0).toBe(0xe3069283);
    expect(lastStatus(tile)).toBe(OK);
  });

  it('accepts the limits: the first byte of the data window and the whole of memory above it', () => {
    const tile = initTile(build);
    tile.call('rvf_crc32c', DATA_BASE, MEMORY_BYTES - DATA_BASE);
    expect(lastStatus(tile)).toBe(OK);
    expect(tile.call('rvf_crc32c', DATA_BASE, 0)).toBe(0);
    expect(lastStatus(tile)).toBe(OK);
  });
});
