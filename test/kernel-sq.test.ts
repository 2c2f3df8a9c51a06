import { describe, expect, it } from 'vitest';
import { f32BitsToFp16Bits } from '../hub/data/fp16.ts';
import { fp16BoundaryF32Bits } from '../tile/conformance/quant-checks.ts';
import { f32BitsToF16 } from '../tile/reference/fp16.ts';
import { bitsToF32, dequantI8, f32ToBits, paddedDim, sqParamsForRange } from '../tile/reference/sq.ts';
import type { TileInstance } from '../tile/tile-instance.ts';
import { BLOCK_PTR, DATA_BASE, IO_PTR, MAX_BLOCK_VECTORS, MAX_DIM_FP16, MEMORY_BYTES, SQ_PTR, STATE_PTR, ST_SQ_DIM, HOT_PTR } from '../wat/layout.ts';
import { ERR_BAD_COUNT, ERR_BAD_DIM, ERR_BAD_POINTER, ERR_INVALID_OUTPUT, ERR_NO_PARAMS, OK } from '../wat/status.ts';
import { BAD_INPUT_BUILDS, CONFORMANCE_BUILDS, expectUnchangedExcept, initTile, pseudoRandomBytes, snapshot, WORK_RANGE } from './helpers/kernel-ext.ts';

const HALF = BLOCK_PTR + 16384; // where the dispatcher stages i8 codes for in-place dequant

function writeParams(tile: TileInstance, at: number, params: Float32Array): void {
  tile.bytes.set(new Uint8Array(params.buffer, params.byteOffset, params.byteLength), at);
}

function codesOf(n: number, seed: number): Int8Array {
  const b = pseudoRandomBytes(n, seed);
  return new Int8Array(b.buffer);
}

function readF16(tile: TileInstance, at: number, n: number): Uint16Array {
  return new Uint16Array(tile.memory.buffer.slice(at, at + 2 * n));
}

/** Loads params and dequantizes count vectors on a fresh tile; returns the fp16 output. */
function runDequant(build: string, dim: number, params: Float32Array, codes: Int8Array, count: number, src: number, dst: number): Uint16Array {
  const tile = initTile(build);
  writeParams(tile, HOT_PTR, params);
  expect(tile.call('rvf_load_sq_params', HOT_PTR, dim)).toBe(OK);
  tile.bytes.set(new Uint8Array(codes.buffer, codes.byteOffset, codes.byteLength), src);
  expect(tile.call('rvf_dequant_i8', src, dst, count)).toBe(OK);
  return readF16(tile, dst, count * paddedDim(dim));
}

describe('f32 -> fp16 reference', () => {
  it('agrees with the hub converter (written independently) on every non-NaN boundary and 200,000 random patterns', () => {
    const all = fp16BoundaryF32Bits();
    let x = 12345;
    for (let i = 0; i < 200_000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      all.push(x);
    }
    for (const bits of all) {
      if ((bits & 0x7fffffff) > 0x7f800000) expect(f32BitsToF16(bits)).toBe(0x7e00);
      else expect(f32BitsToF16(bits)).toBe(f32BitsToFp16Bits(bits));
    }
  });

  it('rounds 65519 to the largest finite fp16 and 65520 to inf, and ties to even at the subnormal boundary', () => {
    expect(f32BitsToF16(f32ToBits(65519))).toBe(0x7bff);
    expect(f32BitsToF16(f32ToBits(65520))).toBe(0x7c00);
    expect(f32BitsToF16(f32ToBits(-65520))).toBe(0xfc00);
    expect(f32BitsToF16(f32ToBits(2 ** -25))).toBe(0);
    expect(f32BitsToF16(f32ToBits(3 * 2 ** -25))).toBe(2);
    expect(f32BitsToF16(f32ToBits(bitsToF32(0x387fe000)))).toBe(0x0400); // rounds up into the normals
  });
});

