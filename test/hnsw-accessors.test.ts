import { describe, expect, it } from 'vitest';
import { buildHnsw, HnswParamError, HnswRangeError, NO_NODE } from '../hub/hnsw/index.ts';
import { xorshift32 } from './helpers/xorshift.ts';

const dim = 6;
const n = 1000;
const next = xorshift32(31337);
const data = Float32Array.from({ length: n * dim }, () => next() / 4294967296);
const index = buildHnsw(data, dim, { M: 4, efConstruction: 32 }, xorshift32(17));

describe('HNSW accessors for a hub serving pull mode', () => {
  it('exposes size, entry point and max level consistent with node levels', () => {
    expect(index.size).toBe(n);
    expect(index.maxLevel).toBeGreaterThanOrEqual(1);
    expect(index.levelOf(index.entryPoint)).toBe(index.maxLevel);
    for (let id = 0; id < n; id++) expect(index.levelOf(id)).toBeLessThanOrEqual(index.maxLevel);
  });

  it('keeps every neighbor list within M (M0 on layer 0), free of self-loops and duplicates, on its layer', () => {
    for (let id = 0; id < n; id++) {
      for (let layer = 0; layer <= index.levelOf(id); layer++) {
        const list = [...index.neighbors(id, layer)];
        expect(list.length).toBeLessThanOrEqual(layer === 0 ? 8 : 4);
        expect(new Set(list).size).toBe(list.length);
        expect(list).not.toContain(id);
        for (const nb of list) expect(index.levelOf(nb)).toBeGreaterThanOrEqual(layer);
      }
    }
  });

  it('reaches every node on layer 0 from the entry point', () => {
    const seen = new Uint8Array(n);
    const stack = [index.entryPoint];
    seen[index.entryPoint] = 1;
    while (stack.length > 0) {
      for (const nb of index.neighbors(stack.pop()!, 0)) {
        if (!seen[nb]) {
          seen[nb] = 1;
          stack.push(nb);
        }
      }
    }
    expect(seen.every((v) => v === 1)).toBe(true);
  });

  it('accepts the first and last ids and rejects one past either end', () => {
    expect(() => index.neighbors(0, 0)).not.toThrow();
    expect(() => index.neighbors(n - 1, 0)).not.toThrow();
    expect(() => index.neighbors(-1, 0)).toThrow(HnswRangeError);
    expect(() => index.neighbors(n, 0)).toThrow(`node id ${n} does not exist: valid ids are 0..${n - 1}`);
    expect(() => index.neighbors(1.5, 0)).toThrow('node id 1.5 does not exist');
    expect(() => index.levelOf(n)).toThrow(`node id ${n} does not exist: valid ids are 0..${n - 1}`);
    expect(() => index.levelOf(NO_NODE)).toThrow(HnswRangeError);
  });

  it('accepts a node\'s own level as layer and rejects one above it or below 0', () => {
    const ep = index.entryPoint;
    expect(() => index.neighbors(ep, index.maxLevel)).not.toThrow();
    expect(() => index.neighbors(ep, index.maxLevel + 1)).toThrow(`layer ${index.maxLevel + 1} does not exist for node ${ep}: valid layers are 0..${index.maxLevel}`);
    expect(() => index.neighbors(ep, -1)).toThrow(HnswRangeError);
  });

  it('names the empty range for an empty index', () => {
    const empty = buildHnsw(new Float32Array(0), dim, { M: 4, efConstruction: 8 }, xorshift32(1));
    expect(() => empty.neighbors(0, 0)).toThrow('node id 0 does not exist: the index is empty');
  });

  it('rejects queries of the wrong length and non-positive k or ef', () => {
    expect(() => index.search(new Float32Array(dim + 1), 1, 1)).toThrow(HnswParamError);
    expect(() => index.search(new Float32Array(dim), 0, 10)).toThrow('k must be a positive integer, got 0');
    expect(() => index.search(new Float32Array(dim), 1, 0)).toThrow('ef must be a positive integer, got 0');
    expect(() => index.search(new Float32Array(dim), 1, 1)).not.toThrow();
  });

  it('rejects bad construction parameters and data on both sides of each limit', () => {
    const row = data.subarray(0, dim);
    const build = (M: number, efConstruction: number, vectors = row): unknown => buildHnsw(vectors, dim, { M, efConstruction }, xorshift32(1));
    expect(() => build(2, 1)).not.toThrow();
    expect(() => build(1, 1)).toThrow('M must be an integer in 2..1024, got 1');
    expect(() => build(1025, 1)).toThrow(HnswParamError);
    expect(() => build(4, 0)).toThrow('efConstruction must be an integer in 1..1048576, got 0');
    expect(() => build(4, 4, data.subarray(0, dim + 1))).toThrow('vectors length 7 is not a multiple of dim 6');
    expect(() => build(4, 4, Float32Array.from([0, 0, Number.NaN, 0, 0, 0]))).toThrow('vector 0 component 2 is NaN, not finite');
  });
});

