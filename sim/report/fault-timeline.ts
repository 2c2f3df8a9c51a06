// Fault runs: when each fault was injected and when the hub detected it, restarted or
// retired the tile, on one simulated-time axis with a row per tile that had any.
import type { ReportFigures, TimelineEntry } from './report-collector.ts';
import { esc, fmt } from './svg.ts';

const COLORS: Record<TimelineEntry['what'], string> = {
  'fault injected': '#d62728',
  'fault detected': '#ff7f0e',
  trap: '#9467bd',
  restart: '#2ca02c',
  retired: '#000000',
  abandoned: '#8c564b',
};

const MAX_ROWS = 40;
const MAX_TABLE = 200;

export function faultTimeline(f: ReportFigures): string {
  if (f.timeline.length === 0) return '<p>No faults, traps, restarts or retirements in this run.</p>';
  const tiles = [...new Set(f.timeline.map((e) => e.tile))].sort((a, b) => a - b).slice(0, MAX_ROWS);
  const row = new Map(tiles.map((t, i) => [t, i]));
  const left = 70;
  const w = 860;
  const rowH = 16;
  const end = Math.max(f.makespanCycles, ...f.timeline.map((e) => e.atCycle));
  const usPerCycle = 1e6 / f.tileClockHz;
  const x = (c: number) => left + (c / end) * (w - left - 10);
  const marks = f.timeline
    .filter((e) => row.has(e.tile))
    // Abandoned messages are consequences (a dead tile's timeouts): half height, below.
    .map((e) => `<rect x="${x(e.atCycle) - 2}" y="${row.get(e.tile)! * rowH + (e.what === 'abandoned' ? rowH / 2 : 3)}" width="${e.what === 'abandoned' ? 2 : 4}" height="${e.what === 'abandoned' ? rowH / 2 - 3 : rowH - 6}" fill="${COLORS[e.what]}"><title>${esc(`${fmt(e.atCycle * usPerCycle, 1)} us, tile ${e.tile}: ${e.what} (${e.detail})`)}</title></rect>`);
  const labels = tiles.map((t, i) => `<text x="${left - 6}" y="${i * rowH + 12}" text-anchor="end" font-size="11">tile ${t}</text>`);
  const h = tiles.length * rowH + 24;
  const axis = `<line x1="${left}" y1="${h - 20}" x2="${w - 10}" y2="${h - 20}" stroke="#333"/><text x="${left}" y="${h - 6}" font-size="11">0</text><text x="${w - 10}" y="${h - 6}" font-size="11" text-anchor="end">${fmt(end * usPerCycle, 1)} us simulated</text>`;
  const legend = Object.entries(COLORS).map(([k, c]) => `<span style="color:${c}">&#9632;</span> ${k}`).join(' &nbsp; ');
  const table = f.timeline.slice(0, MAX_TABLE).map((e) => `<tr><td>${fmt(e.atCycle * usPerCycle, 3)}</td><td>${e.tile}</td><td>${esc(e.what)}</td><td>${esc(e.detail)}</td></tr>`);
  const more = f.timeline.length > MAX_TABLE ? `<p>... and ${fmt(f.timeline.length - MAX_TABLE)} more.</p>` : '';
  const clipped = tiles.length < new Set(f.timeline.map((e) => e.tile)).size ? `<p>Showing the first ${MAX_ROWS} tiles with events.</p>` : '';
  return `<svg class="chart" width="${w}" height="${h}" role="img">${labels.join('')}${marks.join('')}${axis}</svg><p class="legend">${legend}</p>${clipped}
<details><summary>${fmt(f.timeline.length)} events</summary><table><tr><th>time (us)</th><th>tile</th><th>event</th><th>detail</th></tr>${table.join('')}</table>${more}</details>`;
}
