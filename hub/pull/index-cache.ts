// Build the hub's HNSW index over a dataset, or load it: from a file the user names
// (--index: loaded when it exists, else built and saved there) or from the cache
// (.cogsim-cache/hnsw/<sha256 of data + params>.hnsw), so a large index is built once.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { buildHnsw, loadIndexFile, saveIndexFile, type HnswIndex } from '../hnsw/index.ts';
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

function saveAtomically(path: string, index: HnswIndex): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  saveIndexFile(tmp, index);
  renameSync(tmp, path);
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
    const rng = prng.derive('hnsw-levels');
    const index = buildHnsw(vectors, dim, { M: params.M, efConstruction: params.efConstruction, metric: params.metric }, () => rng.nextU32());
    return { index, seconds: (now() - t0) / 1000 };
  };
  if (opts.indexPath) {
    const path = resolve(opts.indexPath);
    if (existsSync(path)) {
      const index = loadIndexFile(path, vectors);
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
