import { describe, expect, it } from 'vitest';
import { bruteForceKnn } from '../hub/data/brute-force-knn.ts';
import { buildHnsw, type Metric } from '../hub/hnsw/index.ts';
import { xorshift32 } from './helpers/xorshift.ts';

/** n rows around `clusters` random centers: clustered-ish, like embeddings. */
function clusteredData(n: number, dim: number, clusters: number, seed: number): Float32Array {
  const next = xorshift32(seed);
  const unit = (): number => next() / 4294967296;
  const centers = Float32Array.from({ length: clusters * dim }, () => unit() * 2 - 1);
  const data = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = next() % clusters;
    for (let d = 0; d < dim; d++) data[i * dim + d] = centers[c * dim + d]! + (unit() - 0.5) * 0.8;
  }
  return data;
}

function recallAt10(metric: Metric): { recall: number; meanDistances: number } {
  const n = 2000, dim = 32, k = 10, queries = 200;
  const data = clusteredData(n, dim, 20, 1234);
  const index = buildHnsw(data, dim, { M: 16, efConstruction: 200, metric }, xorshift32(99));
  const next = xorshift32(555);
  let hits = 0;
  let distances = 0;
  for (let q = 0; q < queries; q++) {
    const base = next() % n;
    const query = Float32Array.from({ length: dim }, (_, d) => data[base * dim + d]! + ((next() / 4294967296) - 0.5) * 0.4);
    const got = index.searchInstrumented(query, k, 64);
    const exact = bruteForceKnn({ base: data, queries: query, dim, k, metric });
    const truth = new Map(Array.from(exact.ids, (id, i) => [id, exact.distances[i]!]));
    got.ids.forEach((id, i) => {
      if (!truth.has(id)) return;
      hits++;
      // One set of distance kernels: the index and brute force agree to the bit.
      expect(got.distances[i]).toBe(truth.get(id));
    });
    distances += got.stats.distanceCount;
  }
  return { recall: hits / (queries * k), meanDistances: distances / queries };
}

describe('HNSW recall against brute force (2,000 x 32, M=16, efConstruction=200, ef=64)', () => {
  for (const metric of ['l2', 'cosine', 'ip'] as const) {
    it(`reaches recall@10 >= 0.95 with ${metric}`, () => {
      const { recall, meanDistances } = recallAt10(metric);
      console.log(`hnsw recall@10 ${metric}: ${recall.toFixed(4)}, mean distance computations per query ${meanDistances.toFixed(0)} of 2000`);
      expect(recall).toBeGreaterThanOrEqual(0.95);
      expect(meanDistances).toBeLessThan(2000);
    });
  }

  it('returns ids ascending by (distance, id) and k of them', () => {
    const data = clusteredData(500, 8, 5, 7);
    const index = buildHnsw(data, 8, { M: 8, efConstruction: 64 }, xorshift32(3));
    const result = index.search(data.subarray(40, 48), 10, 32);
    expect(result.ids.length).toBe(10);
    expect(result.ids[0]).toBe(5);
    expect(result.distances[0]).toBe(0);
    for (let i = 1; i < 10; i++) {
      const ordered = result.distances[i - 1]! < result.distances[i]! ||
        (result.distances[i - 1] === result.distances[i] && result.ids[i - 1]! < result.ids[i]!);
      expect(ordered).toBe(true);
    }
  });

  it('returns all n when k exceeds n, and nothing from an empty index', () => {
    const data = clusteredData(5, 4, 2, 1);
    expect(buildHnsw(data, 4, { M: 4, efConstruction: 8 }, xorshift32(1)).search(new Float32Array(4), 10, 10).ids.length).toBe(5);
    const empty = buildHnsw(new Float32Array(0), 4, { M: 4, efConstruction: 8 }, xorshift32(1));
    expect(empty.search(new Float32Array(4), 3, 10).ids.length).toBe(0);
    expect(empty.maxLevel).toBe(-1);
  });
});
