import { describe, expect, it } from 'vitest';
import { DistIdHeap } from '../hub/hnsw/heap.ts';
import { buildHnsw } from '../hub/hnsw/index.ts';
import { xorshift32 } from './helpers/xorshift.ts';

function drain(heap: DistIdHeap): number[] {
  const ids = new Uint32Array(heap.size);
  heap.drainAscending(ids, new Float64Array(heap.size));
  return [...ids];
}

describe('HNSW tie-breaking by lower id', () => {
  it('orders equal distances by id in both heap orders, whatever the push order', () => {
    const pushOrders = [[5, 1, 3, 2, 4], [1, 2, 3, 4, 5], [5, 4, 3, 2, 1]];
    for (const order of pushOrders) {
      const nearest = new DistIdHeap('nearest-first', 2);
      const farthest = new DistIdHeap('farthest-first', 2);
      for (const id of order) {
        nearest.push(1.5, id);
        farthest.push(1.5, id);
      }
      expect(nearest.topId()).toBe(1);
      expect(farthest.topId()).toBe(5);
      expect(drain(nearest)).toEqual([1, 2, 3, 4, 5]);
      expect(drain(farthest)).toEqual([1, 2, 3, 4, 5]);
    }
  });

  it('evicts the higher id first from a bounded result set', () => {
    const results = new DistIdHeap('farthest-first');
    for (const id of [9, 3, 7, 1]) {
      results.push(0, id);
      if (results.size > 2) results.pop();
    }
    expect(drain(results)).toEqual([1, 3]);
  });

  it('returns the lowest ids among exact duplicates of the query', () => {
    const dim = 8;
    const next = xorshift32(21);
    const n = 600;
    const data = Float32Array.from({ length: n * dim }, () => next() / 4294967296);
    // 40 duplicates of one vector, scattered over the id range.
    const duplicateIds = Array.from({ length: 40 }, (_, i) => 7 + i * 14);
    for (const id of duplicateIds) data.set(data.subarray(0, dim), id * dim);
    const index = buildHnsw(data, dim, { M: 8, efConstruction: 100 }, xorshift32(4));
    const query = data.slice(0, dim);
    const result = index.search(query, 10, 80);
    const expected = [0, ...duplicateIds].sort((a, b) => a - b).slice(0, 10);
    expect([...result.ids]).toEqual(expected);
    expect([...result.distances]).toEqual(new Array(10).fill(0));
  });

  it('returns the same top-k for duplicates no matter where they sit in the insertion order', () => {
    const dim = 4;
    const next = xorshift32(77);
    const n = 300;
    const base = Float32Array.from({ length: n * dim }, () => next() / 4294967296);
    const twin = Float32Array.from([0.5, 0.5, 0.5, 0.5]);
    for (const id of [250, 10, 120]) base.set(twin, id * dim);
    for (const seed of [1, 2, 3]) {
      const index = buildHnsw(base, dim, { M: 6, efConstruction: 40 }, xorshift32(seed));
      expect([...index.search(twin, 3, 32).ids]).toEqual([10, 120, 250]);
    }
  });
});
