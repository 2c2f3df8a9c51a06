// Conformance of the quantized paths against tile/reference: rvf_load_sq_params +
// rvf_dequant_i8 (random ranges at several dims, i8 extremes, a full 16 KB in place, every
// f32 -> fp16 rounding boundary, NaN and infinities in the params) fp16 bit for bit; and
// rvf_load_pq_codebook + rvf_pq_distances (lane-order and sequential widths, K = 256, an
// infinite centroid) f32 bit for bit, table included.
import { BLOCK_PTR, DTYPE_FP16, HOT_PTR, IO_PTR, MAX_BLOCK_VECTORS, PQ_TABLE_PTR } from '../../wat/layout.ts';
import { statusName, OK } from '../../wat/status.ts';
import { fp16BitsToF32Bits, f32FromBits, f32ToFp16Bits } from '../reference/fp16.ts';
import { pqCodeBits } from '../kernel-exports.ts';
import { pqDistances, pqTable } from '../reference/pq.ts';
import { dequantI8, paddedDim, sqParamsForRange } from '../reference/sq.ts';
import type { LoadedKernel } from '../kernel-module.ts';
import type { TileInstance } from '../tile-instance.ts';
import type { CaseRandom } from './cases.ts';
import { guardedCheck, hex, hex16, initedTile, type CheckResult, type Sink } from './check-kit.ts';
import { randomBytes } from './format-checks.ts';

/** Where the dispatcher stages i8 codes for in-place dequantization. */
const HALF = BLOCK_PTR + 16384;

/** f32 bit patterns at every fp16 rounding boundary (subnormal, overflow, ties, NaN). */
export function fp16BoundaryF32Bits(): number[] {
  const v: number[] = [];
  for (const base of [0, 0x38800000, 0x33000000, 0x33800000, 0x387fc000, 0x477fe000, 0x3f800000, 0x477ff000, 0x7f800000, 0x7fc00000, 0x7f800001, 0x00000001, 0x00800000]) {
    for (const d of [-0x1001, -0x1000, -0xfff, -1, 0, 1, 0xfff, 0x1000, 0x1001, 0x3000]) {
      const bits = (base + d) >>> 0;
      if (bits <= 0x7fffffff) v.push(bits, (bits | 0x80000000) >>> 0);
    }
  }
  for (let e = 100; e <= 114; e++) for (const m of [0, 1, 0x1fff, 0x2000, 0x400000, 0x7fffff]) v.push(((e << 23) | m) >>> 0);
  return v;
}

interface SqCase {
  what: string;
  dim: number;
  params: Float32Array;
  codes: Int8Array;
  count: number;
  src: number;
}

function sqCases(prng: CaseRandom): SqCase[] {
  const codes = (n: number) => new Int8Array(randomBytes(prng, n).buffer);
  const out: SqCase[] = [1, 7, 8, 13, 96, 384].map((dim) => {
    const lo = Array.from({ length: dim }, () => prng.gaussian() * 3);
    const params = sqParamsForRange(dim, lo, lo.map((x) => x + Math.abs(prng.gaussian()) * 4));
    const count = Math.min(MAX_BLOCK_VECTORS, Math.floor(16384 / paddedDim(dim)), 1 + prng.nextInt(0, 40));
    return { what: `random ranges, dim ${dim}, ${count} vectors`, dim, params, codes: codes(count * paddedDim(dim)), count, src: HALF };
  });
  const extremes = new Int8Array(16).fill(-128).fill(127, 8);
  out.push({ what: 'codes -128 and 127', dim: 8, params: sqParamsForRange(8, new Array(8).fill(-1), new Array(8).fill(2)), codes: extremes, count: 2, src: IO_PTR });
  const full = sqParamsForRange(128, new Array(128).fill(-2), new Array(128).fill(3));
  out.push({ what: 'a full 16 KB of codes in place (upper half -> lower half)', dim: 128, params: full, codes: codes(MAX_BLOCK_VECTORS * 128), count: MAX_BLOCK_VECTORS, src: HALF });
  const mins = fp16BoundaryF32Bits();
  for (let start = 0; start < mins.length; start += 376) {
    const params = new Float32Array(2 * 376);
    const bits = new Uint32Array(params.buffer);
    for (let j = 0; j < 376; j++) bits[2 * j] = mins[(start + j) % mins.length]!; // scale 0: x = min
    out.push({ what: `fp16 rounding boundaries ${start}..${start + 375} as mins`, dim: 376, params, codes: codes(376), count: 1, src: IO_PTR });
  }
  const special = new Float32Array([0, Infinity, -Infinity, Infinity, NaN, 1, 1, NaN, -0, 1e-40, 65520, 0]);
  out.push({ what: 'inf * 0, inf - inf, NaN min and scale, -0, a subnormal scale, 65520', dim: 6, params: special, codes: codes(8), count: 1, src: IO_PTR });
  return out;
}