describe.each(CONFORMANCE_BUILDS)('rvf_load_sq_params / rvf_dequant_i8 (%s)', (build) => {
  it('decodes code -128 to min and 127 to min + 255 * scale', () => {
    const params = new Float32Array([-1, 2 / 255, 10, 1]);
    const codes = new Int8Array(8);
    codes.set([-128, 127]);
    const out = runDequant(build, 2, params, codes, 1, IO_PTR, BLOCK_PTR);
    expect([...out]).toEqual([0xbc00, 0x5c24, 0, 0, 0, 0, 0, 0]); // -1, 265, padding
  });

  it.each([1, 7, 8, 13, 96, 384])('equals the reference for dim %i over a block of vectors', (dim) => {
    const lo = Array.from({ length: dim }, (_, j) => -1 - (j % 7) * 0.37);
    const hi = Array.from({ length: dim }, (_, j) => 1 + (j % 5) * 0.91);
    const params = sqParamsForRange(dim, lo, hi);
    const count = Math.min(MAX_BLOCK_VECTORS, Math.floor(16384 / paddedDim(dim)));
    const codes = codesOf(count * paddedDim(dim), dim);
    const out = runDequant(build, dim, params, codes, count, HALF, BLOCK_PTR);
    expect(out).toEqual(dequantI8(codes, count, dim, params));
  });

  it('rounds every boundary pattern (subnormal, overflow, ties, NaN) exactly as the reference', () => {
    const mins = fp16BoundaryF32Bits();
    const dim = 376; // a multiple of 8 below 384; every lane position sees boundary values
    for (let start = 0; start < mins.length; start += dim) {
      const params = new Float32Array(2 * dim);
      const pbits = new Uint32Array(params.buffer);
      for (let j = 0; j < dim; j++) pbits[2 * j] = mins[(start + j) % mins.length]!; // scale 0: x = min + 0
      const codes = codesOf(dim, start);
      const out = runDequant(build, dim, params, codes, 1, IO_PTR, BLOCK_PTR);
      expect(out).toEqual(dequantI8(codes, 1, dim, params));
    }
  });

  it('folds NaN from inf * 0 and inf - inf to the canonical fp16 NaN', () => {
    const params = new Float32Array([0, Infinity, -Infinity, Infinity, NaN, 1, 1, NaN]);
    const codes = new Int8Array(8).fill(-128);
    codes[1] = 5;
    const out = runDequant(build, 4, params, codes, 1, IO_PTR, BLOCK_PTR);
    expect([...out.subarray(0, 4)]).toEqual([0x7e00, 0x7e00, 0x7e00, 0x7e00]);
  });

  it('expands a full 16 KB of codes in place from the upper half of the block into the lower half', () => {
    const dim = 128;
    const count = MAX_BLOCK_VECTORS; // 128 x 128 = 16,384 codes, exactly the upper half
    const params = sqParamsForRange(dim, new Array(dim).fill(-2), new Array(dim).fill(3));
    const codes = codesOf(count * dim, 99);
    const out = runDequant(build, dim, params, codes, count, HALF, BLOCK_PTR);
    expect(out).toEqual(dequantI8(codes, count, dim, params));
  });

  it('keeps the given pairs at SQ_PTR, accepts params already at SQ_PTR and sets ST_SQ_DIM', () => {
    const tile = initTile(build);
    const params = sqParamsForRange(20, new Array(20).fill(-1), new Array(20).fill(1));
    writeParams(tile, SQ_PTR, params);
    expect(tile.call('rvf_load_sq_params', SQ_PTR, 20)).toBe(OK);
    expect(new Float32Array(tile.memory.buffer.slice(SQ_PTR, SQ_PTR + 160))).toEqual(params);
    expect(tile.view.getUint32(STATE_PTR + ST_SQ_DIM, true)).toBe(20);
    const codes = codesOf(24 * 3, 5);
    tile.bytes.set(new Uint8Array(codes.buffer), IO_PTR);
    expect(tile.call('rvf_dequant_i8', IO_PTR, BLOCK_PTR, 3)).toBe(OK);
    expect(readF16(tile, BLOCK_PTR, 72)).toEqual(dequantI8(codes, 3, 20, params));
  });

  it('gives identical bits in the SIMD and scalar builds', () => {
    const dim = 50;
    const params = sqParamsForRange(dim, new Array(dim).fill(-1e-5), new Array(dim).fill(7e4));
    const codes = codesOf(56 * 40, 1);
    const [a, b] = CONFORMANCE_BUILDS.map((bd) => runDequant(bd, dim, params, codes, 40, HALF, BLOCK_PTR));
    expect(a).toEqual(b);
  });
});

