// Push vs pull vs push-hnsw on the same data, index and seed (sim/run/compare.ts, the rows
// of `cogsim run --compare`): bytes over the mesh and simulated latency per query, with
// each row's recall beside them. The approximate modes run at their default beams; the
// bench reports the recall each reached rather than tuning beams to one recall.
import { checkRunConfig, DEFAULT_RUN } from '../run/run-config.ts';
import { runComparison } from '../run/compare.ts';

export interface ModeRow {
  mode: string;
  recall: number;
  bytesPerQuery: number;
  messagesPerQuery: number;
  latencyUsP50: number;
  latencyUsP99: number;
}

export const MODE_CASE = { tiles: 16, meshRows: 4, meshCols: 4, vectors: 4_000, dim: 128, queries: 20, clusters: 16 };

export function runModeCompareBench(): ModeRow[] {
  const base = checkRunConfig({ ...DEFAULT_RUN, ...MODE_CASE, pull: { ...DEFAULT_RUN.pull, efConstruction: 100 } });
  const c = runComparison(base, () => 0);
  return c.rows.map(({ label, summary: r }) => ({
    mode: label,
    recall: r.recallAtK,
    bytesPerQuery: r.bytesPerQuery,
    messagesPerQuery: r.messagesPerQuery,
    latencyUsP50: r.latencyUsP50,
    latencyUsP99: r.latencyUsP99,
  }));
}

const n = (x: number, d = 0): string => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

export function formatModeCompareBench(rows: ModeRow[]): string {
  const push = rows[0]!;
  return [
    `modes: ${MODE_CASE.tiles} tiles, ${n(MODE_CASE.vectors)} x ${MODE_CASE.dim} fp16, ${MODE_CASE.queries} queries, k 10 (simulated figures: the same on every machine)`,
    `  ${'mode'.padEnd(42)} recall  bytes/query  vs push  p50 latency  vs push  p99 latency`,
    ...rows.map(
      (r) =>
        `  ${r.mode.padEnd(42)} ${r.recall.toFixed(3)} ${n(r.bytesPerQuery).padStart(12)} ${(r.bytesPerQuery / push.bytesPerQuery).toFixed(3).padStart(8)} ${`${n(r.latencyUsP50, 1)} us`.padStart(12)} ${(r.latencyUsP50 / push.latencyUsP50).toFixed(3).padStart(8)} ${`${n(r.latencyUsP99, 1)} us`.padStart(12)}`,
    ),
  ].join('\n');
}

if (process.argv[1]?.endsWith('mode-compare.ts')) console.log(formatModeCompareBench(runModeCompareBench()));
