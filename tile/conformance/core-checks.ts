// The export-level half of the conformance fixture: every dtype and metric, random and
// adversarial inputs (NaN, infinities, subnormals, signed zeros, ties at every rank, the
// maximum dim per dtype, i8 extremes), checked bit for bit against the TypeScript
// reference (tile/reference): distances in the kernel's lane order, top-K by the total
// order of the f32 bits with ties to the lower id, CRC32C. Each check stops at its first
// difference and names the input, the expected and the got value.
import { BLOCK_BYTES, BLOCK_PTR, DTYPE_BITS, DTYPE_FP16, DTYPE_I8, HOT_IMAGE_MAX_DIM_FP16, IO_PTR, MAX_DIM_BITS, MAX_DIM_FP16, MAX_DIM_I8, METRIC_COSINE, METRIC_HAMMING, METRIC_IP, METRIC_L2, type KernelImage } from '../../wat/layout.ts';
import { crc32c } from '../reference/crc32c.ts';
import { kernelOrderDistanceBits } from '../reference/distances.ts';
import { mergeTopK } from '../reference/topk.ts';
import { blockCapacity, encodeFp16, encodeI8, fp16BitsToBytes, type Dtype } from '../reference/vector-layout.ts';
import { TileInstance } from '../tile-instance.ts';
import type { LoadedKernel } from '../kernel-module.ts';
import { hex, type CheckResult, type Sink } from './check-kit.ts';
import { ALL_DTYPES, dtypeName, ids, randomCase, randomVector, runOnTile, type CaseRandom, type KernelCase } from './cases.ts';

export type { CheckResult, Sink } from './check-kit.ts';
const METRIC_NAMES: Record<number, string> = { [METRIC_L2]: 'l2', [METRIC_IP]: 'ip', [METRIC_COSINE]: 'cosine', [METRIC_HAMMING]: 'hamming' };

export function metricsFor(dtype: Dtype): number[] {
  return dtype === DTYPE_BITS ? [METRIC_HAMMING] : [METRIC_L2, METRIC_IP, METRIC_COSINE];
}

function describeCase(c: KernelCase): string {
  return `${c.name} (${dtypeName(c.dtype)} dim ${c.dim}, ${METRIC_NAMES[c.metric] ?? c.metric}, ${c.vectors.length} vectors, k ${c.k})`;
}

/** The first way the kernel's run of `c` differs from the reference, or undefined. */
export function caseDifference(kernel: LoadedKernel, c: KernelCase, sink: Sink): string | undefined {
  let run;
  try {
    run = runOnTile(new TileInstance(0, kernel), c);
  } catch (err) {
    return `${describeCase(c)}: ${(err as Error).message}`;
  }
  sink(new Uint8Array(run.distBits.buffer));
  const expected = c.vectors.map((v) => kernelOrderDistanceBits(c.dtype, c.metric, c.query, v, c.dim));
  for (let i = 0; i < expected.length; i++) {
    if (run.distBits[i] !== expected[i]) return `${describeCase(c)}: distance of vector ${i} expected ${hex(expected[i]!)} got ${hex(run.distBits[i] ?? 0)}`;
  }
  const want = mergeTopK([], ids(c).map((id, i) => ({ id, distBits: expected[i]! })), c.k);
  sink(run.topk.map((e) => `${e.id}:${e.distBits}:${e.aux}`).join(','));
  for (let r = 0; r < Math.max(want.length, run.topk.length); r++) {
    const w = want[r];
    const g = run.topk[r];
    if (!w || !g || w.id !== g.id || w.distBits >>> 0 !== g.distBits >>> 0) {
      const show = (e?: { id: bigint; distBits: number }) => (e ? `id ${e.id} dist ${hex(e.distBits)}` : 'nothing');
      return `${describeCase(c)}: top-K rank ${r} expected ${show(w)} got ${show(g)}`;
    }
  }
  return undefined;
}

function caseCheck(name: string, kernel: LoadedKernel, cases: KernelCase[], sink: Sink): CheckResult {
  for (const c of cases) {
    const diff = caseDifference(kernel, c, sink);
    if (diff) return { name, pass: false, cases: cases.length, firstDifference: diff };
  }
  return { name, pass: true, cases: cases.length };
}

const DIMS: Record<Dtype, number[]> = {
  [DTYPE_FP16]: [1, 7, 8, 9, 17, 383, MAX_DIM_FP16],
  [DTYPE_I8]: [1, 7, 8, 9, 383, MAX_DIM_I8],
  [DTYPE_BITS]: [1, 7, 8, 9, 63, 64, 65, 383, MAX_DIM_BITS],
};

/** The Hot image also serves fp16 above the Core limit, up to 1,024 dims. */
const HOT_FP16_DIMS = [MAX_DIM_FP16 + 1, 512, 1000, HOT_IMAGE_MAX_DIM_FP16 - 1, HOT_IMAGE_MAX_DIM_FP16];

function dimsFor(dtype: Dtype, image: KernelImage): number[] {
  return dtype === DTYPE_FP16 && image === 'hot' ? [...DIMS[dtype], ...HOT_FP16_DIMS] : DIMS[dtype];
}

