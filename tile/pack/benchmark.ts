// Measured benchmarks for a pack's kernels: the core query path (load a block, distances,
// top-K merge) over a fixed fp16 case, timed with a clock the caller gives (the CLI's wall
// clock; simulation code never reads one). Figures are whole numbers, as canonical JSON wants.
import { DTYPE_FP16, METRIC_L2 } from '../../wat/layout.ts';
import { computeDistances, initTile, loadQuery, mergeIds, placeBlock } from '../kernel-calls.ts';
import type { LoadedKernel } from '../kernel-module.ts';
import { TileInstance } from '../tile-instance.ts';
import { fixedCase } from './health-check.ts';

const BENCH = fixedCase('l2 fp16 dim 128, 64 vectors', METRIC_L2, 128, 64, 10);
const ROUNDS = 200;

/** { "l2_fp16_dim128_block64": { latency_ns, vectors_per_ms } } for one kernel. */
export function measureBenchmarks(kernel: LoadedKernel, nowMs: () => number): Record<string, Record<string, number>> {
  const tile = new TileInstance(0, kernel);
  initTile(tile, { dtype: DTYPE_FP16, dim: BENCH.dim, metric: BENCH.metric, k: BENCH.k });
  loadQuery(tile, DTYPE_FP16, BENCH.query, BENCH.dim);
  const ids = BENCH.vectors.map((_, i) => BigInt(i));
  const start = nowMs();
  for (let r = 0; r < ROUNDS; r++) {
    placeBlock(tile, DTYPE_FP16, BENCH.dim, BENCH.vectors);
    computeDistances(tile, BENCH.metric, BENCH.vectors.length);
    mergeIds(tile, ids, BENCH.k);
  }
  const perBlockNs = Math.max(1, Math.round(((nowMs() - start) * 1e6) / ROUNDS));
  return { l2_fp16_dim128_block64: { latency_ns: perBlockNs, vectors_per_ms: Math.round((BENCH.vectors.length * 1e6) / perBlockNs) } };
}