describe('HNSW search building blocks', () => {
  it('searchLayer on layer 0 from the entry point agrees with search at the same ef', () => {
    const query = data.slice(10 * dim, 11 * dim);
    const layer0 = index.searchLayer(query, [index.entryPoint], 200, 0);
    expect(layer0.ids[0]).toBe(10);
    expect(layer0.ids.length).toBe(200);
    expect([...index.search(query, 5, 200).ids]).toEqual([...layer0.ids.subarray(0, 5)]);
  });

  it('rejects an entry point that is not on the requested layer', () => {
    const ground = Array.from({ length: n }, (_, id) => id).find((id) => index.levelOf(id) === 0)!;
    expect(() => index.searchLayer(new Float32Array(dim), [ground], 4, 1)).toThrow(`entry point ${ground} is not on layer 1: its level is 0`);
    expect(() => index.searchLayer(new Float32Array(dim), [index.entryPoint], 4, index.maxLevel + 1)).toThrow(HnswRangeError);
  });

  it('counts distance computations and expansions, fewer than brute force', () => {
    const { stats } = index.searchInstrumented(data.slice(0, dim), 10, 32);
    expect(stats.distanceCount).toBeGreaterThan(10);
    expect(stats.distanceCount).toBeLessThan(n);
    expect(stats.expansionCount).toBeGreaterThan(index.maxLevel);
    const again = index.searchInstrumented(data.slice(0, dim), 10, 32).stats;
    expect(again).toEqual(stats);
  });
});

describe('HNSW Layer A routing tier', () => {
  it('fits the 512-byte routing table: at most 32 upper-layer nodes, highest level first, then by id', () => {
    const tier = index.layerA();
    expect(tier.ids.length).toBeLessThanOrEqual(32);
    expect(tier.levels[0]).toBe(index.maxLevel);
    for (let i = 0; i < tier.ids.length; i++) {
      expect(tier.levels[i]).toBe(index.levelOf(tier.ids[i]!));
      expect(tier.levels[i]).toBeGreaterThanOrEqual(1);
      if (i > 0) {
        const ordered = tier.levels[i - 1]! > tier.levels[i]! || (tier.levels[i - 1] === tier.levels[i] && tier.ids[i - 1]! < tier.ids[i]!);
        expect(ordered).toBe(true);
      }
    }
  });

  it('is not truncated at exactly the budget of all upper nodes and truncated one entry below it', () => {
    let upper = 0;
    for (let id = 0; id < n; id++) if (index.levelOf(id) >= 1) upper++;
    const all = index.layerA(upper * 16, 16);
    expect(all.ids.length).toBe(upper);
    expect(all.truncated).toBe(false);
    const short = index.layerA(upper * 16 - 1, 16);
    expect(short.ids.length).toBe(upper - 1);
    expect(short.truncated).toBe(true);
    expect([...short.ids]).toEqual([...all.ids.subarray(0, upper - 1)]);
  });
});
