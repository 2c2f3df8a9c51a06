import { describe, it, expect } from 'vitest';
import {
  DEFAULT_COST_MODEL,
  SPEC_IDEAL_COST_MODEL,
  SPEC_NEON_CYCLES_PER_384_DIM_FP16,
  WASM_V128_COST_MODEL,
  CostModelError,
  blockDistanceCycles,
  crc32cCycles,
  distanceCycles,
  ioCopyCycles,
  messageDispatchCycles,
  topkMergeCycles,
} from '../sim/cost-model.ts';

describe('cost model', () => {
  it('reproduces the spec figure of ~48 cycles for a 384-dim fp16 distance in the ideal model', () => {
    expect(distanceCycles(SPEC_IDEAL_COST_MODEL, 'fp16', 384, 'l2')).toBe(SPEC_NEON_CYCLES_PER_384_DIM_FP16);
    expect(distanceCycles(SPEC_IDEAL_COST_MODEL, 'i8', 768, 'l2')).toBe(48);
  });

  it('uses the WASM v128 model by default', () => {
    expect(DEFAULT_COST_MODEL).toBe(WASM_V128_COST_MODEL);
  });

  it('charges fp16 per 8-lane chunk: load, query loads, widening, math and loop', () => {
    // 48 chunks * (17 common + 6 l2 + 2 loop) + 12 fixed
    expect(distanceCycles(WASM_V128_COST_MODEL, 'fp16', 384, 'l2')).toBe(48 * 25 + 12);
    expect(distanceCycles(WASM_V128_COST_MODEL, 'fp16', 384, 'ip')).toBe(48 * 23 + 12);
    expect(distanceCycles(WASM_V128_COST_MODEL, 'fp16', 384, 'cosine')).toBe(48 * 27 + 12 + 30);
  });

  it('charges partial chunks as whole chunks, since the kernel zero-pads', () => {
    expect(distanceCycles(WASM_V128_COST_MODEL, 'fp16', 385, 'l2')).toBe(distanceCycles(WASM_V128_COST_MODEL, 'fp16', 392, 'l2'));
    expect(distanceCycles(WASM_V128_COST_MODEL, 'fp16', 1, 'l2')).toBe(25 + 12);
  });

  it('makes i8 cheaper than fp16 at the same dim, and hamming cheapest', () => {
    const fp16 = distanceCycles(WASM_V128_COST_MODEL, 'fp16', 384, 'l2');
    const i8 = distanceCycles(WASM_V128_COST_MODEL, 'i8', 384, 'l2');
    const hamming = distanceCycles(WASM_V128_COST_MODEL, 'binary', 384, 'hamming');
    expect(i8).toBeLessThan(fp16);
    expect(hamming).toBeLessThan(i8);
    expect(hamming).toBe(3 * (2 + 5 + 2) + 12);
  });

  it('rejects metrics a dtype does not support and dims below 1', () => {
    expect(() => distanceCycles(WASM_V128_COST_MODEL, 'fp16', 384, 'hamming')).toThrow('metric hamming is not supported for dtype fp16');
    expect(() => distanceCycles(WASM_V128_COST_MODEL, 'binary', 384, 'l2')).toThrow(CostModelError);
    expect(() => distanceCycles(WASM_V128_COST_MODEL, 'fp16', 0, 'l2')).toThrow('dim must be an integer >= 1, got 0');
  });

  it('scales block cost linearly with the vector count', () => {
    const one = distanceCycles(WASM_V128_COST_MODEL, 'fp16', 384, 'l2');
    expect(blockDistanceCycles(WASM_V128_COST_MODEL, 'fp16', 384, 'l2', 85)).toBe(85 * one);
    expect(blockDistanceCycles(WASM_V128_COST_MODEL, 'fp16', 384, 'l2', 0)).toBe(0);
  });

  it('charges top-K merges a compare per candidate plus a log2(k) sift per insertion', () => {
    expect(topkMergeCycles(WASM_V128_COST_MODEL, 85, 16)).toBe(85 * 4 + 85 * 4 * 8);
    expect(topkMergeCycles(WASM_V128_COST_MODEL, 85, 16, 10)).toBe(85 * 4 + 10 * 4 * 8);
    expect(topkMergeCycles(WASM_V128_COST_MODEL, 5, 1)).toBe(5 * 4 + 5 * 1 * 8);
    expect(() => topkMergeCycles(WASM_V128_COST_MODEL, 5, 16, 6)).toThrow('inserted 6 exceeds candidates 5');
    expect(() => topkMergeCycles(WASM_V128_COST_MODEL, 5, 0)).toThrow(CostModelError);
  });

  it('charges dispatch, I/O copies and CRC32C as documented', () => {
    expect(messageDispatchCycles(WASM_V128_COST_MODEL)).toBe(24);
    expect(ioCopyCycles(WASM_V128_COST_MODEL, 0)).toBe(0);
    expect(ioCopyCycles(WASM_V128_COST_MODEL, 16)).toBe(8 + 2);
    expect(ioCopyCycles(WASM_V128_COST_MODEL, 17)).toBe(8 + 4);
    expect(crc32cCycles(WASM_V128_COST_MODEL, 2048)).toBe(10 + 2048 * 7);
    expect(() => crc32cCycles(WASM_V128_COST_MODEL, -1)).toThrow(CostModelError);
  });

  it('returns integer cycle counts everywhere', () => {
    for (const dim of [1, 7, 96, 128, 384, 768]) {
      for (const metric of ['l2', 'ip', 'cosine'] as const) {
        expect(Number.isInteger(distanceCycles(WASM_V128_COST_MODEL, 'i8', dim, metric))).toBe(true);
      }
    }
  });
});
