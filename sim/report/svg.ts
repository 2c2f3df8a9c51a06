// Small SVG builders for the HTML report: the charts are drawn here, as text, so the
// report needs no script, no library and no network to show them.

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export const fmt = (x: number, digits = 0): string => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** White to deep blue as the fraction goes 0 to 1 (clamped). */
export function blues(fraction: number): string {
  const f = Math.max(0, Math.min(1, fraction));
  const mix = (a: number, b: number) => Math.round(a + (b - a) * f);
  return `rgb(${mix(239, 8)},${mix(246, 48)},${mix(255, 107)})`;
}

export interface Bar {
  label: string;
  value: number;
  note: string;
}

/** Horizontal bars, one per row, scaled to the largest value. */
export function barChart(bars: readonly Bar[], color: string, key: string): string {
  const rowH = 22;
  const labelW = 210;
  const barW = 420;
  const noteW = 250;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rows = bars.map((b, i) => {
    const w = Math.max(1, Math.round((b.value / max) * barW));
    const y = i * rowH;
    return `<g data-${key}="${esc(b.label)}" data-value="${b.value}"><text x="${labelW - 6}" y="${y + 15}" text-anchor="end">${esc(b.label)}</text><rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 6}" fill="${color}"/><text x="${labelW + w + 6}" y="${y + 15}">${esc(b.note)}</text></g>`;
  });
  return `<svg class="chart" width="${labelW + barW + noteW}" height="${Math.max(rowH, bars.length * rowH)}" role="img">${rows.join('')}</svg>`;
}

export interface Bin {
  from: number;
  to: number;
  count: number;
}

/** Equal-width bins over [min, max] of the values. */
export function binsOf(values: readonly number[], count: number): Bin[] {
  if (values.length === 0) return [];
  const min = Math.min(...values);
  const max = Math.max(...values);
  const width = max > min ? (max - min) / count : 1;
  const bins = Array.from({ length: max > min ? count : 1 }, (_, i) => ({ from: min + i * width, to: min + (i + 1) * width, count: 0 }));
  for (const v of values) bins[Math.min(bins.length - 1, Math.floor((v - min) / width))]!.count++;
  return bins;
}

/** A 760-wide chart's plot area: `left` for the y labels, 40 below for the x axis, 10 on top. */
function plotBox(h: number, left: number, right: number) {
  const w = 760;
  const bottom = 40;
  return { w, h, left, plotW: w - left - right, plotH: h - bottom - 10 };
}

/** Vertical histogram with its axis in the values' unit. */
export function histogram(bins: readonly Bin[], unit: string): string {
  const { w, h, left, plotW, plotH } = plotBox(220, 50, 10);
  const max = Math.max(1, ...bins.map((b) => b.count));
  const bw = bins.length ? plotW / bins.length : plotW;
  const bars = bins.map((b, i) => {
    const bh = Math.round((b.count / max) * plotH);
    return `<rect data-bin="${i}" data-count="${b.count}" x="${left + i * bw + 1}" y="${10 + plotH - bh}" width="${Math.max(1, bw - 2)}" height="${bh}" fill="#4c78a8"><title>${fmt(b.from, 1)}-${fmt(b.to, 1)} ${unit}: ${b.count}</title></rect>`;
  });
  const first = bins[0];
  const last = bins[bins.length - 1];
  const axis = first && last ? `<text x="${left}" y="${h - 22}">${fmt(first.from, 1)}</text><text x="${w - 10}" y="${h - 22}" text-anchor="end">${fmt(last.to, 1)}</text><text x="${left + plotW / 2}" y="${h - 4}" text-anchor="middle">latency (${unit}, simulated)</text>` : '';
  return `<svg class="chart" width="${w}" height="${h}" role="img"><line x1="${left}" y1="${10 + plotH}" x2="${w - 10}" y2="${10 + plotH}" stroke="#333"/><text x="${left - 6}" y="18" text-anchor="end">${max}</text><text x="${left - 6}" y="${10 + plotH}" text-anchor="end">0</text>${bars.join('')}${axis}</svg>`;
}

export interface Series {
  label: string;
  points: readonly { x: number; y: number }[];
}

const PALETTE = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac', '#eeca3b'];

/** Lines over a shared x axis, one per series, each point marked with its raw values
 *  (`data-series`, `data-x`, `data-y`) so the page can be held to the figures it draws. */
export function lineChart(series: readonly Series[], axes: { x: string; y: string; digits: number }): string {
  const { w, h, left, plotW, plotH } = plotBox(260, 70, 20);
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  if (xs.length === 0) return '<p>No finished run to draw.</p>';
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  // A flat range still gets a visible band around it.
  const yPad = y1 > y0 ? 0 : Math.max(Math.abs(y0) * 0.05, 1e-3);
  const px = (x: number) => left + (x1 > x0 ? ((x - x0) / (x1 - x0)) * plotW : plotW / 2);
  const py = (y: number) => 10 + plotH - ((y - (y0 - yPad)) / (y1 + yPad - (y0 - yPad))) * plotH;
  const lines = series.map((s, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const path = s.points.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
    const marks = s.points.map((p) => `<circle data-series="${esc(s.label)}" data-x="${p.x}" data-y="${p.y}" cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(s.label)}: ${axes.x} ${p.x}, ${fmt(p.y, axes.digits)}</title></circle>`);
    return `<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"/>${marks.join('')}`;
  });
  // Every x the series share gets a tick: a sweep has few rates.
  const xTicks = [...new Set(xs)].sort((a, b) => a - b).map((x) => `<text x="${px(x).toFixed(1)}" y="${h - 22}" text-anchor="middle">${x}</text>`).join('');
  const axis = `<line x1="${left}" y1="${10 + plotH}" x2="${w - 20}" y2="${10 + plotH}" stroke="#333"/><line x1="${left}" y1="10" x2="${left}" y2="${10 + plotH}" stroke="#333"/>
${xTicks}<text x="${left + plotW / 2}" y="${h - 4}" text-anchor="middle">${esc(axes.x)}</text>
<text x="${left - 6}" y="18" text-anchor="end">${fmt(y1 + yPad, axes.digits)}</text><text x="${left - 6}" y="${10 + plotH}" text-anchor="end">${fmt(y0 - yPad, axes.digits)}</text><text x="14" y="${10 + plotH / 2}" transform="rotate(-90 14 ${10 + plotH / 2})" text-anchor="middle">${esc(axes.y)}</text>`;
  const legend = series.map((s, i) => `<span style="color:${PALETTE[i % PALETTE.length]}">&#9632;</span> ${esc(s.label)}`).join(' &nbsp; ');
  return `<svg class="chart" width="${w}" height="${h}" role="img">${axis}${lines.join('')}</svg><p class="legend">${legend}</p>`;
}
