// Result rows in ANN-benchmark shape: k per query, padded when a query has fewer answers.
import { describe, expect, it } from 'vitest';
import { parseFvecs, parseIvecs } from '../hub/data/fvecs.ts';
import { annDistancesFile, annIdsFile, annResults, MISSING_ID } from '../sim/output/ann-results.ts';
import { recallAgainst, type UserGroundTruth } from '../sim/output/user-ground-truth.ts';

const answers = new Map([
  [0, [{ id: 4, dist: 0.5 }, { id: 2, dist: 1.25 }, { id: 9, dist: 2 }]],
  [2, [{ id: 7, dist: 3 }]], // fewer than k
]); // query 1 was lost

describe('ANN result files', () => {
  const r = annResults(3, 3, (q) => answers.get(q));

  it('writes k ids and distances per query in query order, padding with -1 and +Infinity', () => {
    expect(Array.from(r.ids)).toEqual([4, 2, 9, MISSING_ID, MISSING_ID, MISSING_ID, 7, MISSING_ID, MISSING_ID]);
    expect(Array.from(r.distances)).toEqual([0.5, 1.25, 2, Infinity, Infinity, Infinity, 3, Infinity, Infinity]);
    const ids = parseIvecs(annIdsFile(r), 'r.ivecs');
    expect([ids.count, ids.dim]).toEqual([3, 3]);
    expect(Array.from(ids.data)).toEqual(Array.from(r.ids));
    expect(Array.from(parseFvecs(annDistancesFile(r), 'r.fvecs').data)).toEqual(Array.from(r.distances));
  });

  it('counts recall as the true top-k found, order aside, padding never matching', () => {
    const gt: UserGroundTruth = { path: 'gt.ivecs', rows: 3, cols: 3, queries: 3, k: 3, ids: Int32Array.from([2, 4, 5, 0, 1, 2, 7, 8, 9]) };
    expect(recallAgainst(gt, r)).toBe((2 + 0 + 1) / 9);
    expect(() => recallAgainst({ ...gt, k: 2 }, r)).toThrow('ground truth is 3 x 2, results are 3 x 3');
  });
});
