// A campaign as one self-contained HTML page (`cogsim campaign --report`): the sweep, the
// totals, and the curves under fault against the rate (recall@k, p50 and p99 latency),
// one line per configuration (mode/schedule/dtype) and kind set, drawn from the same
// summary rows campaign.json holds. Inline SVG and CSS only: no script runs, nothing is
// fetched; the figures ride along as JSON (#cogsim-report-data) like the run report's.
import { campaignFailed } from '../campaign/campaign.ts';
import type { CampaignTotals, SummaryRow } from '../campaign/summary.ts';
import { configTable, embeddedJson, STYLE } from './render-report.ts';
import { esc, fmt, lineChart, type Series } from './svg.ts';

export interface CampaignReportInput {
  /** The sweep as campaign.json records it (seeds, rates, kind sets, ..., `base` run config). */
  sweep: Record<string, unknown>;
  totals: CampaignTotals;
  summary: readonly SummaryRow[];
}

const TOTALS: { key: keyof CampaignTotals; label: string }[] = [
  { key: 'runs', label: 'runs' },
  { key: 'failed', label: 'runs failed' },
  { key: 'lost', label: 'queries lost' },
  { key: 'differing', label: 'queries answered differently' },
  { key: 'undetected', label: 'faults undetected' },
  { key: 'stalled', label: 'runs stalled' },
  { key: 'injected', label: 'faults injected' },
  { key: 'detected', label: 'faults detected' },
  { key: 'harmless', label: 'faults harmless' },
];

function totalsTable(t: CampaignTotals): string {
  const rows = TOTALS.map(({ key, label }) => `<tr><td>${label}</td><td class="num" data-key="${key}" data-value="${t[key]}">${fmt(t[key])}</td></tr>`);
  return `<table>${rows.join('')}</table>`;
}

/** One series per configuration and kind set, its points in rate order (rows come sorted). */
function curves(rows: readonly SummaryRow[], value: (r: SummaryRow) => number | null): Series[] {
  const byLine = new Map<string, { x: number; y: number }[]>();
  for (const r of rows) {
    const label = `${r.config} ${r.kinds}`;
    const y = value(r);
    if (!byLine.has(label)) byLine.set(label, []);
    if (y !== null) byLine.get(label)!.push({ x: Number(r.rate), y });
  }
  return [...byLine].map(([label, points]) => ({ label, points: points.sort((a, b) => a.x - b.x) }));
}

function chart(id: string, rows: readonly SummaryRow[], value: (r: SummaryRow) => number | null, y: string, digits: number): string {
  return `<div id="${id}">${lineChart(curves(rows, value), { x: 'fault rate per message', y, digits })}</div>`;
}

function summaryTable(rows: readonly SummaryRow[]): string {
  const n = (x: number | null, d: number) => (x === null ? '-' : fmt(x, d));
  const head = '<tr><th>config</th><th>kinds</th><th>rate</th><th>runs</th><th>failed</th><th>lost</th><th>differing</th><th>undetected</th><th>injected</th><th>recall (clean)</th><th>p50 us (clean)</th><th>p99 us (clean)</th></tr>';
  const body = rows.map((r) => `<tr><td>${esc(r.config)}</td><td>${esc(r.kinds)}</td><td class="num">${esc(r.rate)}</td><td class="num">${r.runs}</td><td class="num">${r.failed}</td><td class="num">${r.lost}</td><td class="num">${r.differing}</td><td class="num">${r.undetected}</td><td class="num">${fmt(r.injected)}</td>
<td class="num">${n(r.meanRecall, 4)} (${n(r.meanCleanRecall, 4)})</td><td class="num">${n(r.meanLatencyUsP50, 1)} (${n(r.meanCleanLatencyUsP50, 1)})</td><td class="num">${n(r.meanLatencyUsP99, 1)} (${n(r.meanCleanLatencyUsP99, 1)})</td></tr>`);
  return `<table>${head}${body.join('')}</table>`;
}

export function renderCampaignReport(c: CampaignReportInput): string {
  const t = c.totals;
  const title = `cogsim campaign: ${t.runs} runs, ${c.summary.length} points`;
  const verdict = campaignFailed(t)
    ? `<p class="fail">FAILED: ${t.failed} runs failed (lost ${t.lost}, differing ${t.differing}, undetected ${t.undetected}, stalled ${t.stalled}); their capsules are in the output folder.</p>`
    : '<p class="pass">No query lost, no answer changed, every injected fault detected.</p>';
  const { base, ...sweep } = c.sweep;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${esc(title)}</h1>
<p>Each point is the mean over the seeds of one configuration, kind set and rate; runs that stalled are left out of the curves. Lines that coincide are drawn over one another; the table below lists every point. Every figure is simulated and reproducible from campaign.json's sweep.</p>
<h2>Totals</h2>${verdict}${totalsTable(t)}
<h2>Recall under faults against rate</h2>${chart('recall', c.summary, (r) => r.meanRecall, 'recall@k', 3)}
<h2>Latency p50 under faults against rate (simulated)</h2>${chart('p50', c.summary, (r) => r.meanLatencyUsP50, 'p50 latency (us)', 1)}
<h2>Latency p99 under faults against rate (simulated)</h2>${chart('p99', c.summary, (r) => r.meanLatencyUsP99, 'p99 latency (us)', 1)}
<h2>Per point</h2>${summaryTable(c.summary)}
<h2>Sweep</h2>${configTable(sweep)}
${base && typeof base === 'object' ? `<h2>Base run configuration</h2>${configTable(base as Record<string, unknown>)}` : ''}
<script type="application/json" id="cogsim-report-data">${embeddedJson({ sweep: c.sweep, totals: t, summary: c.summary })}</script>
</body></html>
`;
}
