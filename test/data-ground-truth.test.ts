import { describe, it, expect } from 'vitest';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bruteForceKnn, groundTruth, groundTruthKey, KnnInputError, type KnnMetric } from '../hub/data/ground-truth.ts';
import { generateClusteredData } from '../hub/data/generate.ts';
import { Prng } from '../hub/prng.ts';
import { tempDirs } from './helpers/temp-dir.ts';

/** The obviously-correct reference: score everything, sort by (distance, id). */
function naiveKnn(base: Float32Array, queries: Float32Array, dim: number, k: number, metric: KnnMetric): number[][] {
  const n = base.length / dim;
  const rows = (a: Float32Array, i: number): number[] => Array.from(a.subarray(i * dim, (i + 1) * dim));
  const dot = (a: number[], b: number[]): number => a.reduce((s, x, j) => s + x * (b[j] as number), 0);
  return Array.from({ length: queries.length / dim }, (_, q) => {
    const qv = rows(queries, q);
    const scored = Array.from({ length: n }, (_, b) => {
      const bv = rows(base, b);
      let d: number;
      if (metric === 'l2') d = bv.reduce((s, x, j) => s + (x - (qv[j] as number)) ** 2, 0);
      else if (metric === 'ip') d = -dot(bv, qv);
      else {
        const den = Math.sqrt(dot(bv, bv)) * Math.sqrt(dot(qv, qv));
        d = den === 0 ? 1 : 1 - dot(bv, qv) / den;
      }
      return { d, b };
    });
    scored.sort((x, y) => x.d - y.d || x.b - y.b);
    return scored.slice(0, k).map((s) => s.b);
  });
}

function idRows(ids: Int32Array, k: number): number[][] {
  return Array.from({ length: ids.length / k }, (_, q) => Array.from(ids.subarray(q * k, (q + 1) * k)));
}

const data = generateClusteredData(new Prng(5).derive('data'), { count: 300, dim: 12, clusters: 6, spread: 0.2, queryCount: 15 });

describe('brute-force ground truth', () => {
  for (const metric of ['l2', 'ip', 'cosine'] as const) {
    it(`matches a naive sort for ${metric}`, () => {
      const result = bruteForceKnn({ base: data.base, queries: data.queries, dim: 12, k: 10, metric });
      expect(idRows(result.ids, 10)).toEqual(naiveKnn(data.base, data.queries, 12, 10, metric));
      for (let q = 0; q < 15; q++) {
        for (let i = 1; i < 10; i++) expect(result.distances[q * 10 + i]!).toBeGreaterThanOrEqual(result.distances[q * 10 + i - 1]!);
      }
    });
  }

  it('breaks distance ties by lower id', () => {
    // Vectors 0..5 alternate between two points; the query sits on point A.
    const base = new Float32Array([1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1]);
    const query = new Float32Array([1, 0]);
    const result = bruteForceKnn({ base, queries: query, dim: 2, k: 4, metric: 'l2' });
    expect(Array.from(result.ids)).toEqual([0, 2, 4, 1]);
    expect(Array.from(result.distances)).toEqual([0, 0, 0, 2]);
  });

  it('keeps the lower id when a tie straddles the k boundary', () => {
    const base = new Float32Array([5, 3, 3, 3, 1]);
    const result = bruteForceKnn({ base, queries: new Float32Array([0]), dim: 1, k: 3, metric: 'l2' });
    expect(Array.from(result.ids)).toEqual([4, 1, 2]);
  });

  it('gives a zero vector cosine distance 1', () => {
    const result = bruteForceKnn({ base: new Float32Array([0, 0, 1, 0]), queries: new Float32Array([1, 0]), dim: 2, k: 2, metric: 'cosine' });
    expect(Array.from(result.ids)).toEqual([1, 0]);
    expect(Array.from(result.distances)).toEqual([0, 1]);
  });

  it('accepts k equal to the base size and rejects one more', () => {
    const base = new Float32Array([1, 2, 3]);
    expect(bruteForceKnn({ base, queries: new Float32Array([0]), dim: 1, k: 3, metric: 'l2' }).ids.length).toBe(3);
    expect(() => bruteForceKnn({ base, queries: new Float32Array([0]), dim: 1, k: 4, metric: 'l2' })).toThrow('k 4 exceeds the 3 base vectors');
    expect(() => bruteForceKnn({ base, queries: new Float32Array([0]), dim: 1, k: 0, metric: 'l2' })).toThrow(KnnInputError);
  });

  it('rejects ragged inputs and NaN distances', () => {
    expect(() => bruteForceKnn({ base: new Float32Array(5), queries: new Float32Array(2), dim: 2, k: 1, metric: 'l2' })).toThrow('base has 5 values, not a whole number of dim-2 vectors');
    expect(() => bruteForceKnn({ base: new Float32Array([NaN]), queries: new Float32Array([0]), dim: 1, k: 1, metric: 'l2' })).toThrow(/query 0 and base vector 0 is NaN/);
  });
});

describe('ground truth cache', () => {
  const tempDir = tempDirs('cogsim-gt-');
  const input = { base: data.base, queries: data.queries, dim: 12, k: 5, metric: 'l2' as const };

  it('computes once, then answers from .cogsim-cache with the same result', () => {
    const cacheDir = tempDir();
    const first = groundTruth(input, { cacheDir });
    const second = groundTruth(input, { cacheDir });
    expect(first.fromCache).toBe(false);
    expect(second.fromCache).toBe(true);
    expect(Array.from(second.ids)).toEqual(Array.from(first.ids));
    expect(Array.from(second.distances)).toEqual(Array.from(first.distances));
    expect(readdirSync(join(cacheDir, 'ground-truth'))).toEqual([`${first.key}.bin`]);
  });

  it('keys the cache on data, queries, k and metric', () => {
    const key = groundTruthKey(input);
    expect(groundTruthKey({ ...input, k: 6 })).not.toBe(key);
    expect(groundTruthKey({ ...input, metric: 'ip' })).not.toBe(key);
    const nudged = data.queries.slice();
    nudged[0] = (nudged[0] as number) + 1e-3;
    expect(groundTruthKey({ ...input, queries: nudged })).not.toBe(key);
    expect(groundTruthKey({ ...input, base: data.base.slice() })).toBe(key);
  });

  it('ignores and rewrites a corrupt cache file', () => {
    const cacheDir = tempDir();
    const first = groundTruth(input, { cacheDir });
    writeFileSync(join(cacheDir, 'ground-truth', `${first.key}.bin`), new Uint8Array(10));
    const again = groundTruth(input, { cacheDir });
    expect(again.fromCache).toBe(false);
    expect(Array.from(again.ids)).toEqual(Array.from(first.ids));
    expect(groundTruth(input, { cacheDir }).fromCache).toBe(true);
  });

  it('skips the cache entirely when cacheDir is null', () => {
    expect(groundTruth(input, { cacheDir: null }).fromCache).toBe(false);
    expect(groundTruth(input, { cacheDir: null }).fromCache).toBe(false);
  });
});
