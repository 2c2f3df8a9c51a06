import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32c } from '../protocol/crc32c.ts';
import {
  buildHnsw, deserializeIndex, HEADER, IndexFormatError, loadIndexFile, saveIndexFile, serializeIndex,
} from '../hub/hnsw/index.ts';
import { xorshift32 } from './helpers/xorshift.ts';

const dim = 12;
const n = 800;
const next = xorshift32(2024);
const data = Float32Array.from({ length: n * dim }, () => next() / 4294967296 - 0.5);
const index = buildHnsw(data, dim, { M: 6, efConstruction: 48, metric: 'cosine' }, xorshift32(9));
const bytes = serializeIndex(index);
const FILE = 'index.hnsw';

function load(file: Uint8Array, vectors: Float32Array = data): unknown {
  return deserializeIndex(file, vectors, { fileName: FILE });
}

/** Returns the error a load throws, asserting it is an IndexFormatError. */
function loadError(file: Uint8Array, vectors: Float32Array = data): IndexFormatError {
  try {
    load(file, vectors);
  } catch (err) {
    expect(err).toBeInstanceOf(IndexFormatError);
    return err as IndexFormatError;
  }
  throw new Error('load did not throw');
}

function view(file: Uint8Array): DataView {
  return new DataView(file.buffer, file.byteOffset, file.byteLength);
}

/** Recomputes the trailing CRC32C so a deliberate field edit reaches the field checks. */
function reseal(file: Uint8Array): Uint8Array {
  view(file).setUint32(file.length - 4, crc32c(file.subarray(0, file.length - 4)), true);
  return file;
}

describe('HNSW index file round trip', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hnsw-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts with the magic "CGHNSW01" and version 1', () => {
    expect(Buffer.from(bytes.subarray(0, 8)).toString('ascii')).toBe('CGHNSW01');
    expect(view(bytes).getUint32(HEADER.version, true)).toBe(1);
    expect(Number(view(bytes).getBigUint64(HEADER.fileBytes, true))).toBe(bytes.length);
  });

  it('gives identical search results, graph and bytes after save and load', () => {
    const path = join(dir, 'index.hnsw');
    saveIndexFile(path, index);
    const loaded = loadIndexFile(path, data);
    expect(loaded.entryPoint).toBe(index.entryPoint);
    expect(loaded.maxLevel).toBe(index.maxLevel);
    expect(loaded.metric).toBe('cosine');
    expect(Buffer.from(serializeIndex(loaded)).equals(Buffer.from(bytes))).toBe(true);
    for (let q = 0; q < 50; q++) {
      const query = Float32Array.from({ length: dim }, () => next() / 4294967296 - 0.5);
      const a = index.search(query, 10, 40);
      const b = loaded.search(query, 10, 40);
      expect([...b.ids]).toEqual([...a.ids]);
      expect([...b.distances]).toEqual([...a.distances]);
    }
  });

  it('stores the metric as the codes files have always used (0 squared L2, 1 ip, 2 cosine) and reads them back under the CLI names', () => {
    const small = data.subarray(0, 60 * dim);
    for (const [metric, code] of [['l2', 0], ['ip', 1], ['cosine', 2]] as const) {
      const file = serializeIndex(buildHnsw(small, dim, { M: 4, efConstruction: 16, metric }, xorshift32(3)));
      expect(view(file).getUint32(HEADER.metric, true)).toBe(code);
      expect(deserializeIndex(file, small).metric).toBe(metric);
    }
  });

  it('round-trips an empty index', () => {
    const empty = buildHnsw(new Float32Array(0), 3, { M: 4, efConstruction: 8 }, xorshift32(1));
    const loaded = deserializeIndex(serializeIndex(empty), new Float32Array(0));
    expect(loaded.size).toBe(0);
    expect(loaded.maxLevel).toBe(-1);
  });

  it('names the file path in errors from loadIndexFile', () => {
    const path = join(dir, 'other.hnsw');
    saveIndexFile(path, index);
    expect(() => loadIndexFile(path, data.map((x) => x + 1))).toThrow(`${path}: vectors fingerprint`);
  });
});

