// A run's answers in ANN-benchmark conventions: one .ivecs row of k ids per query, in
// query order, nearest first, and a matching .fvecs row of the distances the tiles
// reported (the metric's convention: squared L2, negated inner product, 1 - cosine).
// A query answered with fewer than k neighbours is padded with id -1 and distance
// +Infinity so every row has k entries, as the format requires.
import { writeFvecs, writeIvecs } from '../../hub/data/fvecs.ts';
import type { Candidate } from '../../hub/topk-merge.ts';

export interface AnnResults {
  queryCount: number;
  k: number;
  /** queryCount * k ids, row-major. */
  ids: Int32Array;
  /** queryCount * k distances, row-major. */
  distances: Float32Array;
}

export const MISSING_ID = -1;

/** Rows from the hub's answers: `best(q)` is query q's merged top-k (undefined if lost). */
export function annResults(queryCount: number, k: number, best: (q: number) => readonly Candidate[] | undefined): AnnResults {
  const ids = new Int32Array(queryCount * k).fill(MISSING_ID);
  const distances = new Float32Array(queryCount * k).fill(Infinity);
  for (let q = 0; q < queryCount; q++) {
    const row = best(q) ?? [];
    for (let i = 0; i < Math.min(k, row.length); i++) {
      ids[q * k + i] = row[i]!.id;
      distances[q * k + i] = row[i]!.dist;
    }
  }
  return { queryCount, k, ids, distances };
}

export function annIdsFile(r: AnnResults): Uint8Array {
  return writeIvecs(r.ids, r.k);
}

export function annDistancesFile(r: AnnResults): Uint8Array {
  return writeFvecs(r.distances, r.k);
}
