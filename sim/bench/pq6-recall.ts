// PQ with 6-bit codes: recall@k of the Hot kernel's PQ6 scan against exact ground truth
// (brute force over the fp16 vectors, what an fp16 push scan compares), and how deep a
// re-rank of PQ6's candidates must go to recover the exact top-k: for each depth R, the
// share of the exact top-k inside the kernel's R nearest by PQ6 distance. PQ is
// approximate; no recall target applies. Every distance is the kernel's (sim/run/pq6-scan.ts).
//
// Run: npx tsx sim/bench/pq6-recall.ts [--vectors 10000] [--dim 384] [--queries 100]
//      [--m 32] [--distribution clustered|gaussian] [--seed 1]
import { bruteForceKnn } from '../../hub/data/brute-force-knn.ts';
import { f32ArrayToFp16, fp16ArrayToF32 } from '../../hub/data/fp16.ts';
import { generateClusteredData } from '../../hub/data/generate.ts';
import { generateGaussianData } from '../../hub/data/generate-gaussian.ts';
import { Prng } from '../../hub/prng.ts';
import { defaultPq6M, encodePq6, trainPq6 } from '../../hub/pq6/train.ts';
import { loadKernel } from '../../tile/kernel-module.ts';
import { pq6VectorBytes } from '../../tile/reference/pq6.ts';
import { pq6Scan } from '../run/pq6-scan.ts';
import { startStopwatch } from '../wallclock.ts';

const K = 10;
const DEPTHS = [10, 16, 32, 64, 100, 200, 500, 1000, 2000];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

export interface Pq6RecallFigures {
  recallAtK: number;
  /** Share of the exact top-k within the R nearest by PQ6 distance. */
  depth: { r: number; recall: number }[];
}

/** Recall of the kernel's top-k and of each re-rank depth against the exact ids. */
export function pq6RecallFigures(topIds: Int32Array, distances: Float32Array, exact: Int32Array, n: number, k: number, depths: number[]): Pq6RecallFigures {
  const qn = exact.length / k;
  let hits = 0;
  const depthHits = depths.map(() => 0);
  for (let q = 0; q < qn; q++) {
    const truth = new Set(exact.subarray(q * k, (q + 1) * k));
    for (const id of topIds.subarray(q * k, (q + 1) * k)) if (truth.has(id)) hits++;
    const d = distances.subarray(q * n, (q + 1) * n);
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => d[a]! - d[b]! || a - b);
    depths.forEach((r, j) => {
      for (const id of order.slice(0, r)) if (truth.has(id)) depthHits[j]!++;
    });
  }
  return { recallAtK: hits / (qn * k), depth: depths.map((r, j) => ({ r, recall: depthHits[j]! / (qn * k) })) };
}

async function main(): Promise<void> {
  const vectors = Number(arg('vectors', '10000'));
  const dim = Number(arg('dim', '384'));
  const queries = Number(arg('queries', '100'));
  const distribution = arg('distribution', 'clustered');
  const seed = Number(arg('seed', '1'));
  const m = Number(arg('m', String(defaultPq6M(dim) ?? 0)));
  const prng = new Prng(seed);
  const raw = distribution === 'gaussian'
    ? generateGaussianData(prng.derive('data'), { count: vectors, dim, queryCount: queries })
    : generateClusteredData(prng.derive('data'), { count: vectors, dim, clusters: 64, spread: 0.15, queryCount: queries });
  // What an fp16 scan compares: the vectors and queries rounded to fp16.
  const base = fp16ArrayToF32(f32ArrayToFp16(raw.base));
  const qs = fp16ArrayToF32(f32ArrayToFp16(raw.queries));
  const watch = startStopwatch();
  const book = trainPq6(base, dim, m, prng.derive('pq6'));
  const codes = encodePq6(base, book);
  const trainSeconds = watch.elapsedMs() / 1000;
  const kernel = loadKernel('hot-simd');
  const scan = pq6Scan(kernel, book, codes, qs, K);
  const exact = bruteForceKnn({ base, queries: qs, dim, k: K, metric: 'l2' }).ids;
  const fig = pq6RecallFigures(scan.topIds, scan.distances, exact, vectors, K, DEPTHS);
  console.log(`PQ6 ${distribution}, ${vectors} x ${dim}, ${queries} queries, seed ${seed}: M ${m} (${pq6VectorBytes(m)} B a vector against ${2 * dim} B fp16), training + encoding ${trainSeconds.toFixed(1)} s wall`);
  console.log(`  recall@${K} of the kernel's top-${K}: ${fig.recallAtK.toFixed(3)}`);
  console.log(`  exact top-${K} inside PQ6's R nearest (re-rank depth): ${fig.depth.map((d) => `R ${d.r}: ${d.recall.toFixed(3)}`).join(', ')}`);
}

if (process.argv[1]?.endsWith('pq6-recall.ts')) void main();
