// The core query path agrees across builds and with the reference:
//  - SIMD and scalar distances are bit-identical (compared as Uint32 bits);
//  - both equal the lane-order f32 emulation (kernelOrderDistanceBits) bit for bit;
//  - both agree with the f64 reference: exactly on integer metrics (i8, hamming), within
//    FLOAT_METRIC_TOLERANCE (relative 1e-5 of the metric's scale, see
//    tile/reference/distances.ts and docs/memory-map.md) on fp16 metrics;
//  - SIMD, scalar and reference give the same top-K ids in the same order.
import { describe, expect, it } from 'vitest';
import { Prng } from '../hub/prng.ts';
import { DTYPE_BITS, DTYPE_FP16, DTYPE_I8, METRIC_COSINE, METRIC_HAMMING, METRIC_IP, METRIC_L2 } from '../wat/layout.ts';
import { agreesWithReference, FLOAT_METRIC_TOLERANCE, isIntegerMetric, kernelOrderDistanceBits, referenceDistance } from '../tile/reference/distances.ts';
import { f32Bits } from '../tile/reference/fp16.ts';
import { mergeTopK, referenceTopK, type Candidate } from '../tile/reference/topk.ts';
import { computeDistances, initTile, loadQuery, mergeIds, placeBlock, readTopK } from '../tile/kernel-calls.ts';
import { TileInstance } from '../tile/tile-instance.ts';
import { blockCapacity, encodeFp16, encodeI8, fp16BitsToBytes, packBits, type Dtype } from '../tile/reference/vector-layout.ts';
import { ALL_DTYPES, dtypeName, ids, randomCase, randomVector, runCase, SEED, type KernelCase, type KernelRun } from './kernel-fixtures.ts';

const BUILDS = ['simd', 'scalar'] as const;

function metricsFor(dtype: Dtype): number[] {
  return dtype === DTYPE_BITS ? [METRIC_HAMMING] : [METRIC_L2, METRIC_IP, METRIC_COSINE];
}

/**
 * The f64 reference's top-K must be the kernel's, except that two candidates whose
 * reference distances lie within the float tolerance of each other may trade places.
 * Returns whether the lists are identical (so callers can count exact agreements).
 */
function expectReferenceOrder(c: KernelCase, kernelIds: bigint[]): boolean {
  const refs = c.vectors.map((v) => referenceDistance(c.dtype, c.metric, c.query, v, c.dim));
  const refCandidates: Candidate[] = ids(c).map((id, i) => ({ id, distBits: f32Bits(refs[i]!.distance) }));
  const refIds = referenceTopK(refCandidates, c.k).map((e) => e.id);
  if (refIds.join() === kernelIds.join()) return true;
  expect(isIntegerMetric(c.dtype, c.metric), `${c.name}: integer metrics must order exactly like the reference`).toBe(false);
  const tol = (i: number): number => FLOAT_METRIC_TOLERANCE.relative * refs[i]!.scale + FLOAT_METRIC_TOLERANCE.absolute;
  const index = (id: bigint): number => Number(id - c.firstId);
  // Sorted by reference distance up to tolerance, and nothing left out is clearly better.
  for (let j = 1; j < kernelIds.length; j++) {
    const a = index(kernelIds[j - 1]!);
    const b = index(kernelIds[j]!);
    expect(refs[a]!.distance, `${c.name}: order at ${j}`).toBeLessThanOrEqual(refs[b]!.distance + tol(a) + tol(b));
  }
  const last = index(kernelIds[kernelIds.length - 1]!);
  ids(c).forEach((id, i) => {
    if (!kernelIds.includes(id)) expect(refs[i]!.distance + tol(i) + tol(last), `${c.name}: left out ${id}`).toBeGreaterThanOrEqual(refs[last]!.distance);
  });
  return false;
}

