import { describe, expect, it } from 'vitest';
import { buildHnsw, serializeIndex } from '../hub/hnsw/index.ts';
import { xorshift32 } from './helpers/xorshift.ts';

function randomData(n: number, dim: number, seed: number): Float32Array {
  const next = xorshift32(seed);
  return Float32Array.from({ length: n * dim }, () => next() / 4294967296 - 0.5);
}

const params = { M: 8, efConstruction: 64 } as const;

describe('HNSW determinism', () => {
  const data = randomData(1500, 16, 42);

  it('builds byte-identical indexes from the same data and seed', () => {
    const a = serializeIndex(buildHnsw(data, 16, params, xorshift32(7)));
    const b = serializeIndex(buildHnsw(data.slice(), 16, params, xorshift32(7)));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('builds a different index from a different seed', () => {
    const a = serializeIndex(buildHnsw(data, 16, params, xorshift32(7)));
    const b = serializeIndex(buildHnsw(data, 16, params, xorshift32(8)));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it('draws exactly one nextU32 per node', () => {
    let calls = 0;
    const next = xorshift32(5);
    buildHnsw(data, 16, params, () => (calls++, next()));
    expect(calls).toBe(1500);
  });

  it('rejects a generator that does not return uint32, on both sides of the range', () => {
    expect(() => buildHnsw(data.subarray(0, 16), 16, params, () => 0xffffffff)).not.toThrow();
    expect(() => buildHnsw(data.subarray(0, 16), 16, params, () => 0x100000000)).toThrow(/nextU32\(\) must return an integer in 0..2\^32-1, got 4294967296/);
    expect(() => buildHnsw(data.subarray(0, 16), 16, params, () => -1)).toThrow(/got -1/);
    expect(() => buildHnsw(data.subarray(0, 16), 16, params, () => 0.5)).toThrow(/got 0.5/);
  });

  it('places levels geometrically with mL = 1/ln(M): about n/M nodes above layer 0', () => {
    const index = buildHnsw(data, 16, params, xorshift32(11));
    let above = 0;
    for (let id = 0; id < index.size; id++) if (index.levelOf(id) >= 1) above++;
    // Expected 1500/8 = 187.5; allow a wide binomial margin.
    expect(above).toBeGreaterThan(140);
    expect(above).toBeLessThan(240);
  });
});
