// Where a run's vectors come from: the built-in seeded clustered or gaussian generator, or files the
// user brings (.fvecs / .bvecs / .npy). File errors surface as one-line CLI errors.
import { extname } from 'node:path';
import { DataFormatError } from '../../hub/data/data-format-error.ts';
import { loadBvecs, loadFvecs } from '../../hub/data/fvecs.ts';
import { generateClusteredData } from '../../hub/data/generate.ts';
import { generateGaussianData } from '../../hub/data/generate-gaussian.ts';
import { loadNpy } from '../../hub/data/npy.ts';
import type { Prng } from '../../hub/prng.ts';
import { checkSearchSpec } from '../../hub/search-spec.ts';
import { FP16_MAX, findUncarriedValue } from '../../hub/data/value-range.ts';
import { errnoText, UserError } from './user-error.ts';
import type { RunConfig } from './run-config.ts';

export interface RunData {
  name: string;
  base: Float32Array;
  queries: Float32Array;
  dim: number;
}

function loadMatrix(path: string, flag: string): { data: Float32Array; dim: number; rows: number } {
  try {
    const ext = extname(path).toLowerCase();
    if (ext === '.fvecs') {
      const v = loadFvecs(path);
      return { data: v.data, dim: v.dim, rows: v.count };
    }
    if (ext === '.npy') {
      const m = loadNpy(path);
      return { data: m.data, dim: m.cols, rows: m.rows };
    }
    if (ext === '.bvecs') {
      // uint8 vectors (SIFT1B style) widen exactly to f32.
      const b = loadBvecs(path);
      return { data: Float32Array.from(b.data), dim: b.dim, rows: b.count };
    }
    throw new UserError(`${flag} ${path}: unsupported file type '${ext}'; use .fvecs, .bvecs or .npy`);
  } catch (err) {
    if (err instanceof UserError) throw err;
    if (err instanceof DataFormatError) throw new UserError(`${flag} ${err.message}`);
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new UserError(`${flag} ${path}: no such file`);
    if (typeof e.code === 'string') throw new UserError(`${flag} ${path}: cannot read it (${errnoText(err)})`);
    throw err;
  }
}

/** A file's dim replaces --dim, so it meets the same tile limit, named after the file. */
function checkFileDim(config: RunConfig, dim: number): void {
  try {
    checkSearchSpec({ dtype: config.dtype, metric: config.metric, k: config.k, dim, schedule: config.schedule });
  } catch (err) {
    throw new UserError(`--data ${config.dataPath}: ${(err as Error).message}`);
  }
}

/**
 * Refuses a value a tile cannot carry (NaN, +/-Infinity, |x| > 65,504), naming the file,
 * the row and column (from 0) and the limit. Only the rows the run uses are checked.
 */
function checkValues(flag: string, path: string, data: Float32Array, dim: number): void {
  const bad = findUncarriedValue(data, dim);
  if (!bad) return;
  const limit = `values must be finite with |x| <= ${FP16_MAX.toLocaleString('en-US')}, the fp16 range every vector and query is carried in (--dtype i8 too: its codes decode to fp16)`;
  throw new UserError(`${flag} ${path}: row ${bad.row}, column ${bad.column} (from 0) holds ${bad.value}; ${limit}`);
}

function fileData(config: RunConfig & { dataPath: string }): RunData {
  const base = loadMatrix(config.dataPath, '--data');
  if (!config.queryPath) throw new UserError('--data needs --query-file: the queries to search with');
  const q = loadMatrix(config.queryPath, '--query-file');
  if (base.rows === 0) throw new UserError(`--data ${config.dataPath} holds no vectors (0 rows); it needs at least --k ${config.k}`);
  if (q.rows === 0) throw new UserError(`--query-file ${config.queryPath} holds no queries (0 rows); it needs at least 1`);
  if (q.dim !== base.dim) throw new UserError(`--query-file ${config.queryPath} has dim ${q.dim}, --data ${config.dataPath} has dim ${base.dim}`);
  checkFileDim(config, base.dim);
  const rows = Math.min(base.rows, config.vectors);
  const qrows = Math.min(q.rows, config.queries);
  if (config.k > rows) throw new UserError(`--k ${config.k} is more than the ${rows} vectors of --data ${config.dataPath}`);
  const used = { base: base.data.subarray(0, rows * base.dim), queries: q.data.subarray(0, qrows * q.dim) };
  checkValues('--data', config.dataPath, used.base, base.dim);
  checkValues('--query-file', config.queryPath, used.queries, q.dim);
  return { name: config.dataPath, ...used, dim: base.dim };
}

export function runData(config: RunConfig, prng: Prng): RunData {
  if (config.dataPath) return fileData({ ...config, dataPath: config.dataPath });
  if (config.distribution === 'gaussian') {
    const g = generateGaussianData(prng.derive('data'), { count: config.vectors, dim: config.dim, queryCount: config.queries });
    return { name: `built-in gaussian (${config.vectors} x ${config.dim}, standard normal, fp16-exact)`, ...g };
  }
  const g = generateClusteredData(prng.derive('data'), {
    count: config.vectors,
    dim: config.dim,
    clusters: config.clusters,
    spread: 0.15,
    queryCount: config.queries,
  });
  return { name: `built-in clustered (${config.vectors} x ${config.dim}, ${config.clusters} clusters)`, base: g.base, queries: g.queries, dim: g.dim };
}
