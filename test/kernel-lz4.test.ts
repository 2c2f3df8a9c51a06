// The kernel's LZ4 decoder (wat/hot/20-lz4.wat) against a well-kept LZ4 implementation
// (lz4-napi 2.10.0, lz4_flex underneath) and the TypeScript reference: every block lz4-napi
// compresses decodes to the original bytes on the simd, scalar and simd-strict builds,
// with and without a dictionary; the hub's compressor's blocks decode in lz4-napi too.
import { beforeAll, describe, expect, it } from 'vitest';
import { lz4CompressBlock, Lz4StreamCompressor } from '../protocol/lz4-compress.ts';
import { lz4DecodeReference } from '../tile/reference/lz4.ts';
import type { LoadedKernel } from '../tile/kernel-module.ts';
import { OK } from '../wat/status.ts';
import { lz4Kernel } from './helpers/lz4-kernel.ts';
import { freshTile, kernelLz4 } from './helpers/lz4-tile.ts';
import { lz4Corpus, napiCompress, napiDecompress } from './lz4-fixtures.ts';

const BUILDS = [['simd', false], ['scalar', false], ['simd', true]] as const;
const corpus = lz4Corpus();

describe('the reference decoder and the hub compressor against lz4-napi', () => {
  for (const { name, data } of corpus) {
    it(`${name}: lz4-napi's block decodes in the reference, ours decodes in lz4-napi`, () => {
      const theirs = napiCompress(data);
      const ref = lz4DecodeReference(theirs, data.length);
      expect(ref.status).toBe(OK);
      expect(Buffer.from(ref.bytes).equals(Buffer.from(data))).toBe(true);
      const ours = lz4CompressBlock(data);
      expect(Buffer.from(napiDecompress(ours, data.length)).equals(Buffer.from(data))).toBe(true);
      expect(lz4DecodeReference(ours, data.length).status).toBe(OK);
    });
  }

  it('compresses as well as lz4-napi within 10% on the compressible inputs', () => {
    for (const { name, data } of corpus.filter((c) => c.data.length >= 1000)) {
      const ours = lz4CompressBlock(data).length;
      const theirs = napiCompress(data).length;
      expect(ours, name).toBeLessThanOrEqual(Math.ceil(theirs * 1.1) + 16);
    }
  });
});

for (const [flavor, strict] of BUILDS) {
  describe(`LZ4 decoding on the hot-${flavor}${strict ? '-strict' : ''} build`, () => {
    let kernel: LoadedKernel;
    beforeAll(() => {
      kernel = lz4Kernel(flavor, strict).kernel;
    });

    for (const { name, data } of corpus) {
      it(`${name}: lz4-napi's block and ours decode to the original, counted as the reference counts`, () => {
        const tile = freshTile(kernel);
        for (const block of [napiCompress(data), lz4CompressBlock(data)]) {
          const run = kernelLz4(tile, block, data.length);
          expect(run.status).toBe(OK);
          expect(Buffer.from(run.bytes).equals(Buffer.from(data))).toBe(true);
          expect(run.ioBytes).toBe(block.length + data.length);
          expect(run.sequences).toBe(lz4DecodeReference(block, data.length).sequences);
        }
      });
    }

    it("decodes lz4-napi's dictionary blocks with the dictionary before the output (the window)", () => {
      const tile = freshTile(kernel);
      for (const { name, data } of corpus.filter((c) => c.data.length >= 1000 && c.data.length <= 16_384)) {
        const dict = data.subarray(0, data.length >> 1);
        const rest = data.subarray(data.length >> 1);
        const block = napiCompress(rest, dict);
        expect(lz4DecodeReference(block, rest.length, dict).status, name).toBe(OK);
        const run = kernelLz4(tile, block, rest.length, dict);
        expect(run.status, name).toBe(OK);
        expect(Buffer.from(run.bytes).equals(Buffer.from(rest)), name).toBe(true);
      }
    });

    it("decodes the hub's pieces of one stream in order, each matching into the pieces before it", () => {
      const tile = freshTile(kernel);
      const data = corpus.find((c) => c.name.startsWith('text'))!.data;
      const compressor = new Lz4StreamCompressor(data);
      const cuts = [0, 300, 301, 900, 1800];
      for (let i = 0; i < cuts.length; i++) {
        const [start, end] = [cuts[i]!, cuts[i + 1] ?? data.length];
        const block = compressor.compress(start, end);
        const dict = data.subarray(0, start);
        expect(Buffer.from(napiDecompress(block, end - start, dict)).equals(Buffer.from(data.subarray(start, end)))).toBe(true);
        const run = kernelLz4(tile, block, end - start, dict);
        expect(run.status).toBe(OK);
        expect(Buffer.from(run.bytes).equals(Buffer.from(data.subarray(start, end)))).toBe(true);
      }
    });
  });
}
