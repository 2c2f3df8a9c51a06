// cogsim's 64-byte RVF segment header: the public RVF layout (rvf-types) with
// checksum_algo 3 = CRC32C, the payload CRC in content_hash[0..4], the profile id in the
// reserved byte 0x22 and a CRC32C of the header itself in the reserved u32 at 0x24.
// docs/format.md has the byte table and the reasons. This module is the hub's encoder and
// decoder and the reference for the kernel's rvf_verify_header.
import { DATA_BASE, MEMORY_BYTES } from '../../wat/layout.ts';
import { ERR_BAD_HEADER, ERR_BAD_POINTER, ERR_CRC_MISMATCH, OK } from '../../wat/status.ts';
import { crc32c, crc32cRun } from './crc32c.ts';

export const SEGMENT_HEADER_BYTES = 64;
export const SEGMENT_MAGIC = 0x52564653; // bytes 53 46 56 52 ("SFVR")
export const SEGMENT_VERSION = 1;
export const CHECKSUM_ALGO_CRC32C = 3; // cogsim extension; public: 1 XXH3-128, 2 SHAKE-256
export const COMPRESSION_NONE = 0;
export const PROFILE_GENERIC = 0;
export const PROFILE_CORE = 1;
export const PROFILE_HOT = 2;
export const PROFILE_FULL = 3;

/**
 * Whether a reader of profile `reader` (core, hot or full) reads a segment of profile `file`
 * (spec section 5): Core reads Core; Hot reads Core and Hot; Full reads all, and generic
 * (0) needs Full. A tile is a Core reader.
 */
export function readerReads(reader: number, file: number): boolean {
  if (reader === PROFILE_FULL) return file >= PROFILE_GENERIC && file <= PROFILE_FULL;
  if (reader === PROFILE_HOT) return file === PROFILE_CORE || file === PROFILE_HOT;
  if (reader === PROFILE_CORE) return file === PROFILE_CORE;
  throw new RangeError(`profile ${reader} is not a reader profile (core 1, hot 2 or full 3)`);
}

/** Segment types a Core tile knows (public codes). Any other type is refused. */
export const SEG_TYPE = { vec: 0x01, index: 0x02, manifest: 0x05, meta: 0x07, wasm: 0x10 } as const;
export const KNOWN_SEG_TYPES: ReadonlySet<number> = new Set(Object.values(SEG_TYPE));

/** Byte offsets of every field. */
export const HDR = {
  magic: 0x00, // u32
  version: 0x04, // u8
  segType: 0x05, // u8
  flags: 0x06, // u16
  segmentId: 0x08, // u64
  payloadLength: 0x10, // u64
  timestampNs: 0x18, // u64
  checksumAlgo: 0x20, // u8
  compression: 0x21, // u8
  profileId: 0x22, // u8 (public: reserved)
  reserved23: 0x23, // u8, written 0
  headerCrc: 0x24, // u32 (public: reserved)
  contentHash: 0x28, // 16 B: payload CRC32C u32 LE, then 12 zero bytes
  uncompressedLen: 0x38, // u32
  alignmentPad: 0x3c, // u32
} as const;

export interface SegmentHeader {
  magic: number;
  version: number;
  segType: number;
  flags: number;
  segmentId: bigint;
  payloadLength: bigint;
  timestampNs: bigint;
  checksumAlgo: number;
  compression: number;
  profileId: number;
  headerCrc: number;
  contentHash: Uint8Array;
  payloadCrc: number; // content_hash[0..4] as u32 LE
  uncompressedLen: number;
  alignmentPad: number;
}

export class SegmentHeaderError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(`segment header at byte 0x${offset.toString(16)}: ${message}`);
    this.name = 'SegmentHeaderError';
  }
}

export interface EncodeOptions {
  segType?: number;
  flags?: number;
  segmentId?: bigint;
  timestampNs?: bigint;
  profileId?: number;
  /** Overrides for tests that need a wrong field; the header CRC still covers them. */
  checksumAlgo?: number;
  compression?: number;
  version?: number;
  magic?: number;
  payloadLength?: bigint;
  alignmentPad?: number;
}

/** CRC32C over bytes 0x00..0x23 and 0x28..0x3F (the header without its own CRC field). */
export function headerCrc(header: Uint8Array): number {
  if (header.length < SEGMENT_HEADER_BYTES) throw new SegmentHeaderError(header.length, `truncated: ${header.length} of 64 bytes`);
  const first = crc32cRun(0xffffffff, header.subarray(0, HDR.headerCrc));
  return (crc32cRun(first, header.subarray(HDR.contentHash, SEGMENT_HEADER_BYTES)) ^ 0xffffffff) >>> 0;
}

