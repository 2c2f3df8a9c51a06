// `cogsim run --compare`: the three modes on the same data, index and seed, one table.
//   push        exact scan (the run's schedule): every vector to a tile per query
//   push-hnsw   the hub walks HNSW with beam ef, tiles compute each expansion's distances
//   pull        the tile walks layer 0 (beam <= 16): one walk over the same index, and the
//               run's pull setting (by default 2 shards, each with its own index)
// Every row is a full simulation with the real kernel; the push-hnsw row's reference check
// is printed under the table.
import { TOPK_MAX } from '../../wat/layout.ts';
import { checkRunConfig, type RunConfig } from './run-config.ts';
import { summarize, type RunSummary } from './report.ts';
import { buildSimulation, runSimulation } from './simulation.ts';

export interface CompareRow {
  label: string;
  summary: RunSummary;
}

export interface Comparison {
  base: RunConfig;
  rows: CompareRow[];
}

/** The configurations --compare runs, in table order. */
export function compareConfigs(base: RunConfig): { label: string; config: RunConfig }[] {
  const pullEf = Math.min(base.pull.ef, TOPK_MAX);
  const pull = (walks: number, split: RunConfig['pull']['split']) => checkRunConfig({ ...base, mode: 'pull', pull: { ...base.pull, ef: pullEf, walks, split } });
  const rows = [
    { label: `push (exact scan, ${base.schedule} schedule)`, config: checkRunConfig({ ...base, mode: 'push' }) },
    { label: `push-hnsw (ef ${base.pushHnsw.ef})`, config: checkRunConfig({ ...base, mode: 'push-hnsw', schedule: 'query' }) },
    { label: `pull (ef ${pullEf}, 1 walk, same index)`, config: pull(1, 'entries') },
  ];
  if (base.pull.walks > 1) rows.push({ label: `pull (ef ${pullEf}, ${base.pull.walks} walks, ${base.pull.split})`, config: pull(base.pull.walks, base.pull.split) });
  return rows;
}

export function runComparison(base: RunConfig, wallSeconds: () => number, onRow?: (label: string) => void): Comparison {
  const rows: CompareRow[] = [];
  for (const { label, config } of compareConfigs(base)) {
    onRow?.(label);
    const start = wallSeconds();
    const s = buildSimulation(config);
    const { events } = runSimulation(s);
    rows.push({ label, summary: summarize(s, events, wallSeconds() - start) });
    s.trace.close();
  }
  return { base, rows };
}

const n = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function formatComparison(c: Comparison): string {
  const b = c.base;
  const head = ['mode', `recall@${b.k}`, 'msgs/query', 'bytes/query', 'p50 latency', 'p99 latency', 'QPS (sim)', 'tile util', 'tile dist/query', 'tile cycles/query', 'hub cycles/query'];
  const body = c.rows.map(({ label, summary: r }) => [
    label,
    r.recallAtK.toFixed(4),
    n(r.messagesPerQuery, 1),
    n(r.bytesPerQuery),
    `${n(r.latencyUsP50, 1)} us`,
    `${n(r.latencyUsP99, 1)} us`,
    n(r.simulatedQps, 1),
    `${(r.tileUtilization.mean * 100).toFixed(1)}%`,
    n(r.tileWork.distances / r.queries, 1),
    n(r.tileWork.cycles.total / r.queries),
    n(r.hubWork.cycles / r.queries),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join(' | ')} |`;
  const hnsw = c.rows.find((r) => r.summary.pushHnsw)?.summary;
  const first = c.rows[0]!.summary;
  return [
    `seed ${b.seed}  data: ${first.data}; ${b.tiles} tiles (${b.meshRows}x${b.meshCols}), ${b.queries} queries, k ${b.k}, concurrency ${b.concurrency}, kernel ${b.kernel}; HNSW M ${b.pull.M}, efConstruction ${b.pull.efConstruction}`,
    line(head),
    `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...body.map(line),
    ...(hnsw?.pushHnsw
      ? [
          `push-hnsw: ${n(hnsw.pushHnsw.referenceEqual)}/${n(hnsw.queries)} queries equal the reference HNSW search${hnsw.pushHnsw.referenceDiffering.length > 0 ? ` (differing: ${hnsw.pushHnsw.referenceDiffering.slice(0, 10).join(', ')}; reproduce with --seed ${b.seed})` : ''}; ` +
            `${n(hnsw.pushHnsw.roundsPerQuery, 1)} rounds, ${n(hnsw.pushHnsw.batchesPerQuery, 1)} batches, ${n(hnsw.pushHnsw.distancesPerQuery, 1)} tile distances per query`,
        ]
      : []),
    `recall@${b.k} against exact search over the values the tiles hold (fp16, or i8 dequantized); messages and bytes both ways; latency and QPS in simulated time; tile work by the kernels' counters, hub work on the hub cost model (docs/cost-model.md)`,
    ...c.rows.map(({ label, summary: r }) => `  ${label}: trace ${r.traceHash.slice(0, 16)}, ${r.wallSeconds.toFixed(1)} s wall`),
  ].join('\n');
}