function randomCases(prng: CaseRandom, dtype: Dtype, metric: number, image: KernelImage): KernelCase[] {
  return dimsFor(dtype, image).map((dim) => {
    const count = Math.min(blockCapacity(dtype, dim, image), 1 + prng.nextInt(0, 60));
    return randomCase(prng, `random`, dtype, dim, metric, count, 1 + prng.nextInt(0, 15));
  });
}

/** Few distinct vectors, many copies, ids descending in block order: a tie at every rank. */
function tieCases(prng: CaseRandom, dtype: Dtype, metric: number): KernelCase[] {
  const dim = 9;
  return [1, 3, 5].map((distinct) => {
    const pool = Array.from({ length: distinct }, () => randomVector(prng, dtype, dim));
    const vectors = Array.from({ length: 40 }, (_, i) => pool[i % distinct]!);
    return { name: `ties (${distinct} distinct of 40)`, dtype, dim, metric, k: 16, query: randomVector(prng, dtype, dim), vectors, firstId: 0n, ids: vectors.map((_, i) => BigInt(1000 - 7 * i)) };
  });
}

const FP16_SPECIALS = [0x0001, 0x03ff, 0x0400, 0x8001, 0x8000, 0x0000, 0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7e00, 0x7c01, 0xfe01, 0x3c00];

/** Subnormals, signed zeros, the largest finite, infinities and NaNs, in the vectors and the query. */
function fp16SpecialCases(metric: number): KernelCase[] {
  const vectors = FP16_SPECIALS.map((h) => fp16BitsToBytes(Array.from({ length: 9 }, (_, i) => (i === 4 ? h : 0x0001))));
  vectors.push(fp16BitsToBytes(new Array(9).fill(0x0001)), fp16BitsToBytes(FP16_SPECIALS.slice(0, 9)), fp16BitsToBytes(new Array(9).fill(0x7bff)));
  const queries = [fp16BitsToBytes(new Array(9).fill(0x0002)), fp16BitsToBytes(FP16_SPECIALS.slice(5, 14)), encodeFp16([1, -2, 3, -4, 5, -6, 7, -8, 9])];
  return queries.map((query, q) => ({ name: `fp16 specials, query ${q}`, dtype: DTYPE_FP16, dim: 9, metric, k: 16, query, vectors, firstId: 100n }));
}

function i8ExtremeCases(prng: CaseRandom, metric: number): KernelCase[] {
  const lo = encodeI8(new Array(MAX_DIM_I8).fill(-128));
  const hi = encodeI8(new Array(MAX_DIM_I8).fill(127));
  return [lo, hi].map((query, q) => ({ name: `i8 extremes, query ${q ? '127' : '-128'}`, dtype: DTYPE_I8, dim: MAX_DIM_I8, metric, k: 4, query, vectors: [hi, lo, randomVector(prng, DTYPE_I8, MAX_DIM_I8)], firstId: 0n }));
}

function crcCheck(kernel: LoadedKernel, prng: CaseRandom, sink: Sink): CheckResult {
  const lengths = [0, 1, 3, 4, 7, 8, 9, 63, 64, 65, 1000, 2040];
  const tile = new TileInstance(0, kernel);
  for (const len of [...lengths, BLOCK_BYTES]) {
    const at = len > 2040 ? BLOCK_PTR : IO_PTR + (len % 4);
    const data = Uint8Array.from({ length: len }, () => prng.nextInt(0, 255));
    tile.bytes.set(data, at);
    let got: number;
    try {
      got = (tile.call('rvf_crc32c', at, len) as number) >>> 0;
    } catch (err) {
      return { name: 'rvf_crc32c', pass: false, cases: lengths.length + 1, firstDifference: `${len} random bytes at 0x${at.toString(16)}: ${(err as Error).message}` };
    }
    sink(String(got));
    const want = crc32c(data);
    if (got !== want) return { name: 'rvf_crc32c', pass: false, cases: lengths.length + 1, firstDifference: `${len} random bytes at 0x${at.toString(16)}: expected ${hex(want)} got ${hex(got)}` };
  }
  return { name: 'rvf_crc32c', pass: true, cases: lengths.length + 1 };
}

/** Every export-level check, in a fixed order. */
export function coreChecks(kernel: LoadedKernel, prng: CaseRandom, sink: Sink): CheckResult[] {
  const out: CheckResult[] = [];
  for (const dtype of ALL_DTYPES) {
    for (const metric of metricsFor(dtype)) {
      const tag = `${dtypeName(dtype)} ${METRIC_NAMES[metric]}`;
      out.push(caseCheck(`distances and top-K, ${tag}, random, dims ${dimsFor(dtype, kernel.image).join(',')}`, kernel, randomCases(prng, dtype, metric, kernel.image), sink));
      out.push(caseCheck(`ties at every rank go to the lower id, ${tag}`, kernel, tieCases(prng, dtype, metric), sink));
      if (dtype === DTYPE_FP16) out.push(caseCheck(`NaN, infinities, subnormals, signed zeros, ${tag}`, kernel, fp16SpecialCases(metric), sink));
      if (dtype === DTYPE_I8) out.push(caseCheck(`i8 extremes -128/127 at dim ${MAX_DIM_I8}, ${tag}`, kernel, i8ExtremeCases(prng, metric), sink));
    }
  }
  out.push(crcCheck(kernel, prng, sink));
  return out;
}