/** Every check for one case; returns whether the f64 reference order matched exactly. */
function expectConformant(c: KernelCase): boolean {
  const runs: Record<string, KernelRun> = {};
  for (const build of BUILDS) runs[build] = runCase(build, c);
  const simd = runs.simd!;
  const scalar = runs.scalar!;
  expect(Array.from(scalar.distBits), `${c.name}: scalar bits`).toEqual(Array.from(simd.distBits));
  const predicted = c.vectors.map((v) => kernelOrderDistanceBits(c.dtype, c.metric, c.query, v, c.dim));
  expect(Array.from(simd.distBits), `${c.name}: lane-order emulation`).toEqual(predicted);
  c.vectors.forEach((v, i) => {
    const ref = referenceDistance(c.dtype, c.metric, c.query, v, c.dim);
    const ok = agreesWithReference(c.dtype, c.metric, simd.distBits[i]!, ref);
    expect(ok, `${c.name}: vector ${i} kernel bits 0x${simd.distBits[i]!.toString(16)} vs reference ${ref.distance}`).toBe(true);
  });
  const simdIds = simd.topk.map((e) => e.id);
  expect(scalar.topk.map((e) => e.id), `${c.name}: scalar top-K`).toEqual(simdIds);
  expect(scalar.topk.map((e) => e.distBits)).toEqual(simd.topk.map((e) => e.distBits));
  const emulated = referenceTopK(ids(c).map((id, i) => ({ id, distBits: predicted[i]! })), c.k);
  expect(simdIds, `${c.name}: top-K of the emulated distances`).toEqual(emulated.map((e) => e.id));
  expect(simd.topk.map((e) => e.distBits)).toEqual(emulated.map((e) => e.distBits));
  expect(simd.topk.every((e) => e.aux === 0)).toBe(true);
  expect(simd.topk.length).toBe(Math.min(c.k, c.vectors.length));
  return expectReferenceOrder(c, simdIds);
}

describe('kernel conformance on seeded random inputs', () => {
  const prng = new Prng(SEED).derive('kernel-conformance');
  for (const dtype of ALL_DTYPES) {
    const dims = dtype === DTYPE_BITS ? [1, 7, 8, 9, 63, 64, 65, 383, 384, 6144] : dtype === DTYPE_I8 ? [1, 7, 8, 9, 383, 384, 768] : [1, 7, 8, 9, 383, 384];
    for (const metric of metricsFor(dtype)) {
      it(`matches across builds and the reference for ${dtypeName(dtype)} metric ${metric} at dims ${dims.join(', ')}`, () => {
        let exact = 0;
        let cases = 0;
        for (const dim of dims) {
          const cap = blockCapacity(dtype, dim);
          for (const count of [1, cap, prng.nextInt(1, cap)]) {
            const k = prng.nextInt(1, 16);
            const c = randomCase(prng, `${dtypeName(dtype)} m${metric} dim ${dim} count ${count} k ${k}`, dtype, dim, metric, count, k);
            if (expectConformant(c)) exact++;
            cases++;
          }
        }
        // Near-ties within the float tolerance are rare on random data: most orders match exactly.
        expect(exact).toBeGreaterThanOrEqual(cases - 2);
      });
    }
  }
});

