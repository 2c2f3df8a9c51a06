// Wall-clock cost of one 384-dim fp16 L2 distance: the SIMD kernel, the scalar kernel and
// the TypeScript reference, in one run. A block of 42 vectors (a full 32 KB block region)
// is loaded once; each repetition is one rvf_distances call (42 distances), so the figure
// includes the per-call overhead a real block pays. Warm-up runs first so every engine
// tier has compiled the hot loops. Wall time is read only through sim/wallclock.ts.
//
// Run: npx tsx sim/bench/kernel-distance.ts [--reps N]
import { Prng } from '../../hub/prng.ts';
import { DIST_PTR, DTYPE_FP16, METRIC_L2 } from '../../wat/layout.ts';
import { expectOk, initTile, loadQuery, placeBlock } from '../../tile/kernel-calls.ts';
import { referenceDistance } from '../../tile/reference/distances.ts';
import { encodeFp16 } from '../../tile/reference/vector-layout.ts';
import { TileInstance } from '../../tile/tile-instance.ts';
import { startStopwatch } from '../wallclock.ts';

export interface KernelDistanceBench {
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

function fp16Vector(prng: Prng): Uint8Array {
  return encodeFp16(Array.from({ length: DIM }, () => prng.gaussian()));
}

function timeKernel(build: string, query: Uint8Array, vectors: Uint8Array[], reps: number): number {
  const tile = new TileInstance(0, build);
  expectOk('rvf_init', initTile(tile, { dtype: DTYPE_FP16, dim: DIM }));
  expectOk('rvf_load_query', loadQuery(tile, DTYPE_FP16, query, DIM));
  expectOk('rvf_load_block', placeBlock(tile, DTYPE_FP16, DIM, vectors));
  const fn = tile.call.bind(tile);
  for (let i = 0; i < Math.max(200, reps / 10); i++) fn('rvf_distances', METRIC_L2, DIST_PTR);
  const watch = startStopwatch();
  for (let i = 0; i < reps; i++) fn('rvf_distances', METRIC_L2, DIST_PTR);
  return (watch.elapsedMs() * 1e6) / (reps * vectors.length);
}

function timeReference(query: Uint8Array, vectors: Uint8Array[], reps: number): number {
  let sink = 0;
  const pass = (): void => {
    for (const v of vectors) sink += referenceDistance(DTYPE_FP16, METRIC_L2, query, v, DIM).distance;
  };
  for (let i = 0; i < Math.max(20, reps / 100); i++) pass();
  const watch = startStopwatch();
  for (let i = 0; i < reps; i++) pass();
  const ns = (watch.elapsedMs() * 1e6) / (reps * vectors.length);
  if (!Number.isFinite(sink)) throw new Error('reference produced a non-finite sum');
  return ns;
}

/** ns per 384-dim fp16 L2 distance on one kernel build (any variant, e.g. 'simd-fuel'), same workload as the bench. */
export function kernelNsPerDistance(build: string, opts: { reps?: number; seed?: number } = {}): number {
  const prng = new Prng(opts.seed ?? 1).derive('kernel-distance-bench');
  const query = fp16Vector(prng);
  const vectors = Array.from({ length: BLOCK_VECTORS }, () => fp16Vector(prng));
  return timeKernel(build, query, vectors, opts.reps ?? 20_000);
}

/** Runs the three measurements; `reps` rvf_distances calls per kernel build. */
export function runKernelDistanceBench(opts: { reps?: number; seed?: number } = {}): KernelDistanceBench {
  const reps = opts.reps ?? 20_000;
  const prng = new Prng(opts.seed ?? 1).derive('kernel-distance-bench');
  const query = fp16Vector(prng);
  const vectors = Array.from({ length: BLOCK_VECTORS }, () => fp16Vector(prng));
  const simd = timeKernel('simd', query, vectors, reps);
  const scalar = timeKernel('scalar', query, vectors, reps);
  // The reference is far slower; fewer repetitions give the same precision in similar time.
  const reference = timeReference(query, vectors, Math.max(1, Math.floor(reps / 20)));
  return {
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
    `kernel distance: ${r.dim}-dim fp16 L2, block of ${r.blockVectors}, ${r.reps.toLocaleString('en-US')} calls per build`,
    `  simd       ${r.simdNsPerDistance.toFixed(1).padStart(9)} ns/distance`,
    `  scalar     ${r.scalarNsPerDistance.toFixed(1).padStart(9)} ns/distance   scalar/simd    ${r.scalarOverSimd.toFixed(2)}x`,
    `  reference  ${r.referenceNsPerDistance.toFixed(1).padStart(9)} ns/distance   reference/simd ${r.referenceOverSimd.toFixed(2)}x`,
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const i = process.argv.indexOf('--reps');
  const reps = i >= 0 ? Number(process.argv[i + 1]) : undefined;
  console.log(formatKernelDistanceBench(runKernelDistanceBench(reps !== undefined ? { reps } : {})));
}
