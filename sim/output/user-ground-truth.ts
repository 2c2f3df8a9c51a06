// Recall against the user's own ground truth (an .ivecs file, as ANN benchmarks ship:
// one row per query, the true neighbours' ids nearest first, often 100 of them). Only
// the first k of each row count, and only the rows of the queries the run answered.
import { loadIvecs } from '../../hub/data/fvecs.ts';
import { DataFormatError } from '../../hub/data/data-format-error.ts';
import { CliError } from '../cli/cli-error.ts';
import type { AnnResults } from './ann-results.ts';

export interface UserGroundTruth {
  path: string;
  /** Rows and columns of the file as given. */
  rows: number;
  cols: number;
  /** The first `queries` rows, the first `k` columns, row-major. */
  ids: Int32Array;
  queries: number;
  k: number;
}

export interface GroundTruthShape {
  queries: number;
  k: number;
  /** Base vectors the run searched (ids must be below this). */
  baseCount: number;
}

function readIvecs(path: string): { data: Int32Array; count: number; dim: number } {
  try {
    return loadIvecs(path);
  } catch (err) {
    if (err instanceof DataFormatError) throw new CliError(`--groundtruth ${err.message}`);
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new CliError(`--groundtruth ${path}: no such file`);
    if (typeof e.code === 'string') throw new CliError(`--groundtruth ${path}: cannot read it (${e.code})`);
    throw err;
  }
}

/** Loads and checks the file against the run: enough rows and columns, ids in range. */
export function loadUserGroundTruth(path: string, shape: GroundTruthShape): UserGroundTruth {
  if (!path.toLowerCase().endsWith('.ivecs')) throw new CliError(`--groundtruth ${path}: expected an .ivecs file (int32 ids per query)`);
  const file = readIvecs(path);
  const { queries, k, baseCount } = shape;
  if (file.count < queries) throw new CliError(`--groundtruth ${path} has ${file.count} rows, the run answers ${queries} queries (one row per query, in query order)`);
  if (file.dim < k) throw new CliError(`--groundtruth ${path} has ${file.dim} ids per row, recall@${k} needs at least --k ${k}`);
  const ids = new Int32Array(queries * k);
  for (let q = 0; q < queries; q++) {
    for (let i = 0; i < k; i++) {
      const id = file.data[q * file.dim + i]!;
      if (id < 0 || id >= baseCount) throw new CliError(`--groundtruth ${path}: row ${q} column ${i} holds id ${id}, the run searched ${baseCount} base vectors (ids 0..${baseCount - 1}); was it made for other data or a longer --vectors?`);
      ids[q * k + i] = id;
    }
  }
  return { path, rows: file.count, cols: file.dim, ids, queries, k };
}

/** recall@k: the share of each query's true top-k found in its answered top-k, averaged. */
export function recallAgainst(gt: UserGroundTruth, results: AnnResults): number {
  if (results.queryCount !== gt.queries || results.k !== gt.k) throw new Error(`ground truth is ${gt.queries} x ${gt.k}, results are ${results.queryCount} x ${results.k}`);
  let hits = 0;
  for (let q = 0; q < gt.queries; q++) {
    const truth = new Set(gt.ids.subarray(q * gt.k, (q + 1) * gt.k));
    for (const id of results.ids.subarray(q * gt.k, (q + 1) * gt.k)) if (truth.has(id)) hits++;
  }
  return hits / (gt.queries * gt.k);
}