function sqDifference(kernel: LoadedKernel, c: SqCase, sink: Sink): string | undefined {
  const tile = initedTile(kernel, DTYPE_FP16, c.dim);
  tile.bytes.set(new Uint8Array(c.params.buffer), HOT_PTR);
  const loaded = tile.call('rvf_load_sq_params', HOT_PTR, c.dim);
  if (loaded !== OK) return `${c.what}: rvf_load_sq_params expected OK got ${statusName(loaded)}`;
  tile.bytes.set(new Uint8Array(c.codes.buffer), c.src);
  const status = tile.call('rvf_dequant_i8', c.src, BLOCK_PTR, c.count);
  if (status !== OK) return `${c.what}: rvf_dequant_i8 expected OK got ${statusName(status)}`;
  const got = new Uint16Array(tile.memory.buffer.slice(BLOCK_PTR, BLOCK_PTR + 2 * c.count * paddedDim(c.dim)));
  sink(new Uint8Array(got.buffer));
  const want = dequantI8(c.codes, c.count, c.dim, c.params);
  const pd = paddedDim(c.dim);
  for (let e = 0; e < want.length; e++) {
    if (got[e] === want[e]) continue;
    const j = e % pd;
    const input = j < c.dim ? `code ${c.codes[e]}, min ${hex(new Uint32Array(c.params.buffer)[2 * j]!)}, scale ${hex(new Uint32Array(c.params.buffer)[2 * j + 1]!)}` : 'padding';
    return `${c.what}: vector ${Math.floor(e / pd)} element ${j} (${input}) expected fp16 ${hex16(want[e]!)} got ${hex16(got[e]!)}`;
  }
  return undefined;
}

function sqCheck(kernel: LoadedKernel, prng: CaseRandom, sink: Sink): CheckResult {
  const cases = sqCases(prng);
  return guardedCheck('rvf_load_sq_params + rvf_dequant_i8: random, i8 extremes, 16 KB in place, rounding boundaries, NaN/inf', cases.length, () => {
    for (const c of cases) {
      const diff = sqDifference(kernel, c, sink);
      if (diff) return diff;
    }
    return undefined;
  });
}

export interface PqCase {
  dim: number;
  m: number;
  k: number;
  query: Uint16Array;
  codebook: Uint16Array;
  codes: Uint8Array;
  count: number;
}

const PQ_SHAPES: readonly [number, number, number][] = [[64, 8, 16], [48, 16, 32], [384, 48, 14], [96, 4, 16], [16, 8, 256], [30, 5, 20], [16, 16, 1]];

export function fp16Random(prng: CaseRandom, n: number): Uint16Array {
  return Uint16Array.from({ length: n }, () => f32ToFp16Bits(prng.gaussian() * 2));
}

export function randomPqCase(prng: CaseRandom, dim: number, m: number, k: number): PqCase {
  const count = 1 + prng.nextInt(0, 120);
  return { dim, m, k, query: fp16Random(prng, dim), codebook: fp16Random(prng, k * dim), codes: Uint8Array.from({ length: count * m }, () => prng.nextInt(0, k - 1)), count };
}