/** The 64-byte header for payload (the payload itself follows it on the wire). */
export function encodeSegmentHeader(payload: Uint8Array, opts: EncodeOptions = {}): Uint8Array {
  const out = new Uint8Array(SEGMENT_HEADER_BYTES);
  const v = new DataView(out.buffer);
  v.setUint32(HDR.magic, opts.magic ?? SEGMENT_MAGIC, true);
  v.setUint8(HDR.version, opts.version ?? SEGMENT_VERSION);
  v.setUint8(HDR.segType, opts.segType ?? SEG_TYPE.vec);
  v.setUint16(HDR.flags, opts.flags ?? 0, true);
  v.setBigUint64(HDR.segmentId, opts.segmentId ?? 0n, true);
  v.setBigUint64(HDR.payloadLength, opts.payloadLength ?? BigInt(payload.length), true);
  v.setBigUint64(HDR.timestampNs, opts.timestampNs ?? 0n, true);
  v.setUint8(HDR.checksumAlgo, opts.checksumAlgo ?? CHECKSUM_ALGO_CRC32C);
  v.setUint8(HDR.compression, opts.compression ?? COMPRESSION_NONE);
  v.setUint8(HDR.profileId, opts.profileId ?? PROFILE_CORE);
  v.setUint32(HDR.contentHash, crc32c(payload), true);
  v.setUint32(HDR.uncompressedLen, payload.length, true);
  v.setUint32(HDR.alignmentPad, opts.alignmentPad ?? (64 - (payload.length % 64)) % 64, true);
  v.setUint32(HDR.headerCrc, headerCrc(out), true);
  return out;
}

/** Header followed by payload: one segment as the hub sends it. */
export function encodeSegment(payload: Uint8Array, opts: EncodeOptions = {}): Uint8Array {
  const out = new Uint8Array(SEGMENT_HEADER_BYTES + payload.length);
  out.set(encodeSegmentHeader(payload, opts), 0);
  out.set(payload, SEGMENT_HEADER_BYTES);
  return out;
}

/** Decodes the fields; checks only that 64 bytes are there (verification is separate). */
export function decodeSegmentHeader(bytes: Uint8Array, offset = 0): SegmentHeader {
  if (offset < 0 || bytes.length - offset < SEGMENT_HEADER_BYTES) {
    throw new SegmentHeaderError(offset, `truncated: ${Math.max(0, bytes.length - offset)} of 64 bytes`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset + offset, SEGMENT_HEADER_BYTES);
  const contentHash = bytes.slice(offset + HDR.contentHash, offset + HDR.contentHash + 16);
  return {
    magic: v.getUint32(HDR.magic, true),
    version: v.getUint8(HDR.version),
    segType: v.getUint8(HDR.segType),
    flags: v.getUint16(HDR.flags, true),
    segmentId: v.getBigUint64(HDR.segmentId, true),
    payloadLength: v.getBigUint64(HDR.payloadLength, true),
    timestampNs: v.getBigUint64(HDR.timestampNs, true),
    checksumAlgo: v.getUint8(HDR.checksumAlgo),
    compression: v.getUint8(HDR.compression),
    profileId: v.getUint8(HDR.profileId),
    headerCrc: v.getUint32(HDR.headerCrc, true),
    contentHash,
    payloadCrc: v.getUint32(HDR.contentHash, true),
    uncompressedLen: v.getUint32(HDR.uncompressedLen, true),
    alignmentPad: v.getUint32(HDR.alignmentPad, true),
  };
}

/**
 * Reference of rvf_verify_header over a whole tile memory image: the status the kernel
 * (a Core reader) returns for the header at headerPtr; `reader` asks as a Hot or Full reader.
 */
export function verifySegmentHeader(memory: Uint8Array, headerPtr: number, reader = PROFILE_CORE): number {
  if (headerPtr < DATA_BASE || headerPtr + SEGMENT_HEADER_BYTES > MEMORY_BYTES) return ERR_BAD_POINTER;
  const raw = memory.subarray(headerPtr, headerPtr + SEGMENT_HEADER_BYTES);
  const h = decodeSegmentHeader(raw);
  const payloadStart = headerPtr + SEGMENT_HEADER_BYTES;
  const bad =
    h.magic !== SEGMENT_MAGIC ||
    h.version !== SEGMENT_VERSION ||
    !KNOWN_SEG_TYPES.has(h.segType) ||
    h.checksumAlgo !== CHECKSUM_ALGO_CRC32C ||
    h.compression !== COMPRESSION_NONE ||
    !readerReads(reader, h.profileId) ||
    h.headerCrc !== headerCrc(raw) ||
    h.payloadLength > BigInt(MEMORY_BYTES - payloadStart);
  if (bad) return ERR_BAD_HEADER;
  const payload = memory.subarray(payloadStart, payloadStart + Number(h.payloadLength));
  return crc32c(payload) === h.payloadCrc ? OK : ERR_CRC_MISMATCH;
}
