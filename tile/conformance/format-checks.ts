// Conformance of the integrity exports: rvf_verify_header on valid segments of every type
// and on every way a header can be wrong (each refused field resealed, a flipped payload
// bit, a stale header CRC, a payload past memory, pointers outside the window), the status
// equal to tile/reference/segment-header.ts's; and rvf_crc32c's table and check value.
import { CRC_TABLE_PTR, DATA_BASE, IO_PTR, MEMORY_BYTES, BLOCK_PTR, DTYPE_FP16 } from '../../wat/layout.ts';
import { statusName } from '../../wat/status.ts';
import { crc32c, crc32cTable } from '../reference/crc32c.ts';
import { encodeSegment, HDR, headerCrc, SEG_TYPE, verifySegmentHeader } from '../reference/segment-header.ts';
import { TileInstance } from '../tile-instance.ts';
import type { LoadedKernel } from '../kernel-module.ts';
import type { CaseRandom } from './cases.ts';
import { guardedCheck, hex, initedTile, type CheckResult, type Sink } from './check-kit.ts';

/** Rewrites the header CRC after a field was changed on purpose. */
export function resealHeader(seg: Uint8Array): void {
  new DataView(seg.buffer, seg.byteOffset).setUint32(HDR.headerCrc, headerCrc(seg), true);
}

export function randomBytes(prng: CaseRandom, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => prng.nextInt(0, 255));
}

/** Header fields a Core reader must refuse, each as an edit of a valid header. */
export const REFUSED_HEADER_FIELDS: readonly [string, (v: DataView) => void][] = [
  ['magic', (v) => v.setUint32(HDR.magic, 0x52564654, true)],
  ['version 0', (v) => v.setUint8(HDR.version, 0)],
  ['version 2', (v) => v.setUint8(HDR.version, 2)],
  ['seg_type 0', (v) => v.setUint8(HDR.segType, 0)],
  ['seg_type 0x03', (v) => v.setUint8(HDR.segType, 0x03)],
  ['seg_type 0x11', (v) => v.setUint8(HDR.segType, 0x11)],
  ['seg_type 0x21 (32 + a known bit)', (v) => v.setUint8(HDR.segType, 0x21)],
  ['seg_type 0xff', (v) => v.setUint8(HDR.segType, 0xff)],
  ['compression LZ4', (v) => v.setUint8(HDR.compression, 1)],
  ['checksum_algo XXH3 (1)', (v) => v.setUint8(HDR.checksumAlgo, 1)],
  ['checksum_algo SHAKE-256 (2)', (v) => v.setUint8(HDR.checksumAlgo, 2)],
  ['checksum_algo 4', (v) => v.setUint8(HDR.checksumAlgo, 4)],
  ['profile generic (0)', (v) => v.setUint8(HDR.profileId, 0)],
  ['profile hot (2)', (v) => v.setUint8(HDR.profileId, 2)],
  ['profile full (3)', (v) => v.setUint8(HDR.profileId, 3)],
  ['payload_length one past memory', (v) => v.setBigUint64(HDR.payloadLength, BigInt(MEMORY_BYTES), true)],
  ['payload_length 2^32', (v) => v.setBigUint64(HDR.payloadLength, 1n << 32n, true)],
];

interface HeaderCase {
  what: string;
  at: number;
  seg: Uint8Array;
}

