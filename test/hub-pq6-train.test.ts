import { describe, expect, it } from 'vitest';
import { f32ArrayToFp16, fp16ArrayToF32 } from '../hub/data/fp16.ts';
import { generateClusteredData } from '../hub/data/generate.ts';
import { Prng } from '../hub/prng.ts';
import { defaultPq6M, encodePq6, pq6ShapeProblem, trainPq6, type Pq6Codebook } from '../hub/pq6/train.ts';
import { unpackPq6 } from '../tile/reference/pq6.ts';

const data = generateClusteredData(new Prng(7), { count: 600, dim: 32, clusters: 6, spread: 0.2, queryCount: 0 });

/** Mean squared error of the vectors against their codes' fp16 centroids. */
function reconstructionError(base: Float32Array, book: Pq6Codebook): number {
  const n = base.length / book.dim;
  const w = book.dim / book.m;
  const codes = unpackPq6(encodePq6(base, book), n, book.m);
  const cents = fp16ArrayToF32(book.halves);
  let e = 0;
  for (let v = 0; v < n; v++) {
    for (let s = 0; s < book.m; s++) {
      for (let i = 0; i < w; i++) e += (base[v * book.dim + s * w + i]! - cents[(s * 64 + codes[v * book.m + s]!) * w + i]!) ** 2;
    }
  }
  return e / n;
}

describe('PQ6 training', () => {
  it('is deterministic: the same seed gives the same codebook bytes, another seed another', () => {
    const a = trainPq6(data.base, 32, 8, new Prng(1), { iterations: 4, maxSamples: 300 });
    const b = trainPq6(data.base, 32, 8, new Prng(1), { iterations: 4, maxSamples: 300 });
    const c = trainPq6(data.base, 32, 8, new Prng(2), { iterations: 4, maxSamples: 300 });
    expect(a.halves).toEqual(b.halves);
    expect(a.halves).not.toEqual(c.halves);
    expect(a.halves.length).toBe(64 * 32);
  });

  it('Lloyd iterations lower the reconstruction error below the seeded start', () => {
    const start = reconstructionError(data.base, trainPq6(data.base, 32, 8, new Prng(3), { iterations: 0, maxSamples: 600 }));
    const trained = reconstructionError(data.base, trainPq6(data.base, 32, 8, new Prng(3), { iterations: 8, maxSamples: 600 }));
    expect(trained).toBeLessThan(start * 0.9);
  });

  it('encodes each subvector to its nearest fp16 centroid, ties to the lower centroid', () => {
    const book = trainPq6(data.base, 32, 4, new Prng(4), { iterations: 2, maxSamples: 200 });
    const cents = fp16ArrayToF32(book.halves);
    // A vector made of centroid 5 of subspace 0, centroid 63 of subspace 1, ...
    const picks = [5, 63, 0, 17];
    const v = new Float32Array(32);
    picks.forEach((c, s) => v.set(cents.subarray((s * 64 + c) * 8, (s * 64 + c + 1) * 8), s * 8));
    const got = unpackPq6(encodePq6(v, book), 1, 4);
    // A duplicate centroid with a lower index wins the tie.
    const lowest = picks.map((c, s) => {
      for (let d = 0; d <= c; d++) if (cents.subarray((s * 64 + d) * 8, (s * 64 + d + 1) * 8).every((x, i) => x === cents[(s * 64 + c) * 8 + i])) return d;
      return c;
    });
    expect([...got]).toEqual(lowest);
  });

  it('takes M a multiple of 4 in 4..32 dividing the dim, and refuses one past each limit', () => {
    expect(pq6ShapeProblem(384, 32)).toBeUndefined();
    expect(pq6ShapeProblem(384, 4)).toBeUndefined();
    expect(pq6ShapeProblem(384, 36)).toMatch(/multiple of 4 in 4..32 .* got 36/);
    expect(pq6ShapeProblem(384, 0)).toMatch(/got 0/);
    expect(pq6ShapeProblem(384, 6)).toMatch(/got 6/);
    expect(pq6ShapeProblem(100, 8)).toBe('PQ6 M 8 must divide the dim 100');
    expect(() => trainPq6(data.base, 32, 12, new Prng(1))).toThrow(/must divide the dim 32/);
    expect(defaultPq6M(384)).toBe(32);
    expect(defaultPq6M(100)).toBe(20);
    expect(defaultPq6M(1024)).toBe(32);
    expect(defaultPq6M(6)).toBeUndefined();
  });

  it('trains with fewer vectors than centroids (starts repeat): fp16-exact vectors come back exactly', () => {
    const few = fp16ArrayToF32(f32ArrayToFp16(data.base.subarray(0, 10 * 32)));
    const book = trainPq6(few, 32, 8, new Prng(5), { iterations: 3, maxSamples: 100 });
    expect(reconstructionError(few, book)).toBe(0);
  });
});
