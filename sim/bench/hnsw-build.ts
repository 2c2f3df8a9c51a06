// Wall-clock time to build the hub's HNSW index (hub/hnsw) over clustered vectors. It was
// an opt-in timed test; timings belong in benchmarks, so it lives here. The data are
// uniform cluster centres in [-1, 1]^dim plus uniform noise of +-0.3 per dimension, from
// the run PRNG's derived streams, so every run builds the same graph.
// Wall time is read only here, at the benchmark edge, never inside hub code.
//
// Run: npx tsx sim/bench/hnsw-build.ts [--n 20000] [--dim 384]   (the full-size figure)
import { buildHnsw } from '../../hub/hnsw/index.ts';
import { Prng } from '../../hub/prng.ts';
import { startStopwatch } from '../wallclock.ts';

export interface HnswBuildBenchOptions {
  n?: number;
  dim?: number;
  clusters?: number;
  M?: number;
  efConstruction?: number;
  seed?: number;
}

export interface HnswBuildBench {
  n: number;
  dim: number;
  M: number;
  efConstruction: number;
  seconds: number;
  vectorsPerSecond: number;
  maxLevel: number;
}

/** The figure the issue quotes: 20,000 x 384, M=16, efConstruction=200, under 60 s on one core. */
export const HNSW_FULL_SIZE = { n: 20_000, dim: 384, M: 16, efConstruction: 200 } as const;

function clusteredVectors(prng: Prng, n: number, dim: number, clusters: number): Float32Array {
  const centreStream = prng.derive('centres');
  const centres = Float32Array.from({ length: clusters * dim }, () => centreStream.nextFloat() * 2 - 1);
  const points = prng.derive('points');
  const data = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = points.nextInt(0, clusters - 1);
    for (let d = 0; d < dim; d++) data[i * dim + d] = centres[c * dim + d]! + (points.nextFloat() - 0.5) * 0.6;
  }
  return data;
}

export function runHnswBuildBench(opts: HnswBuildBenchOptions = {}): HnswBuildBench {
  const n = opts.n ?? HNSW_FULL_SIZE.n;
  const dim = opts.dim ?? HNSW_FULL_SIZE.dim;
  const M = opts.M ?? HNSW_FULL_SIZE.M;
  const efConstruction = opts.efConstruction ?? HNSW_FULL_SIZE.efConstruction;
  const prng = new Prng(opts.seed ?? 42).derive('hnsw-build-bench');
  const data = clusteredVectors(prng, n, dim, opts.clusters ?? 64);
  const levels = prng.derive('levels');
  const watch = startStopwatch();
  const index = buildHnsw(data, dim, { M, efConstruction }, () => levels.nextU32());
  const seconds = watch.elapsedMs() / 1000;
  return { n, dim, M, efConstruction, seconds, vectorsPerSecond: n / seconds, maxLevel: index.maxLevel };
}

export function formatHnswBuildBench(r: HnswBuildBench): string {
  return [
    `hnsw build: ${r.n.toLocaleString('en-US')} x ${r.dim}, M=${r.M}, efConstruction=${r.efConstruction}`,
    `  ${r.seconds.toFixed(2)} s, ${Math.round(r.vectorsPerSecond).toLocaleString('en-US')} vectors/s, max level ${r.maxLevel}`,
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const arg = (flag: string): number | undefined => {
    const i = process.argv.indexOf(flag);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const r = runHnswBuildBench({ ...(arg('--n') !== undefined ? { n: arg('--n')! } : {}), ...(arg('--dim') !== undefined ? { dim: arg('--dim')! } : {}) });
  console.log(formatHnswBuildBench(r));
  if (r.n === HNSW_FULL_SIZE.n && r.dim === HNSW_FULL_SIZE.dim) console.log(`  target < 60 s: ${r.seconds < 60 ? 'met' : 'MISSED'}`);
}
