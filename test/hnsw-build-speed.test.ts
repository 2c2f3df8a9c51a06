import { describe, expect, it } from 'vitest';
import { buildHnsw } from '../hub/hnsw/index.ts';

// Opt-in: HNSW_BENCH=1 npx vitest run --config test/vitest.config.ts test/hnsw-build-speed
// Wall time is read here, at the test edge, never inside hub code.

function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
}

const enabled = process.env['HNSW_BENCH'] === '1';

describe.runIf(enabled)('HNSW build speed (opt-in with HNSW_BENCH=1)', () => {
  it('builds 20,000 x 384 with M=16, efConstruction=200 in under 60 s on one core', () => {
    const n = 20_000, dim = 384, clusters = 64;
    const next = xorshift32(42);
    const unit = (): number => next() / 4294967296;
    const centers = Float32Array.from({ length: clusters * dim }, () => unit() * 2 - 1);
    const data = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) {
      const c = next() % clusters;
      for (let d = 0; d < dim; d++) data[i * dim + d] = centers[c * dim + d]! + (unit() - 0.5) * 0.6;
    }
    const started = process.hrtime.bigint();
    const index = buildHnsw(data, dim, { M: 16, efConstruction: 200 }, xorshift32(7));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(`hnsw build ${n} x ${dim} M=16 efConstruction=200: ${seconds.toFixed(1)} s, max level ${index.maxLevel}`);
    expect(seconds).toBeLessThan(60);
  }, 300_000);
});
