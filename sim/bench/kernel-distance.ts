// Wall-clock cost of one 384-dim L2 distance (fp16 and i8): the SIMD kernel, the scalar
// kernel and the TypeScript reference, in one run (native-distance.ts adds a C build). A block of 42 vectors (a full 32 KB block region)
// is loaded once; each repetition is one rvf_distances call (42 distances), so the figure
// includes the per-call overhead a real block pays. Warm-up runs first so every engine
// tier has compiled the hot loops. Times are CPU time of this process (sim/wallclock.ts):
// on a shared machine, time spent preempted would otherwise land on whichever build ran then.
//
// Run: npx tsx sim/bench/kernel-distance.ts [--reps N]
import { Prng } from '../../hub/prng.ts';
import { DIST_PTR, DTYPE_FP16, DTYPE_I8, METRIC_L2 } from '../../wat/layout.ts';
import { expectOk, initTile, loadQuery, placeBlock } from '../../tile/kernel-calls.ts';
import { referenceDistance } from '../../tile/reference/distances.ts';
import { encodeFp16, encodeI8, type Dtype } from '../../tile/reference/vector-layout.ts';
import { TileInstance } from '../../tile/tile-instance.ts';
import { startCpuStopwatch } from '../wallclock.ts';

export interface KernelDistanceBench {
  dtype: 'fp16' | 'i8';
  dim: number;
  blockVectors: number;
  reps: number;
  simdNsPerDistance: number;
  scalarNsPerDistance: number;
  referenceNsPerDistance: number;
  scalarOverSimd: number;
  referenceOverSimd: number;
}

const DIM = 384;
const BLOCK_VECTORS = 42;
const DTYPES: Record<'fp16' | 'i8', Dtype> = { fp16: DTYPE_FP16, i8: DTYPE_I8 };

/** A 384-dim vector in the dtype's raw bytes; i8 values spread over -100..100. */
export function benchVector(prng: Prng, dtype: 'fp16' | 'i8'): Uint8Array {
  const values = Array.from({ length: DIM }, () => prng.gaussian());
  return dtype === 'fp16' ? encodeFp16(values) : encodeI8(values.map((v) => Math.max(-127, Math.min(127, Math.round(v * 40)))));
}

function timeKernel(build: string, dtype: Dtype, query: Uint8Array, vectors: Uint8Array[], reps: number): number {
  const tile = new TileInstance(0, build);
  expectOk('rvf_init', initTile(tile, { dtype, dim: DIM }));
  expectOk('rvf_load_query', loadQuery(tile, dtype, query, DIM));
  expectOk('rvf_load_block', placeBlock(tile, dtype, DIM, vectors));
  const fn = tile.call.bind(tile);
  for (let i = 0; i < Math.max(200, reps / 10); i++) fn('rvf_distances', METRIC_L2, DIST_PTR);
  const watch = startCpuStopwatch();
  for (let i = 0; i < reps; i++) fn('rvf_distances', METRIC_L2, DIST_PTR);
  return (watch.elapsedCpuSeconds() * 1e9) / (reps * vectors.length);
}

function timeReference(dtype: Dtype, query: Uint8Array, vectors: Uint8Array[], reps: number): number {
  let sink = 0;
  const pass = (): void => {
    for (const v of vectors) sink += referenceDistance(dtype, METRIC_L2, query, v, DIM).distance;
  };
  for (let i = 0; i < Math.max(20, reps / 100); i++) pass();
  const watch = startCpuStopwatch();
  for (let i = 0; i < reps; i++) pass();
  const ns = (watch.elapsedCpuSeconds() * 1e9) / (reps * vectors.length);
  if (!Number.isFinite(sink)) throw new Error('reference produced a non-finite sum');
  return ns;
}

/** The bench's query and block (seeded): the same inputs for every build and for the C build. */
export function benchInputs(dtype: 'fp16' | 'i8', seed = 1): { query: Uint8Array; vectors: Uint8Array[] } {
  const prng = new Prng(seed).derive(`kernel-distance-bench-${dtype}`);
  return { query: benchVector(prng, dtype), vectors: Array.from({ length: BLOCK_VECTORS }, () => benchVector(prng, dtype)) };
}

/** ns per 384-dim L2 distance on one kernel build (any variant, e.g. 'simd-fuel'), same workload as the bench. */
export function kernelNsPerDistance(build: string, opts: { reps?: number; seed?: number; dtype?: 'fp16' | 'i8' } = {}): number {
  const dtype = opts.dtype ?? 'fp16';
  const { query, vectors } = benchInputs(dtype, opts.seed);
  return timeKernel(build, DTYPES[dtype], query, vectors, opts.reps ?? 20_000);
}

/** Runs the three measurements; `reps` rvf_distances calls per kernel build. */
export function runKernelDistanceBench(opts: { reps?: number; seed?: number; dtype?: 'fp16' | 'i8' } = {}): KernelDistanceBench {
  const reps = opts.reps ?? 20_000;
  const dtype = opts.dtype ?? 'fp16';
  const { query, vectors } = benchInputs(dtype, opts.seed);
  const simd = timeKernel('simd', DTYPES[dtype], query, vectors, reps);
  const scalar = timeKernel('scalar', DTYPES[dtype], query, vectors, reps);
  // The reference is far slower; fewer repetitions give the same precision in similar time.
  const reference = timeReference(DTYPES[dtype], query, vectors, Math.max(1, Math.floor(reps / 20)));
  return {
    dtype,
    dim: DIM,
    blockVectors: BLOCK_VECTORS,
    reps,
    simdNsPerDistance: simd,
    scalarNsPerDistance: scalar,
    referenceNsPerDistance: reference,
    scalarOverSimd: scalar / simd,
    referenceOverSimd: reference / simd,
  };
}

export function formatKernelDistanceBench(r: KernelDistanceBench): string {
  return [
    `kernel distance: ${r.dim}-dim ${r.dtype} L2, block of ${r.blockVectors}, ${r.reps.toLocaleString('en-US')} calls per build`,
    `  simd       ${r.simdNsPerDistance.toFixed(1).padStart(9)} ns/distance`,
    `  scalar     ${r.scalarNsPerDistance.toFixed(1).padStart(9)} ns/distance   scalar/simd    ${r.scalarOverSimd.toFixed(2)}x`,
    `  reference  ${r.referenceNsPerDistance.toFixed(1).padStart(9)} ns/distance   reference/simd ${r.referenceOverSimd.toFixed(2)}x`,
  ].join('\n');
}

if (process.argv[1]?.endsWith('kernel-distance.ts')) {
  const i = process.argv.indexOf('--reps');
  const reps = i >= 0 ? Number(process.argv[i + 1]) : undefined;
  for (const dtype of ['fp16', 'i8'] as const) console.log(formatKernelDistanceBench(runKernelDistanceBench({ dtype, ...(reps !== undefined ? { reps } : {}) })));
}
