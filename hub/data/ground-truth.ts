// Ground truth with a disk cache. Brute force over a large base is the slowest thing a run
// does, and its answer depends only on (base bytes, query bytes, dim, k, metric), so the
// result is stored under .cogsim-cache/ground-truth/<sha256>.bin (git-ignored) and reused.
//
// Cache file layout (little-endian):
//   0  u8[4]  magic "CGGT"
//   4  u32    format version
//   8  u32    queryCount
//   12 u32    k
//   16 i32[queryCount*k]   ids
//   .. pad to 8 bytes, f64[queryCount*k] distances
// A file that does not match exactly is ignored and rewritten, never trusted.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bruteForceKnn, checkKnnInput, type KnnInput, type KnnResult } from './brute-force-knn.ts';

export { bruteForceKnn, type KnnInput, type KnnResult, type KnnMetric, KnnInputError } from './brute-force-knn.ts';

export const DEFAULT_CACHE_DIR = '.cogsim-cache';
const MAGIC = 0x54474743; // "CGGT" read as u32 LE
// v2: cosine norms come from the shared distance kernels (hub/hnsw/metric.ts), whose
// summation order differs from v1's in the last bits, so v1 answers are not reused.
const FORMAT_VERSION = 2;
const HEADER_BYTES = 16;

export interface GroundTruthOptions {
  /** Cache root; null disables the cache. Default: .cogsim-cache under the working directory. */
  cacheDir?: string | null;
}

export interface GroundTruth extends KnnResult {
  /** True when the answer came from the cache rather than brute force. */
  fromCache: boolean;
  /** Cache key (hex SHA-256 of the inputs). */
  key: string;
}

function bytesOf(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** SHA-256 over a description of the problem plus the raw vector bytes. */
export function groundTruthKey(input: KnnInput): string {
  const hash = createHash('sha256');
  hash.update(`cogsim-ground-truth v${FORMAT_VERSION} dim=${input.dim} k=${input.k} metric=${input.metric} base=${input.base.length} queries=${input.queries.length}\n`);
  hash.update(bytesOf(input.base));
  hash.update(bytesOf(input.queries));
  return hash.digest('hex');
}

function idsBytes(n: number): number {
  return Math.ceil((n * 4) / 8) * 8;
}

export function encodeGroundTruth(result: KnnResult): Uint8Array {
  const n = result.queryCount * result.k;
  const out = new Uint8Array(HEADER_BYTES + idsBytes(n) + n * 8);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setUint32(8, result.queryCount, true);
  view.setUint32(12, result.k, true);
  for (let i = 0; i < n; i++) view.setInt32(HEADER_BYTES + i * 4, result.ids[i] as number, true);
  const distancesAt = HEADER_BYTES + idsBytes(n);
  for (let i = 0; i < n; i++) view.setFloat64(distancesAt + i * 8, result.distances[i] as number, true);
  return out;
}

/** Decodes a cache file; undefined when it does not match the expected shape exactly. */
export function decodeGroundTruth(bytes: Uint8Array, queryCount: number, k: number): KnnResult | undefined {
  const n = queryCount * k;
  if (bytes.length !== HEADER_BYTES + idsBytes(n) + n * 8) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC || view.getUint32(4, true) !== FORMAT_VERSION) return undefined;
  if (view.getUint32(8, true) !== queryCount || view.getUint32(12, true) !== k) return undefined;
  const ids = new Int32Array(n);
  const distances = new Float64Array(n);
  for (let i = 0; i < n; i++) ids[i] = view.getInt32(HEADER_BYTES + i * 4, true);
  const distancesAt = HEADER_BYTES + idsBytes(n);
  for (let i = 0; i < n; i++) distances[i] = view.getFloat64(distancesAt + i * 8, true);
  return { ids, distances, queryCount, k };
}

/** Exact k-NN, from the cache when the same inputs were solved before. */
export function groundTruth(input: KnnInput, options: GroundTruthOptions = {}): GroundTruth {
  const { queryCount } = checkKnnInput(input);
  const key = groundTruthKey(input);
  const cacheDir = options.cacheDir === undefined ? DEFAULT_CACHE_DIR : options.cacheDir;
  if (cacheDir === null) return { ...bruteForceKnn(input), fromCache: false, key };
  const dir = resolve(cacheDir, 'ground-truth');
  const path = join(dir, `${key}.bin`);
  if (existsSync(path)) {
    const cached = decodeGroundTruth(readFileSync(path), queryCount, input.k);
    if (cached !== undefined) return { ...cached, fromCache: true, key };
  }
  const result = bruteForceKnn(input);
  mkdirSync(dir, { recursive: true });
  // Write then rename, so a crashed or concurrent run never leaves a half-written file.
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, encodeGroundTruth(result));
  renameSync(tmp, path);
  return { ...result, fromCache: false, key };
}