describe('kernel conformance on adversarial inputs', () => {
  const prng = new Prng(SEED).derive('kernel-adversarial');

  it('breaks ties by the lower id when every vector is identical', () => {
    for (const dtype of ALL_DTYPES) {
      for (const metric of metricsFor(dtype)) {
        const v = randomVector(prng, dtype, 9);
        const c: KernelCase = { name: `ties ${dtypeName(dtype)} m${metric}`, dtype, dim: 9, metric, k: 16, query: randomVector(prng, dtype, 9), vectors: Array.from({ length: 40 }, () => v), firstId: 7n };
        expectConformant(c);
        expect(runCase('simd', c).topk.map((e) => e.id)).toEqual(Array.from({ length: 16 }, (_, i) => 7n + BigInt(i)));
      }
    }
  });

  it('returns every vector sorted when k is above the block count, and exactly 16 at k = 16', () => {
    for (const [count, k] of [[3, 16], [1, 1], [16, 16], [17, 16], [40, 16]] as const) {
      const c = randomCase(prng, `k ${k} count ${count}`, DTYPE_FP16, 33, METRIC_L2, count, k);
      expectConformant(c);
      expect(runCase('simd', c).topk.length).toBe(Math.min(count, k));
    }
  });

  it('fills a block to capacity: 42 x 384 fp16, 85 x 384 i8, 128 small vectors', () => {
    expect(blockCapacity(DTYPE_FP16, 384)).toBe(42);
    expect(blockCapacity(DTYPE_I8, 384)).toBe(85);
    expect(blockCapacity(DTYPE_I8, 8)).toBe(128);
    expectConformant(randomCase(prng, 'fp16 384 x 42', DTYPE_FP16, 384, METRIC_L2, 42, 10));
    expectConformant(randomCase(prng, 'i8 384 x 85', DTYPE_I8, 384, METRIC_IP, 85, 10));
    expectConformant(randomCase(prng, 'bits 64 x 128', DTYPE_BITS, 64, METRIC_HAMMING, 128, 16));
  });

  it('handles fp16 subnormals, signed zeros, infinities and NaNs identically in both builds', () => {
    const specials = [0x0001, 0x03ff, 0x0400, 0x8001, 0x8000, 0x0000, 0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7e00, 0x7c01, 0xfe01, 0x3c00];
    for (const metric of metricsFor(DTYPE_FP16)) {
      const vectors = specials.map((h) => fp16BitsToBytes(Array.from({ length: 9 }, (_, i) => (i === 4 ? h : 0x0001))));
      vectors.push(fp16BitsToBytes(new Array(9).fill(0x0001)), fp16BitsToBytes(specials.slice(0, 9)), fp16BitsToBytes(new Array(9).fill(0x7bff)));
      for (const query of [fp16BitsToBytes(new Array(9).fill(0x0002)), fp16BitsToBytes(specials.slice(5, 14)), encodeFp16([1, -2, 3, -4, 5, -6, 7, -8, 9])]) {
        expectConformant({ name: `fp16 specials m${metric}`, dtype: DTYPE_FP16, dim: 9, metric, k: 16, query, vectors, firstId: 100n });
      }
    }
  });

  it('sums i8 extremes -128 and 127 exactly at the largest dim', () => {
    const dim = 768;
    const lo = encodeI8(new Array(dim).fill(-128));
    const hi = encodeI8(new Array(dim).fill(127));
    for (const metric of metricsFor(DTYPE_I8)) {
      const c: KernelCase = { name: `i8 extremes m${metric}`, dtype: DTYPE_I8, dim, metric, k: 4, query: lo, vectors: [hi, lo, randomVector(prng, DTYPE_I8, dim)], firstId: 0n };
      expectConformant(c);
      if (metric === METRIC_L2) expect(runCase('scalar', c).distBits[0]).toBe(f32Bits(255 * 255 * dim));
      if (metric === METRIC_IP) expect(runCase('simd', c).distBits[1]).toBe(f32Bits(-128 * 128 * dim));
    }
  });

  it('gives cosine distance 1.0 for an all-zero query or vector', () => {
    for (const dtype of [DTYPE_FP16, DTYPE_I8] as const) {
      const zero = dtype === DTYPE_FP16 ? encodeFp16(new Array(17).fill(0)) : encodeI8(new Array(17).fill(0));
      const v = randomVector(prng, dtype, 17);
      for (const query of [zero, v]) {
        const c: KernelCase = { name: `cosine zero ${dtypeName(dtype)}`, dtype, dim: 17, metric: METRIC_COSINE, k: 2, query, vectors: [zero, v], firstId: 1n };
        expectConformant(c);
        const bits = runCase('simd', c).distBits;
        expect(bits[0]).toBe(f32Bits(1));
        if (query === zero) expect(bits[1]).toBe(f32Bits(1));
      }
    }
  });

  it('packs binary codes whose dim is not a multiple of 8 and counts only the code bytes', () => {
    const q = packBits(new Array(13).fill(1));
    const c: KernelCase = { name: 'bits 13', dtype: DTYPE_BITS, dim: 13, metric: METRIC_HAMMING, k: 3, query: q, vectors: [packBits(new Array(13).fill(0)), q, packBits([1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])], firstId: 0n };
    expectConformant(c);
    expect(Array.from(runCase('scalar', c).distBits)).toEqual([f32Bits(13), f32Bits(0), f32Bits(11)]);
  });
});

describe('kernel top-K across blocks', () => {
  it('merging three blocks in turn keeps the best k of all of them, as the reference merge does', () => {
    const prng = new Prng(SEED).derive('kernel-multi-block');
    for (const build of BUILDS) {
      const tile = new TileInstance(0, build);
      const dim = 40;
      expect(initTile(tile, { dtype: DTYPE_FP16, dim })).toBe(0);
      const query = randomVector(prng, DTYPE_FP16, dim);
      expect(loadQuery(tile, DTYPE_FP16, query, dim)).toBe(0);
      let model: Candidate[] = [];
      const all: Candidate[] = [];
      for (const [b, k] of [[0, 12], [1, 12], [2, 9]] as const) {
        const vectors = Array.from({ length: 30 }, () => randomVector(prng, DTYPE_FP16, dim));
        expect(placeBlock(tile, DTYPE_FP16, dim, vectors)).toBe(0);
        const { bits } = computeDistances(tile, METRIC_L2, vectors.length);
        const blockIds = vectors.map((_, i) => BigInt(b * 1000 + 29 - i)); // descending ids: ties must still go low
        expect(mergeIds(tile, blockIds, k)).toBe(0);
        const cands = blockIds.map((id, i) => ({ id, distBits: bits[i]! }));
        all.push(...cands);
        model = mergeTopK(model, cands, k);
        expect(readTopK(tile).entries.map((e) => [e.id, e.distBits])).toEqual(model.map((e) => [e.id, e.distBits]));
      }
      expect(model.map((e) => e.id)).toEqual(referenceTopK(all, 9).map((e) => e.id));
    }
  });
});