function headerCases(prng: CaseRandom): HeaderCase[] {
  const out: HeaderCase[] = [];
  for (const segType of Object.values(SEG_TYPE)) {
    const seg = encodeSegment(randomBytes(prng, prng.nextInt(0, 700)), { segType, segmentId: BigInt(prng.nextInt(0, 1 << 30)), flags: prng.nextInt(0, 0xffff) });
    out.push({ what: `valid seg_type ${hex(segType)}, ${seg.length - 64} B payload`, at: IO_PTR + 4 * prng.nextInt(0, 8), seg });
    const bit = seg.slice();
    const flip = 64 + prng.nextInt(0, Math.max(0, seg.length - 65));
    if (flip < bit.length) bit[flip]! ^= 1 << prng.nextInt(0, 7);
    out.push({ what: `seg_type ${hex(segType)} with payload byte ${flip} flipped`, at: BLOCK_PTR + 64, seg: bit });
  }
  const empty = encodeSegment(new Uint8Array(0));
  out.push({ what: 'empty payload in the last 64 B of memory', at: MEMORY_BYTES - 64, seg: empty });
  const last = encodeSegment(randomBytes(prng, 1000));
  out.push({ what: 'payload ending at the last byte of memory', at: MEMORY_BYTES - last.length, seg: last });
  const stale = encodeSegment(randomBytes(prng, 40), { timestampNs: 5n });
  new DataView(stale.buffer).setBigUint64(HDR.timestampNs, 6n, true);
  out.push({ what: 'timestamp edited without resealing the header CRC', at: IO_PTR, seg: stale });
  for (const [field, edit] of REFUSED_HEADER_FIELDS) {
    const seg = encodeSegment(randomBytes(prng, 40));
    edit(new DataView(seg.buffer));
    resealHeader(seg);
    out.push({ what: `resealed header with ${field}`, at: IO_PTR, seg });
  }
  for (const [where, at] of [['one byte below the data window', DATA_BASE - 1], ['running one byte past memory', MEMORY_BYTES - 63], ['address 0', 0]] as const) {
    out.push({ what: `header pointer ${where}`, at, seg: new Uint8Array(0) });
  }
  return out;
}

function headerCheck(kernel: LoadedKernel, prng: CaseRandom, sink: Sink): CheckResult {
  const cases = headerCases(prng);
  return guardedCheck('rvf_verify_header: valid segments, refused fields, flipped bits, bounds', cases.length, () => {
    const tile = initedTile(kernel, DTYPE_FP16, 8);
    for (const c of cases) {
      tile.bytes.set(c.seg, c.at);
      const want = verifySegmentHeader(tile.bytes, c.at);
      const got = tile.call('rvf_verify_header', c.at);
      sink(String(got));
      if (got !== want) return `${c.what} at 0x${(c.at >>> 0).toString(16)}: expected ${statusName(want)} got ${statusName(got)} (${got})`;
    }
    return undefined;
  });
}

const CHECK_VALUE = new TextEncoder().encode('123456789');

function crcTableCheck(kernel: LoadedKernel, prng: CaseRandom, sink: Sink): CheckResult {
  return guardedCheck('rvf_crc32c: table after rvf_init, check value at 4 alignments, lengths 0..67, before rvf_init', 1 + 4 + 68 + 1, () => {
    const tile = initedTile(kernel, DTYPE_FP16, 8);
    const table = new Uint32Array(tile.memory.buffer.slice(CRC_TABLE_PTR, CRC_TABLE_PTR + 1024));
    const want = crc32cTable();
    for (let i = 0; i < 256; i++) if (table[i] !== want[i]) return `CRC table entry ${i} at 0x${(CRC_TABLE_PTR + 4 * i).toString(16)}: expected ${hex(want[i]!)} got ${hex(table[i]!)}`;
    for (let shift = 0; shift < 4; shift++) {
      tile.bytes.set(CHECK_VALUE, IO_PTR + shift);
      const got = tile.call('rvf_crc32c', IO_PTR + shift, CHECK_VALUE.length) >>> 0;
      if (got !== 0xe3069283) return `"123456789" at I/O + ${shift}: expected 0xe3069283 got ${hex(got)}`;
    }
    const data = randomBytes(prng, 67);
    tile.bytes.set(data, IO_PTR + 1);
    for (let len = 0; len <= 67; len++) {
      const got = tile.call('rvf_crc32c', IO_PTR + 1, len) >>> 0;
      sink(String(got));
      const w = crc32c(data.subarray(0, len));
      if (got !== w) return `first ${len} of 67 random bytes at I/O + 1: expected ${hex(w)} got ${hex(got)}`;
    }
    const fresh = new TileInstance(0, kernel);
    fresh.bytes.set(CHECK_VALUE, IO_PTR);
    const got = fresh.call('rvf_crc32c', IO_PTR, CHECK_VALUE.length) >>> 0;
    return got === 0xe3069283 ? undefined : `"123456789" on a tile that never ran rvf_init: expected 0xe3069283 got ${hex(got)}`;
  });
}

export function formatChecks(kernel: LoadedKernel, prng: CaseRandom, sink: Sink): CheckResult[] {
  return [headerCheck(kernel, prng, sink), crcTableCheck(kernel, prng, sink)];
}
