// The run as one self-contained HTML page: configuration, the summary's figures, the mesh
// heatmap, the latency histogram, bytes by message type, work by category and, for fault
// runs, the fault timeline. Inline SVG and CSS only: no script runs, nothing is fetched.
// The figures also ride along as JSON (#cogsim-report-data) for tools and tests.
import { FAULT_KINDS } from '../faults/fault-kinds.ts';
import type { FaultReport } from '../run/fault-report.ts';
import type { ReportFigures } from './report-collector.ts';
import { faultTimeline } from './fault-timeline.ts';
import { meshHeatmap } from './mesh-heatmap.ts';
import { barChart, binsOf, esc, fmt, histogram } from './svg.ts';
import { summaryRows } from './summary-rows.ts';

export interface ReportExtras {
  /** `cogsim faults`: the experiment's verdict and per-kind counts. */
  faultReport?: FaultReport;
}

export const STYLE = `body{font:14px system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin-bottom:12px}td,th{padding:2px 10px;border-bottom:1px solid #eee;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}.chart text{font-size:12px}.legend{color:#555;font-size:12px}
.pass{color:#1a7f37;font-weight:bold}.fail{color:#c62828;font-weight:bold}`;

export function configTable(config: Record<string, unknown>): string {
  const rows = Object.entries(config).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(typeof v === 'object' ? JSON.stringify(v) : String(v))}</td></tr>`);
  return `<table>${rows.join('')}</table>`;
}

function figuresTable(f: ReportFigures): string {
  const rows = summaryRows(f.summary).map((r) => `<tr><td>${esc(r.label)}</td><td class="num" data-key="${esc(r.key)}" data-value="${r.value}">${esc(r.text)}</td></tr>`);
  return `<table>${rows.join('')}</table>`;
}

function bytesSection(f: ReportFigures): string {
  const sent = Object.entries(f.summary.sentByType).map(([t, v]) => ({ label: `${t} (to tiles)`, value: v.bytes, note: `${fmt(v.bytes)} B, ${fmt(v.messages)} messages` }));
  const replies = Object.entries(f.repliesByType).map(([t, v]) => ({ label: `${t} (to hub)`, value: v.bytes, note: `${fmt(v.bytes)} B, ${fmt(v.messages)} messages` }));
  return barChart([...sent, ...replies], '#59a14f', 'type');
}

function workSection(f: ReportFigures): string {
  const total = f.work.categories.reduce((a, c) => a + c.cycles, 0);
  const bars = f.work.categories.map((c) => ({ label: c.name, value: c.cycles, note: `${fmt(c.cycles)} cycles (${fmt((c.cycles / Math.max(1, total)) * 100, 1)}%)` }));
  return `<p>${esc(f.work.source)}; ${fmt(total)} cycles in all.</p>${barChart(bars, '#f28e2b', 'work')}`;
}

function faultSection(f: ReportFigures, r: FaultReport | undefined): string {
  if (!r) return f.timeline.length ? `<h2>Faults and recoveries</h2>${faultTimeline(f)}` : '';
  const kinds = FAULT_KINDS.filter((k) => r.kinds.includes(k) || r.perKind[k].injected > 0);
  const rows = kinds.map((k) => `<tr><td>${k}</td><td class="num">${fmt(r.perKind[k].injected)}</td><td class="num">${fmt(r.perKind[k].detected)}</td><td class="num">${fmt(r.perKind[k].recovered)}</td></tr>`);
  const verdict = r.identical && r.undetected.length === 0
    ? '<p class="pass">Every injected fault was detected and every query answered exactly as without faults.</p>'
    : `<p class="fail">FAILED: ${r.queriesLost} queries lost, ${r.queriesDiffering.length} answered differently, ${r.undetected.length} faults undetected; reproduce with --seed ${r.seed}.</p>`;
  return `<h2>Faults and recoveries</h2><p>rate ${esc(r.rate)} per message, kinds ${esc(r.kinds.join(','))}</p>${verdict}
<table><tr><th>kind</th><th>injected</th><th>detected</th><th>recovered</th></tr>${rows.join('')}</table>${faultTimeline(f)}`;
}

/** Keeps `</script>` and friends out of the embedded JSON. */
export function embeddedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

export function renderReport(f: ReportFigures, extras: ReportExtras = {}): string {
  const s = f.summary;
  const title = `cogsim ${extras.faultReport ? 'fault run' : 'run'}: seed ${s.seed}, ${s.queries} queries, ${f.tiles.length} tiles`;
  const latency = histogram(binsOf(f.latenciesUs, 30), 'us');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${esc(title)}</h1>
<p>data: ${esc(s.data)}. Every figure is simulated and reproducible with the same command and seed (trace sha256 <code>${esc(s.traceHash)}</code>), except the wall time.</p>
<h2>Figures</h2>${figuresTable(f)}
<h2>Mesh: busy fraction per tile</h2>${meshHeatmap(f)}
<h2>Query latency (simulated time)</h2><p>p50 ${fmt(s.latencyUsP50, 1)} us, p99 ${fmt(s.latencyUsP99, 1)} us over ${fmt(f.latenciesUs.length)} queries.</p>${latency}
<h2>Bytes by message type</h2>${bytesSection(f)}
<h2>Work by category</h2>${workSection(f)}
${faultSection(f, extras.faultReport)}
<h2>Configuration</h2>${configTable(f.config)}
<script type="application/json" id="cogsim-report-data">${embeddedJson({ figures: f, faultReport: extras.faultReport ?? null })}</script>
</body></html>
`;
}
