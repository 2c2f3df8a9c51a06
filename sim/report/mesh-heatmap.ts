// The mesh as a grid: each tile coloured by its busy fraction, with its faults, restarts
// and retirement marked, and the hub beside the router its link attaches to, with both
// hub links' load.
import type { ReportFigures } from './report-collector.ts';
import { blues, esc, fmt } from './svg.ts';

const CELL_MAX = 56;
const CELL_MIN = 10;

export function meshHeatmap(f: ReportFigures): string {
  const { rows, cols, hubRow } = f.mesh;
  const cell = Math.max(CELL_MIN, Math.min(CELL_MAX, Math.floor(720 / Math.max(rows, cols))));
  const left = 150;
  const top = 10;
  const maxBusy = Math.max(1e-9, ...f.tiles.map((t) => t.busyFraction));
  const showText = cell >= 40;
  const cells = f.tiles.map((t) => {
    const x = left + t.col * cell;
    const y = top + t.row * cell;
    const marks: string[] = [];
    if (t.faultsInjected > 0) marks.push(`<circle cx="${x + cell - 7}" cy="${y + 7}" r="4" fill="#d62728"><title>${t.faultsInjected} faults injected</title></circle>`);
    if (t.restarts > 0) marks.push(`<text x="${x + 3}" y="${y + cell - 4}" font-size="10" fill="#b35900" font-weight="bold">R${t.restarts}</text>`);
    if (t.retired || t.dead) marks.push(`<path d="M${x + 3} ${y + 3}L${x + cell - 3} ${y + cell - 3}M${x + cell - 3} ${y + 3}L${x + 3} ${y + cell - 3}" stroke="#000" stroke-width="2"/>`);
    const tip = `tile ${t.tile}: busy ${fmt(t.busyFraction * 100, 1)}%, ${t.faultsInjected} faults injected, ${t.traps} traps, ${t.restarts} restarts${t.retired ? ', retired' : ''}${t.dead ? ', dead' : ''}`;
    const label = showText ? `<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" font-size="11" fill="${t.busyFraction / maxBusy > 0.6 ? '#fff' : '#000'}">${fmt(t.busyFraction * 100, 0)}%</text>` : '';
    return `<g data-tile="${t.tile}" data-busy="${t.busyFraction}"><rect x="${x}" y="${y}" width="${cell - 1}" height="${cell - 1}" fill="${blues(t.busyFraction / maxBusy)}"><title>${esc(tip)}</title></rect>${label}${marks.join('')}</g>`;
  });
  const hubY = top + hubRow * cell + cell / 2;
  const links = f.hubLinks.map((l, i) => `<text x="4" y="${hubY + 26 + i * 14}" font-size="11" data-link="${esc(l.name)}" data-load="${l.load}">${esc(l.name)} ${fmt(l.load * 100, 1)}%</text>`);
  const hub = `<rect x="4" y="${hubY - 14}" width="70" height="28" fill="#333"/><text x="39" y="${hubY + 5}" text-anchor="middle" fill="#fff">hub</text><line x1="74" y1="${hubY}" x2="${left}" y2="${hubY}" stroke="#333" stroke-width="${1 + Math.round(4 * Math.max(...f.hubLinks.map((l) => l.load)))}"/>${links.join('')}`;
  const w = left + cols * cell + 10;
  const h = Math.max(top + rows * cell + 10, hubY + 60);
  const legend = `<p class="legend">colour: busy fraction (white 0 to dark blue ${fmt(maxBusy * 100, 1)}%); <span style="color:#d62728">&#9679;</span> fault injected; <b style="color:#b35900">R</b>n restarts completed (the summary counts restarts ordered; a dead tile never completes one); &#10005; retired or dead. Line width from the hub: its busiest link's load.</p>`;
  return `<svg class="chart" width="${w}" height="${h}" role="img">${hub}${cells.join('')}</svg>${legend}`;
}
