import { beforeAll, describe, expect, it } from 'vitest';
import { bruteForceKnn } from '../hub/data/brute-force-knn.ts';
import { f32ArrayToFp16, fp16ArrayToF32 } from '../hub/data/fp16.ts';
import { generateClusteredData } from '../hub/data/generate.ts';
import { Prng } from '../hub/prng.ts';
import { encodePq6, trainPq6 } from '../hub/pq6/train.ts';
import type { LoadedKernel } from '../tile/kernel-module.ts';
import { pq6Distances, pq6Table } from '../tile/reference/pq6.ts';
import { pq6RecallFigures } from '../sim/bench/pq6-recall.ts';
import { pq6Scan } from '../sim/run/pq6-scan.ts';
import { hotKernel } from './helpers/hot-pq6-kernel.ts';

let kernel: LoadedKernel;
beforeAll(async () => {
  kernel = await hotKernel('hot-simd');
}, 120_000);

const fp16Exact = (x: Float32Array) => fp16ArrayToF32(f32ArrayToFp16(x));

describe('the PQ6 scan on a Hot tile', () => {
  it('finds the exact top-10 when every vector is its own centroid (60 fp16 vectors, 64 centroids)', () => {
    const d = generateClusteredData(new Prng(3), { count: 60, dim: 32, clusters: 60, spread: 0, queryCount: 5 });
    const base = fp16Exact(d.base);
    const queries = fp16Exact(d.queries);
    const book = trainPq6(base, 32, 8, new Prng(1), { iterations: 3, maxSamples: 100 });
    const scan = pq6Scan(kernel, book, encodePq6(base, book), queries, 10);
    const exact = bruteForceKnn({ base, queries, dim: 32, k: 10, metric: 'l2' }).ids;
    expect(pq6RecallFigures(scan.topIds, scan.distances, exact, 60, 10, [10]).recallAtK).toBe(1);
  });

  it('returns the reference distances for every vector, across 128-vector batches', () => {
    const d = generateClusteredData(new Prng(4), { count: 300, dim: 48, clusters: 5, spread: 0.3, queryCount: 2 });
    const base = fp16Exact(d.base);
    const book = trainPq6(base, 48, 12, new Prng(2), { iterations: 2, maxSamples: 300 });
    const codes = encodePq6(base, book);
    const scan = pq6Scan(kernel, book, codes, d.queries, 16);
    for (let q = 0; q < 2; q++) {
      const query = fp16Exact(d.queries.subarray(q * 48, (q + 1) * 48));
      const want = pq6Distances(pq6Table(query, book.halves, 12, 48), codes, 300, 12);
      expect(scan.distances.subarray(q * 300, (q + 1) * 300)).toEqual(want);
    }
  });
});

describe('PQ6 recall figures', () => {
  it('count the exact ids found in the top-k and in each re-rank depth, ties to the lower id', () => {
    // 2 queries, k 2, n 4. Query 0: exact {0, 1}; query 1: exact {2, 3}.
    const exact = new Int32Array([0, 1, 2, 3]);
    const top = new Int32Array([0, 2, 3, 2]);
    const dist = new Float32Array([1, 5, 2, 5, /* q1 */ 9, 9, 1, 9]);
    const f = pq6RecallFigures(top, dist, exact, 4, 2, [1, 2, 3]);
    expect(f.recallAtK).toBe(3 / 4);
    // q0 order: 0, 2, 1 (5 = 5: lower id first), 3; q1 order: 2, 0, 1, 3.
    expect(f.depth).toEqual([{ r: 1, recall: 2 / 4 }, { r: 2, recall: 2 / 4 }, { r: 3, recall: 3 / 4 }]);
  });
});
