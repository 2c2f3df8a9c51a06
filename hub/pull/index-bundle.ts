// One --index file for a sharded pull run: with --walk-split shards and W walks the hub
// keeps W region indexes, and the user's --index names ONE file holding all of them (a
// single index stays a plain CGHNSW01 file, shared with push-hnsw and --walks 1).
//
//   offset   size  field (little-endian)
//   0        8     magic "CGHNSWR1"
//   8        4     regions R (2..64)
//   12       4     reserved, 0
//   16       8 R   byte length of each region's index, u64
//   16+8R    ...   the R region indexes, each a complete CGHNSW01 file (own CRC32C)
//
// The region files check their own bytes and data fingerprint; this envelope checks that
// the lengths add up to the file, so truncation or trailing bytes are caught first.
import { readFileSync } from 'node:fs';
import { HEADER, INDEX_MAGIC, IndexFormatError } from '../hnsw/index.ts';
import { METRIC_BY_CODE } from '../hnsw/metric.ts';

export const BUNDLE_MAGIC = 'CGHNSWR1';
const BUNDLE_HEADER_BYTES = 16;
export const MAX_BUNDLE_REGIONS = 64;

function magicOf(bytes: Uint8Array): string {
  return new TextDecoder('latin1').decode(bytes.subarray(0, 8));
}

export function writeIndexBundle(regions: readonly Uint8Array[]): Uint8Array {
  const head = BUNDLE_HEADER_BYTES + 8 * regions.length;
  const out = new Uint8Array(head + regions.reduce((sum, r) => sum + r.length, 0));
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(BUNDLE_MAGIC), 0);
  view.setUint32(8, regions.length, true);
  let at = head;
  regions.forEach((r, i) => {
    view.setBigUint64(BUNDLE_HEADER_BYTES + 8 * i, BigInt(r.length), true);
    out.set(r, at);
    at += r.length;
  });
  return out;
}

/** The region indexes' bytes of a bundle; IndexFormatError naming the byte when the envelope is wrong. */
export function readIndexBundle(bytes: Uint8Array, fileName: string): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < BUNDLE_HEADER_BYTES || magicOf(bytes) !== BUNDLE_MAGIC) {
    throw new IndexFormatError(fileName, 0, BUNDLE_MAGIC, JSON.stringify(magicOf(bytes)), `not a cogsim index: expected magic ${BUNDLE_MAGIC} (a sharded index, as this run uses) or ${INDEX_MAGIC} at byte 0`);
  }
  const count = view.getUint32(8, true);
  if (count < 2 || count > MAX_BUNDLE_REGIONS) {
    throw new IndexFormatError(fileName, 8, `2..${MAX_BUNDLE_REGIONS}`, String(count), `declares ${count} regions at byte 8, a sharded index holds 2..${MAX_BUNDLE_REGIONS}`);
  }
  let at = BUNDLE_HEADER_BYTES + 8 * count;
  const regions: Uint8Array[] = [];
  for (let r = 0; r < count; r++) {
    const length = at <= bytes.length ? Number(view.getBigUint64(BUNDLE_HEADER_BYTES + 8 * r, true)) : -1;
    if (length < 0 || at + length > bytes.length) {
      throw new IndexFormatError(fileName, BUNDLE_HEADER_BYTES + 8 * r, `<= ${bytes.length - at} bytes`, String(length), `region ${r} declares ${length} bytes at byte ${BUNDLE_HEADER_BYTES + 8 * r}, the file ends ${bytes.length - at} bytes after its start: truncated`);
    }
    regions.push(bytes.subarray(at, at + length));
    at += length;
  }
  if (at !== bytes.length) throw new IndexFormatError(fileName, at, `${at} bytes`, `${bytes.length} bytes`, `has ${bytes.length - at} trailing bytes after its ${count} regions (byte ${at})`);
  return regions;
}

/** What an index file says about itself, read from its headers (the loader checks the rest). */
export interface IndexFileSettings {
  /** 1 for a plain index, R for a bundle. */
  regions: number;
  M: number;
  efConstruction: number;
  metric: string;
  /** Vectors and dim the index (all regions together) was built on. */
  n: number;
  dim: number;
}

function plainSettings(bytes: Uint8Array): Omit<IndexFileSettings, 'regions'> | null {
  if (bytes.length < HEADER.size || magicOf(bytes) !== INDEX_MAGIC) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    M: view.getUint32(HEADER.M, true),
    efConstruction: view.getUint32(HEADER.efConstruction, true),
    metric: METRIC_BY_CODE[view.getUint32(HEADER.metric, true)] ?? 'unknown',
    n: view.getUint32(HEADER.n, true),
    dim: view.getUint32(HEADER.dim, true),
  };
}

/** The settings of an index file (plain or bundle), or null when it is neither. */
export function indexFileSettings(bytes: Uint8Array, fileName: string): IndexFileSettings | null {
  if (magicOf(bytes) === BUNDLE_MAGIC) {
    const parts = readIndexBundle(bytes, fileName).map(plainSettings);
    if (parts.some((p) => p === null)) return null;
    const first = parts[0]!;
    return { regions: parts.length, ...first, n: parts.reduce((sum, p) => sum + p!.n, 0) };
  }
  const plain = plainSettings(bytes);
  return plain && { regions: 1, ...plain };
}

export function readIndexFileSettings(path: string): IndexFileSettings | null {
  return indexFileSettings(readFileSync(path), path);
}
