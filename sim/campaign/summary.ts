// A campaign's summary: per configuration (mode/schedule/dtype), kind set and rate, the
// runs, what went wrong, and recall and latency under faults against the clean run.
import type { RunRow } from './run-task.ts';

export interface SummaryRow {
  config: string;
  kinds: string;
  rate: string;
  runs: number;
  failed: number;
  lost: number;
  differing: number;
  undetected: number;
  injected: number;
  meanRecall: number | null;
  meanCleanRecall: number;
  meanLatencyUsP50: number | null;
  meanLatencyUsP99: number | null;
  meanCleanLatencyUsP50: number;
  meanCleanLatencyUsP99: number;
  restarts: number;
  retirements: number;
}

export interface CampaignTotals {
  runs: number;
  failed: number;
  lost: number;
  differing: number;
  undetected: number;
  stalled: number;
  injected: number;
  detected: number;
  harmless: number;
}

const mean = (xs: number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

export function configLabel(r: Pick<RunRow, 'mode' | 'schedule' | 'dtype'>): string {
  return `${r.mode}/${r.schedule}/${r.dtype}`;
}

export function summarizeRuns(rows: readonly RunRow[]): SummaryRow[] {
  const groups = new Map<string, RunRow[]>();
  for (const r of rows) {
    const key = `${configLabel(r)}|${r.kinds}|${r.rate}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const out: SummaryRow[] = [];
  for (const [key, rs] of groups) {
    const [config, kinds, rate] = key.split('|') as [string, string, string];
    const finished = rs.filter((r) => r.recall !== null);
    const sum = (f: (r: RunRow) => number) => rs.reduce((a, r) => a + f(r), 0);
    out.push({
      config,
      kinds,
      rate,
      runs: rs.length,
      failed: rs.filter((r) => r.failed).length,
      lost: sum((r) => r.lost),
      differing: sum((r) => r.differing),
      undetected: sum((r) => r.undetected),
      injected: sum((r) => r.injected),
      meanRecall: mean(finished.map((r) => r.recall!)),
      meanCleanRecall: mean(rs.map((r) => r.cleanRecall))!,
      meanLatencyUsP50: mean(finished.map((r) => r.latencyUsP50!)),
      meanLatencyUsP99: mean(finished.map((r) => r.latencyUsP99!)),
      meanCleanLatencyUsP50: mean(rs.map((r) => r.cleanLatencyUsP50))!,
      meanCleanLatencyUsP99: mean(rs.map((r) => r.cleanLatencyUsP99))!,
      restarts: sum((r) => r.restarts),
      retirements: sum((r) => r.retirements),
    });
  }
  return out.sort((a, b) => a.config.localeCompare(b.config) || a.kinds.localeCompare(b.kinds) || Number(a.rate) - Number(b.rate));
}

export function totalsOf(rows: readonly RunRow[]): CampaignTotals {
  const sum = (f: (r: RunRow) => number) => rows.reduce((a, r) => a + f(r), 0);
  return {
    runs: rows.length,
    failed: rows.filter((r) => r.failed).length,
    lost: sum((r) => r.lost),
    differing: sum((r) => r.differing),
    undetected: sum((r) => r.undetected),
    stalled: rows.filter((r) => r.stalled).length,
    injected: sum((r) => r.injected),
    detected: sum((r) => r.detected),
    harmless: sum((r) => r.harmless),
  };
}

const f = (x: number | null, d = 0) => (x === null ? '-' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));

export function formatSummary(rows: readonly SummaryRow[], totals: CampaignTotals): string {
  const lines = ['| config | kinds | rate | runs | failed | lost | differing | undetected | recall (clean) | p50 us (clean) | p99 us (clean) |', '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|'];
  for (const r of rows) {
    lines.push(
      `| ${r.config} | ${r.kinds} | ${r.rate} | ${r.runs} | ${r.failed} | ${r.lost} | ${r.differing} | ${r.undetected} | ${f(r.meanRecall, 3)} (${f(r.meanCleanRecall, 3)}) | ${f(r.meanLatencyUsP50)} (${f(r.meanCleanLatencyUsP50)}) | ${f(r.meanLatencyUsP99)} (${f(r.meanCleanLatencyUsP99)}) |`,
    );
  }
  const t = totals;
  lines.push('', `${t.runs} runs: ${t.failed} failed (lost ${t.lost}, differing ${t.differing}, undetected ${t.undetected}, stalled ${t.stalled}); faults injected ${t.injected.toLocaleString('en-US')}, detected ${t.detected.toLocaleString('en-US')}, harmless ${t.harmless.toLocaleString('en-US')}`);
  return lines.join('\n');
}

const CSV_COLUMNS: (keyof RunRow)[] = ['index', 'mode', 'schedule', 'dtype', 'rate', 'kinds', 'seed', 'tiles', 'vectors', 'dim', 'queries', 'injected', 'detected', 'lost', 'differing', 'undetected', 'harmless', 'stalled', 'recall', 'cleanRecall', 'latencyUsP50', 'latencyUsP99', 'cleanLatencyUsP50', 'cleanLatencyUsP99', 'restarts', 'retirements', 'traceHash', 'failed'];

export function toCsv(rows: readonly RunRow[]): string {
  const cell = (v: unknown) => {
    const s = v === null ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}
