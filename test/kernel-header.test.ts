import { describe, expect, it } from 'vitest';
import { REFUSED_HEADER_FIELDS, resealHeader } from '../tile/conformance/format-checks.ts';
import { crc32c } from '../tile/reference/crc32c.ts';
import {
  decodeSegmentHeader,
  encodeSegment,
  encodeSegmentHeader,
  HDR,
  headerCrc,
  SEG_TYPE,
  SEGMENT_HEADER_BYTES,
  SegmentHeaderError,
  verifySegmentHeader,
} from '../tile/reference/segment-header.ts';
import { BLOCK_PTR, DATA_BASE, IO_PTR, MEMORY_BYTES } from '../wat/layout.ts';
import { ERR_BAD_HEADER, ERR_BAD_POINTER, ERR_CRC_MISMATCH, OK } from '../wat/status.ts';
import type { TileInstance } from '../tile/tile-instance.ts';
import { BAD_INPUT_BUILDS, CONFORMANCE_BUILDS, expectUnchangedExcept, initTile, pseudoRandomBytes, snapshot, WORK_RANGE } from './helpers/kernel-ext.ts';

function place(tile: TileInstance, at: number, seg: Uint8Array): void {
  tile.bytes.set(seg, at);
}

/** The kernel's answer and the reference's, which must agree. */
function verify(tile: TileInstance, at: number): number {
  const status = tile.call('rvf_verify_header', at);
  expect(status).toBe(verifySegmentHeader(tile.bytes, at));
  return status;
}

describe('segment header encoder/decoder', () => {
  it('writes the public layout: magic bytes 53 46 56 52, version 1, fields little-endian', () => {
    const payload = pseudoRandomBytes(100, 1);
    const h = encodeSegmentHeader(payload, { segType: SEG_TYPE.meta, segmentId: 0x0102030405060708n, flags: 0xabcd, timestampNs: 77n });
    expect([...h.subarray(0, 4)]).toEqual([0x53, 0x46, 0x56, 0x52]);
    const d = decodeSegmentHeader(h);
    expect(d).toMatchObject({ version: 1, segType: 0x07, flags: 0xabcd, segmentId: 0x0102030405060708n, payloadLength: 100n, timestampNs: 77n });
    expect(d).toMatchObject({ checksumAlgo: 3, compression: 0, profileId: 1, uncompressedLen: 100, alignmentPad: 28 });
    expect(d.payloadCrc).toBe(crc32c(payload));
    expect([...d.contentHash.subarray(4)]).toEqual(new Array(12).fill(0));
    expect(d.headerCrc).toBe(headerCrc(h));
    expect(h[HDR.reserved23]).toBe(0);
  });

  it('covers every header byte except its own CRC field with the header CRC', () => {
    const h = encodeSegmentHeader(new Uint8Array(8));
    for (let i = 0; i < SEGMENT_HEADER_BYTES; i++) {
      const copy = h.slice();
      copy[i]! ^= 0x01;
      const inOwnField = i >= HDR.headerCrc && i < HDR.headerCrc + 4;
      expect(headerCrc(copy) === headerCrc(h)).toBe(inOwnField);
    }
  });

  it('refuses a truncated header with a typed error naming the offset', () => {
    expect(() => decodeSegmentHeader(new Uint8Array(63))).toThrow(SegmentHeaderError);
    expect(() => decodeSegmentHeader(new Uint8Array(64), 1)).toThrow(/at byte 0x1: truncated: 63 of 64 bytes/);
  });
});