describe.each(BAD_INPUT_BUILDS)('SQ errors write nothing (%s)', (build) => {
  function loaded(dim = 16): TileInstance {
    const tile = initTile(build);
    writeParams(tile, HOT_PTR, sqParamsForRange(dim, new Array(dim).fill(0), new Array(dim).fill(1)));
    expect(tile.call('rvf_load_sq_params', HOT_PTR, dim)).toBe(OK);
    return tile;
  }

  it('rvf_load_sq_params: dim 0 and 385 are BAD_DIM, 1 and 384 are accepted', () => {
    const tile = initTile(build);
    for (const [dim, status] of [[0, ERR_BAD_DIM], [MAX_DIM_FP16 + 1, ERR_BAD_DIM], [-1, ERR_BAD_DIM]] as const) {
      const before = snapshot(tile);
      expect(tile.call('rvf_load_sq_params', HOT_PTR, dim)).toBe(status);
      expectUnchangedExcept(tile, before);
    }
    expect(tile.call('rvf_load_sq_params', HOT_PTR, 1)).toBe(OK);
    expect(tile.call('rvf_load_sq_params', BLOCK_PTR, MAX_DIM_FP16)).toBe(OK);
  });

  it('rvf_load_sq_params: params running past memory or below the data window are BAD_POINTER', () => {
    const tile = loaded();
    for (const ptr of [MEMORY_BYTES - 8 * 16 + 1, DATA_BASE - 8, 0]) {
      const before = snapshot(tile);
      expect(tile.call('rvf_load_sq_params', ptr, 16)).toBe(ERR_BAD_POINTER);
      expectUnchangedExcept(tile, before);
    }
    expect(tile.call('rvf_load_sq_params', MEMORY_BYTES - 8 * 16, 16)).toBe(OK);
  });

  it('rvf_dequant_i8 without params is NO_PARAMS', () => {
    const tile = initTile(build);
    const before = snapshot(tile);
    expect(tile.call('rvf_dequant_i8', HALF, BLOCK_PTR, 1)).toBe(ERR_NO_PARAMS);
    expectUnchangedExcept(tile, before);
  });

  it('rvf_dequant_i8: count 0 and 129 are BAD_COUNT, 128 is accepted', () => {
    const tile = loaded();
    for (const count of [0, MAX_BLOCK_VECTORS + 1, -1]) {
      const before = snapshot(tile);
      expect(tile.call('rvf_dequant_i8', HALF, BLOCK_PTR, count)).toBe(ERR_BAD_COUNT);
      expectUnchangedExcept(tile, before);
    }
    expect(tile.call('rvf_dequant_i8', HALF, BLOCK_PTR, MAX_BLOCK_VECTORS)).toBe(OK);
  });

  it('rvf_dequant_i8: source or destination leaving the tile is BAD_POINTER', () => {
    const tile = loaded();
    const cases: [number, number][] = [
      [MEMORY_BYTES - 16 * 2 + 1, BLOCK_PTR], // codes: 2 x 16 bytes, one past the end
      [HALF, MEMORY_BYTES - 32 * 2 + 1], // fp16 out: 2 x 32 bytes, one past the end
      [DATA_BASE - 1, BLOCK_PTR],
      [HALF, 0],
    ];
    for (const [src, dst] of cases) {
      const before = snapshot(tile);
      expect(tile.call('rvf_dequant_i8', src, dst, 2)).toBe(ERR_BAD_POINTER);
      expectUnchangedExcept(tile, before);
    }
    expect(tile.call('rvf_dequant_i8', MEMORY_BYTES - 32, MEMORY_BYTES - 128, 2)).toBe(OK);
  });

  it('rvf_dequant_i8: an overlap that would overwrite unread codes is INVALID_OUTPUT; the touching layouts are accepted', () => {
    const tile = loaded(); // 16 dims: 4 vectors = 64 codes -> 128 bytes out
    for (const [src, dst] of [[HALF, HALF - 63], [HALF, HALF], [HALF, HALF + 63]]) {
      const before = snapshot(tile);
      expect(tile.call('rvf_dequant_i8', src!, dst!, 4)).toBe(ERR_INVALID_OUTPUT);
      expectUnchangedExcept(tile, before);
    }
    const codes = codesOf(64, 3);
    const params = sqParamsForRange(16, new Array(16).fill(0), new Array(16).fill(1));
    for (const dst of [HALF - 64, HALF + 64]) {
      tile.bytes.set(new Uint8Array(codes.buffer), HALF);
      expect(tile.call('rvf_dequant_i8', HALF, dst, 4)).toBe(OK);
      expect(readF16(tile, dst, 64)).toEqual(dequantI8(codes, 4, 16, params));
    }
  });

  it('writes only the output vectors on success (padding included, nothing past them)', () => {
    const tile = loaded(12); // padded 16
    tile.bytes.set(pseudoRandomBytes(32, 4), HALF);
    const before = snapshot(tile);
    expect(tile.call('rvf_dequant_i8', HALF, BLOCK_PTR, 2)).toBe(OK);
    expectUnchangedExcept(tile, before, [[BLOCK_PTR, BLOCK_PTR + 64], WORK_RANGE]);
  });
});