function pqCases(prng: CaseRandom): PqCase[] {
  const out = PQ_SHAPES.map(([dim, m, k]) => randomPqCase(prng, dim, m, k));
  const inf = { ...out[0]!, dim: 16, m: 2, k: 4, query: fp16Random(prng, 16), codebook: fp16Random(prng, 64), codes: new Uint8Array([0, 1, 1, 1, 3, 0]), count: 3 };
  inf.query[0] = 0x7c00;
  inf.codebook[0] = 0x7c00; // inf - inf in the table: NaN
  inf.codebook[17] = 0xfc00;
  return [...out, inf];
}

function pqTableOf(c: PqCase): Float32Array {
  const q = new Float32Array(paddedDim(c.dim));
  c.query.forEach((h, i) => (q[i] = f32FromBits(fp16BitsToF32Bits(h))));
  return pqTable(q, c.codebook, c.m, c.k, c.dim);
}

export function firstBitsDifference(what: string, want: Float32Array, got: Uint32Array): string | undefined {
  const w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < w.length; i++) if (w[i] !== got[i]) return `${what} ${i} expected ${hex(w[i]!)} got ${hex(got[i] ?? 0)}`;
  return undefined;
}

const pqName = (c: PqCase) => `dim ${c.dim} M ${c.m} K ${c.k}, ${c.count} codes`;

function pqDifference(tile: TileInstance, c: PqCase, sink: Sink): string | undefined {
  tile.bytes.set(new Uint8Array(c.query.buffer), IO_PTR);
  const q = tile.call('rvf_load_query', IO_PTR, c.dim);
  tile.bytes.set(new Uint8Array(c.codebook.buffer), BLOCK_PTR);
  const cb = tile.call('rvf_load_pq_codebook', BLOCK_PTR, c.m, c.k);
  if (q !== OK || cb !== OK) return `${pqName(c)}: rvf_load_query, rvf_load_pq_codebook expected OK, OK got ${statusName(q)}, ${statusName(cb)}`;
  return pqResultDifference(tile, c, sink);
}

/** rvf_pq_distances over the case's codes on a tile holding its query and codebook. */
function pqResultDifference(tile: TileInstance, c: PqCase, sink: Sink): string | undefined {
  const name = pqName(c);
  const codesAt = BLOCK_PTR + 0x4000;
  const out = IO_PTR + 1024;
  tile.bytes.set(c.codes, codesAt);
  const status = tile.call('rvf_pq_distances', codesAt, c.count, out);
  if (status !== OK) return `${name}: rvf_pq_distances expected OK got ${statusName(status)}`;
  const got = new Uint32Array(tile.memory.buffer.slice(out, out + 4 * c.count));
  sink(new Uint8Array(got.buffer));
  const table = pqTableOf(c);
  const tableGot = new Uint32Array(tile.memory.buffer.slice(PQ_TABLE_PTR, PQ_TABLE_PTR + 4 * c.m * c.k));
  return firstBitsDifference(`${name}: distance of code vector`, pqDistances(table, c.codes, c.count, c.m, c.k), got) ?? firstBitsDifference(`${name}: table entry`, table, tableGot);
}

function pqCheck(kernel: LoadedKernel, prng: CaseRandom, sink: Sink): CheckResult {
  const cases = pqCases(prng);
  return guardedCheck(`rvf_load_pq_codebook + rvf_pq_distances: (dim, M, K) ${PQ_SHAPES.map((s) => s.join('/')).join(', ')}, an infinite centroid`, cases.length, () => {
    for (const c of cases) {
      const diff = pqDifference(initedTile(kernel, DTYPE_FP16, c.dim), c, sink);
      if (diff) return diff;
    }
    return undefined;
  });
}

export function quantChecks(kernel: LoadedKernel, prng: CaseRandom, sink: Sink): CheckResult[] {
  // The Hot image's PQ exports are PQ 6-bit (pq6-checks.ts), not this 8-bit PQ.
  return [sqCheck(kernel, prng, sink), ...(pqCodeBits(kernel.image) === 8 ? [pqCheck(kernel, prng, sink)] : [])];
}