describe.each(CONFORMANCE_BUILDS)('rvf_verify_header (%s)', (build) => {
  it('accepts a valid segment of each known type, in the I/O buffer and in scratch', () => {
    const tile = initTile(build);
    for (const segType of Object.values(SEG_TYPE)) {
      const seg = encodeSegment(pseudoRandomBytes(300, segType), { segType, segmentId: BigInt(segType) });
      place(tile, IO_PTR, seg);
      expect(verify(tile, IO_PTR)).toBe(OK);
      place(tile, BLOCK_PTR + 64, seg);
      expect(verify(tile, BLOCK_PTR + 64)).toBe(OK);
    }
  });

  it('accepts an empty payload and a payload that ends at the last byte of tile memory', () => {
    const tile = initTile(build);
    place(tile, IO_PTR, encodeSegment(new Uint8Array(0)));
    expect(verify(tile, IO_PTR)).toBe(OK);
    const seg = encodeSegment(pseudoRandomBytes(1000, 9));
    place(tile, MEMORY_BYTES - seg.length, seg);
    expect(verify(tile, MEMORY_BYTES - seg.length)).toBe(OK);
  });

  it('refuses a payload_length one byte past the end of tile memory as BAD_HEADER', () => {
    const tile = initTile(build);
    const payload = pseudoRandomBytes(1000, 9);
    const seg = encodeSegment(payload, { payloadLength: 1001n });
    place(tile, MEMORY_BYTES - seg.length, seg);
    expect(verify(tile, MEMORY_BYTES - seg.length)).toBe(ERR_BAD_HEADER);
    const huge = encodeSegment(payload, { payloadLength: 1n << 32n });
    place(tile, IO_PTR, huge);
    expect(verify(tile, IO_PTR)).toBe(ERR_BAD_HEADER);
  });

  it('reports CRC_MISMATCH for one flipped payload bit, anywhere in the payload', () => {
    const tile = initTile(build);
    const seg = encodeSegment(pseudoRandomBytes(257, 4));
    for (const at of [64, 64 + 128, seg.length - 1]) {
      const bad = seg.slice();
      bad[at]! ^= 0x80;
      place(tile, IO_PTR, bad);
      expect(verify(tile, IO_PTR)).toBe(ERR_CRC_MISMATCH);
    }
  });

  it('refuses a header whose own CRC does not match, even when the edit is to an unchecked field', () => {
    const tile = initTile(build);
    const seg = encodeSegment(pseudoRandomBytes(32, 5), { timestampNs: 5n });
    new DataView(seg.buffer).setBigUint64(HDR.timestampNs, 6n, true);
    place(tile, IO_PTR, seg);
    expect(verify(tile, IO_PTR)).toBe(ERR_BAD_HEADER);
    resealHeader(seg);
    place(tile, IO_PTR, seg);
    expect(verify(tile, IO_PTR)).toBe(OK);
  });

  it.each(REFUSED_HEADER_FIELDS)('refuses a resealed header with a wrong %s as BAD_HEADER', (_name, edit) => {
    const tile = initTile(build);
    const seg = encodeSegment(pseudoRandomBytes(40, 6));
    edit(new DataView(seg.buffer));
    resealHeader(seg);
    place(tile, IO_PTR, seg);
    expect(verify(tile, IO_PTR)).toBe(ERR_BAD_HEADER);
  });

  it('ignores flags, segment_id, timestamp and byte 0x23 beyond the header CRC', () => {
    const tile = initTile(build);
    const seg = encodeSegment(pseudoRandomBytes(40, 6), { flags: 0xffff, segmentId: ~0n & 0xffffffffffffffffn, timestampNs: 1n << 63n });
    seg[HDR.reserved23] = 0x5a;
    resealHeader(seg);
    place(tile, IO_PTR, seg);
    expect(verify(tile, IO_PTR)).toBe(OK);
  });
});

describe.each(BAD_INPUT_BUILDS)('rvf_verify_header writes nothing (%s)', (build) => {
  it.each([
    ['one byte below the data window', DATA_BASE - 1],
    ['a header running one byte past memory', MEMORY_BYTES - 63],
    ['address 0', 0],
    ['a negative address', -64],
  ])('returns BAD_POINTER for %s', (_n, ptr) => {
    const tile = initTile(build);
    const before = snapshot(tile);
    expect(tile.call('rvf_verify_header', ptr)).toBe(ERR_BAD_POINTER);
    expectUnchangedExcept(tile, before);
  });

  it('accepts a header in the last 64 bytes of memory with an empty payload', () => {
    const tile = initTile(build);
    place(tile, MEMORY_BYTES - 64, encodeSegment(new Uint8Array(0)));
    expect(tile.call('rvf_verify_header', MEMORY_BYTES - 64)).toBe(OK);
  });

  it('changes no byte of the tile on BAD_HEADER or CRC_MISMATCH, and verifies again afterwards', () => {
    const tile = initTile(build);
    const seg = encodeSegment(pseudoRandomBytes(500, 8));
    place(tile, IO_PTR, seg);
    tile.bytes[IO_PTR + 70]! ^= 1;
    let before = snapshot(tile);
    expect(tile.call('rvf_verify_header', IO_PTR)).toBe(ERR_CRC_MISMATCH);
    expectUnchangedExcept(tile, before, [WORK_RANGE]); // the CRCs it ran are counted
    tile.bytes[IO_PTR + 70]! ^= 1;
    tile.bytes[IO_PTR]! ^= 1;
    before = snapshot(tile);
    expect(tile.call('rvf_verify_header', IO_PTR)).toBe(ERR_BAD_HEADER);
    expectUnchangedExcept(tile, before, [WORK_RANGE]);
    tile.bytes[IO_PTR]! ^= 1;
    expect(tile.call('rvf_verify_header', IO_PTR)).toBe(OK);
  });
});
