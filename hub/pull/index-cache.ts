// Build the hub's HNSW index over a dataset, or load it: from a file the user names
// (--index: loaded when it exists, else built and saved there) or from the cache
// (.cogsim-cache/hnsw/<sha256 of data + params>.hnsw), so a large index is built once.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { buildHnsw, deserializeIndex, HEADER, IndexFormatError, loadIndexFile, serializeIndex, type HnswIndex } from '../hnsw/index.ts';
import { indexFileSettings, readIndexBundle, writeIndexBundle } from './index-bundle.ts';
import type { Metric } from '../hnsw/metric.ts';
import { DEFAULT_CACHE_DIR } from '../data/ground-truth.ts';
import type { Prng } from '../prng.ts';

export interface IndexParams {
  M: number;
  efConstruction: number;
  metric: Metric;
}

export interface IndexSource {
  index: HnswIndex;
  /** 'built' | 'cache' | 'file' */
  from: 'built' | 'cache' | 'file';
  path: string | null;
  buildSeconds: number;
}

export function indexCacheKey(vectors: Float32Array, dim: number, p: IndexParams, seed: number, prngPath: string): string {
  const h = createHash('sha256');
  // v2: ip distances became -dot (the tile's convention) instead of 1 - dot, which can
  // break f64 rounding ties differently, so an ip index cached before is not reused.
  h.update(`cogsim-hnsw v2 dim=${dim} n=${vectors.length / dim} M=${p.M} efc=${p.efConstruction} metric=${p.metric} seed=${seed} levels=${prngPath}/hnsw-levels\n`);
  h.update(new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength));
  return h.digest('hex');
}

/** Written beside the target and renamed into place: a failed write leaves an earlier file as it was. */
function writeAtomically(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (err) {
    if (existsSync(tmp)) unlinkSync(tmp);
    throw err;
  }
}

function saveAtomically(path: string, index: HnswIndex): void {
  writeAtomically(path, serializeIndex(index));
}

/** One region as the run will use it: its vectors, and the PRNG its levels are drawn from. */
export interface RegionInput {
  vectors: Float32Array;
  prng: Prng;
}

/**
 * Refuses an index built over other shapes before its loader compares raw float counts:
 * the message says the vectors and dims on both sides.
 */
function checkShape(bytes: Uint8Array, path: string, vectors: Float32Array, dim: number): void {
  const s = indexFileSettings(bytes, path);
  if (!s) return; // not an index at all: the loader names the bad magic
  const n = vectors.length / dim;
  if (s.dim !== dim || s.n !== n) {
    throw new IndexFormatError(path, HEADER.n, `${n} x ${dim}`, `${s.n} x ${s.dim}`, `was built on ${s.n} vectors of dim ${s.dim}; this run's data is ${n} vectors of dim ${dim}`);
  }
}

/**
 * Several regions' indexes in ONE user file (index-bundle.ts): loaded and checked region
 * by region when it exists, else built and written whole.
 */
export function obtainIndexBundle(regions: readonly RegionInput[], dim: number, params: IndexParams, indexPath: string, now: () => number = () => 0): IndexSource[] {
  const path = resolve(indexPath);
  if (existsSync(path)) {
    const bytes = new Uint8Array(readFileSync(path));
    const settings = indexFileSettings(bytes, path);
    if (settings && settings.regions !== regions.length) {
      const held = settings.regions === 1 ? 'one index (a --walks 1 or --walk-split entries run, or push-hnsw)' : `${settings.regions} regions`;
      throw new IndexFormatError(path, 8, `${regions.length} regions`, `${settings.regions}`, `holds ${held}; this run splits the data into ${regions.length} regions (--walks ${regions.length} --walk-split shards)`);
    }
    const parts = readIndexBundle(bytes, path);
    return parts.map((part, r) => {
      const where = `${path} region ${r} of ${regions.length}`;
      checkShape(part, where, regions[r]!.vectors, dim);
      const index = deserializeIndex(part, regions[r]!.vectors, { fileName: where });
      checkParams(index, params, where);
      return { index, from: 'file' as const, path, buildSeconds: 0 };
    });
  }
  const t0 = now();
  const built = regions.map((r) => buildRegion(r, dim, params));
  writeAtomically(path, writeIndexBundle(built.map(serializeIndex)));
  const seconds = (now() - t0) / 1000;
  return built.map((index) => ({ index, from: 'built' as const, path, buildSeconds: seconds / built.length }));
}

function buildRegion(region: RegionInput, dim: number, params: IndexParams): HnswIndex {
  const rng = region.prng.derive('hnsw-levels');
  return buildHnsw(region.vectors, dim, { M: params.M, efConstruction: params.efConstruction, metric: params.metric }, () => rng.nextU32());
}

/**
 * The index over `vectors`. With `indexPath`, an existing file is loaded (IndexFormatError
 * when it is corrupt or was built on other data: the file is left as it is) and a missing
 * one is built and written. Without it, the cache under `cacheDir` (null: no cache).
 */
export function obtainIndex(
  vectors: Float32Array,
  dim: number,
  params: IndexParams,
  prng: Prng,
  opts: { indexPath?: string; cacheDir?: string | null; seed: number; now?: () => number },
): IndexSource {
  const now = opts.now ?? (() => 0);
  const build = (): { index: HnswIndex; seconds: number } => {
    const t0 = now();
    const index = buildRegion({ vectors, prng }, dim, params);
    return { index, seconds: (now() - t0) / 1000 };
  };
  if (opts.indexPath) {
    const path = resolve(opts.indexPath);
    if (existsSync(path)) {
      const bytes = new Uint8Array(readFileSync(path));
      if ((indexFileSettings(bytes, path)?.regions ?? 1) > 1) {
        throw new IndexFormatError(path, 8, '1 index', 'several regions', 'holds a sharded index (--walk-split shards with several --walks); this run uses one index: give that run\'s --walks and --walk-split, or another --index');
      }
      checkShape(bytes, path, vectors, dim);
      const index = deserializeIndex(bytes, vectors, { fileName: path });
      checkParams(index, params, path);
      return { index, from: 'file', path, buildSeconds: 0 };
    }
    const b = build();
    saveAtomically(path, b.index);
    return { index: b.index, from: 'built', path, buildSeconds: b.seconds };
  }
  const cacheDir = opts.cacheDir === undefined ? DEFAULT_CACHE_DIR : opts.cacheDir;
  if (cacheDir === null) {
    const b = build();
    return { index: b.index, from: 'built', path: null, buildSeconds: b.seconds };
  }
  const path = join(resolve(cacheDir, 'hnsw'), `${indexCacheKey(vectors, dim, params, opts.seed, prng.path)}.hnsw`);
  if (existsSync(path)) {
    try {
      return { index: loadIndexFile(path, vectors), from: 'cache', path, buildSeconds: 0 };
    } catch {
      // A damaged cache entry is rebuilt (the user's own --index file is never overwritten).
    }
  }
  const b = build();
  saveAtomically(path, b.index);
  return { index: b.index, from: 'built', path, buildSeconds: b.seconds };
}

export class IndexParamsMismatchError extends Error {
  override name = 'IndexParamsMismatchError';
}

function checkParams(index: HnswIndex, p: IndexParams, path: string): void {
  if (index.metric !== p.metric) throw new IndexParamsMismatchError(`${path}: index was built for metric ${index.metric}, this run uses ${p.metric}`);
}
