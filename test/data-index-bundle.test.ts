import { describe, expect, it } from 'vitest';
import { buildHnsw, IndexFormatError, serializeIndex } from '../hub/hnsw/index.ts';
import { indexFileSettings, readIndexBundle, writeIndexBundle } from '../hub/pull/index-bundle.ts';

function region(n: number, dim: number, M: number, seed: number): Uint8Array {
  const v = Float32Array.from({ length: n * dim }, (_, i) => Math.sin(i * 0.37 + seed));
  let s = seed;
  return serializeIndex(buildHnsw(v, dim, { M, efConstruction: 20 }, () => (s = (s * 1_103_515_245 + 12_345) >>> 0)));
}

describe('index bundle (one --index file for a sharded pull run)', () => {
  const parts = [region(20, 4, 6, 1), region(19, 4, 6, 2), region(19, 4, 6, 3)];
  const bundle = writeIndexBundle(parts);

  it('round-trips each region\'s bytes and reports the regions\' own settings', () => {
    expect(readIndexBundle(bundle, 'b').map((p) => Array.from(p))).toEqual(parts.map((p) => Array.from(p)));
    expect(indexFileSettings(bundle, 'b')).toEqual({ regions: 3, M: 6, efConstruction: 20, metric: 'l2', n: 58, dim: 4 });
    expect(indexFileSettings(parts[0]!, 'p')).toEqual({ regions: 1, M: 6, efConstruction: 20, metric: 'l2', n: 20, dim: 4 });
  });

  it('refuses a truncated bundle, trailing bytes and a foreign file, naming the byte', () => {
    expect(() => readIndexBundle(bundle.subarray(0, bundle.length - 1), 'b')).toThrow(/region 2 declares .* truncated/);
    const longer = new Uint8Array(bundle.length + 3);
    longer.set(bundle);
    expect(() => readIndexBundle(longer, 'b')).toThrow(/3 trailing bytes/);
    expect(() => readIndexBundle(parts[0]!, 'p')).toThrow(IndexFormatError);
    expect(() => readIndexBundle(new Uint8Array(40), 'z')).toThrow(/not a cogsim index/);
  });
});