describe('HNSW index file rejects bad input with IndexFormatError', () => {
  it('rejects a file one byte short (truncated), and accepts the exact length', () => {
    expect(() => load(bytes)).not.toThrow();
    const err = loadError(bytes.slice(0, bytes.length - 1));
    expect(err.message).toBe(`${FILE}: truncated: header at byte 16 declares ${bytes.length.toLocaleString('en-US')} bytes, file has ${(bytes.length - 1).toLocaleString('en-US')}`);
    expect(err.offsetBytes).toBe(16);
  });

  it('rejects a file cut inside the header', () => {
    expect(loadError(bytes.slice(0, 40)).message).toMatch(/truncated: file is 40 bytes, shorter than the 68-byte header and CRC32C/);
    expect(loadError(bytes.slice(0, 5)).message).toMatch(/magic 0x4347484e53 at byte 0 is not "CGHNSW01"/);
  });

  it('rejects trailing bytes', () => {
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(loadError(longer).message).toMatch(/trailing bytes: header at byte 16 declares .* bytes, file has/);
  });

  it('rejects a flipped byte with a CRC32C mismatch naming both values and the CRC offset', () => {
    const corrupt = bytes.slice();
    corrupt[HEADER.size + 100]! ^= 0x40;
    const crcOffset = bytes.length - 4;
    const stored = view(bytes).getUint32(crcOffset, true);
    const actual = crc32c(corrupt.subarray(0, crcOffset));
    const hex = (v: number): string => '0x' + v.toString(16).padStart(8, '0');
    const err = loadError(corrupt);
    expect(err.message).toBe(`${FILE}: CRC32C ${hex(actual)} does not match ${hex(stored)} stored at byte ${crcOffset.toLocaleString('en-US')}`);
    expect(err.offsetBytes).toBe(crcOffset);
    expect(err.expected).toBe(hex(stored));
    expect(err.actual).toBe(hex(actual));
  });

  it('rejects a wrong magic', () => {
    const corrupt = bytes.slice();
    corrupt.set(new TextEncoder().encode('CGHNSW02'), 0);
    expect(loadError(corrupt).message).toBe(`${FILE}: magic 0x4347484e53573032 at byte 0 is not "CGHNSW01": not a cogsim HNSW index`);
  });

  it('rejects version 2 and version 0 but not version 1', () => {
    for (const version of [0, 2]) {
      const corrupt = bytes.slice();
      view(corrupt).setUint32(HEADER.version, version, true);
      expect(loadError(reseal(corrupt)).message).toBe(`${FILE}: version ${version} at byte 8 is not supported (expected 1)`);
    }
    expect(() => load(reseal(bytes.slice()))).not.toThrow();
  });

  it('rejects data other than the vectors it was built on', () => {
    const changed = data.slice();
    changed[5] = changed[5]! + 1e-3;
    const err = loadError(bytes, changed);
    expect(err.message).toMatch(/vectors fingerprint CRC32C 0x[0-9a-f]{8} does not match 0x[0-9a-f]{8} stored at byte 56: the index was built on different data/);
    expect(err.offsetBytes).toBe(HEADER.vectorsCrc32c);
  });

  it('rejects data with a different shape', () => {
    expect(loadError(bytes, data.subarray(0, (n - 1) * dim)).message).toMatch(/index was built on 800 vectors of dim 12 \(byte 40\), the supplied data has 9588 floats \(799 rows\)/);
  });

  it('rejects a neighbor id outside the index even when the CRC is recomputed', () => {
    const corrupt = bytes.slice();
    // First neighbor of node 0 on layer 0: after header, levels, and layer 0's counts.
    const levelsBytes = Math.ceil(n / 4) * 4;
    const firstId = HEADER.size + levelsBytes + 8 + 4 * n;
    view(corrupt).setUint32(firstId, n, true);
    expect(loadError(reseal(corrupt)).message).toMatch(new RegExp(`layer 0 row 0 slot 0 holds 0x00000320 at byte ${firstId.toLocaleString('en-US')}, expected a node on layer 0`));
  });

  it('rejects a declared length the levels do not imply, before allocating', () => {
    const corrupt = bytes.slice();
    view(corrupt).setUint32(HEADER.n, 0x7fffffff, true);
    expect(loadError(reseal(corrupt)).message).toMatch(/too short for 2147483647 node levels/);
  });

  it('rejects M below the minimum and M0 != 2M, accepting the real values', () => {
    const lowM = bytes.slice();
    view(lowM).setUint32(HEADER.M, 1, true);
    expect(loadError(reseal(lowM)).message).toMatch(/M 1 at byte 28 is invalid \(expected 2..1024\)/);
    const badM0 = bytes.slice();
    view(badM0).setUint32(HEADER.M0, 13, true);
    expect(loadError(reseal(badM0)).message).toMatch(/M0 13 at byte 32 is invalid \(expected 2 \* M = 12\)/);
  });

  it('rejects an unknown metric code', () => {
    const corrupt = bytes.slice();
    view(corrupt).setUint32(HEADER.metric, 3, true);
    expect(loadError(reseal(corrupt)).message).toMatch(/metric 3 at byte 24 is invalid/);
  });
});
