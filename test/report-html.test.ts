// The HTML report (--report): its numbers equal the run's summary and what the run did,
// it is self-contained, and for fault runs it shows every fault on the timeline.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../sim/run/report.ts';
import type { ReportFigures } from '../sim/report/report-collector.ts';
import { observedFaultRun, observedRun, SMALL } from './helpers/observed-run.ts';
import { tempDirs } from './helpers/temp-dir.ts';

const dir = tempDirs('cogsim-report-')();

function attrs(html: string, re: RegExp): string[][] {
  return [...html.matchAll(re)].map((m) => m.slice(1));
}

function at(summary: RunSummary, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], summary);
}

/** The shown text as a number in the value's unit (percent and ms rows are scaled). */
function shown(text: string, key: string): number {
  const x = Number(text.replace(/,/g, '').replace('%', ''));
  if (text.endsWith('%')) return x / 100;
  return key === 'simulatedSeconds' ? x / 1e3 : x;
}

function embedded(html: string): { figures: ReportFigures } {
  const json = html.split('<script type="application/json" id="cogsim-report-data">')[1]!.split('</script>')[0]!;
  return JSON.parse(json) as { figures: ReportFigures };
}

/** Every figure row: its value is the summary's, its text reads back to it; returns the row count. */
function checkFigureRows(html: string, summary: RunSummary): number {
  const rows = attrs(html, /data-key="([^"]+)" data-value="([^"]+)">([^<]*)</g);
  for (const [key, value, text] of rows) {
    expect(Number(value), key).toBe(at(summary, key!));
    const digits = text!.includes('.') ? text!.replace('%', '').split('.')[1]!.length : 0;
    const scale = text!.endsWith('%') ? 100 : key === 'simulatedSeconds' ? 1e3 : 1;
    expect(Math.abs(shown(text!, key!) - Number(value)) * scale, `${key}: ${text} vs ${value}`).toBeLessThanOrEqual(0.5 * 10 ** -digits + 1e-9);
  }
  return rows.length;
}

describe('cogsim run --report', () => {
  const path = join(dir, 'run.html');
  const { s, summary } = observedRun(dir, { report: path });
  const html = readFileSync(path, 'utf8');

  it('shows each of the summary\'s figures with its exact value, and text that reads back to it', () => {
    expect(checkFigureRows(html, summary)).toBeGreaterThanOrEqual(20);
  });

  it('colours each tile by busy cycles over the makespan, matching the summary\'s utilization', () => {
    const busy = attrs(html, /data-tile="(\d+)" data-busy="([^"]+)"/g).map(([t, b]) => ({ t: Number(t), b: Number(b) }));
    expect(busy.map((x) => x.t)).toEqual(s.nodes.map((n) => n.tileId));
    const mean = busy.reduce((a, x) => a + x.b, 0) / busy.length;
    expect(mean).toBeCloseTo(summary.tileUtilization.mean, 12);
    expect(Math.min(...busy.map((x) => x.b))).toBe(summary.tileUtilization.min);
    expect(Math.max(...busy.map((x) => x.b))).toBe(summary.tileUtilization.max);
  });

  it('draws bytes by type from the summary, work from the tiles\' charged cycles, and every query in the histogram', () => {
    for (const [type, v] of Object.entries(summary.sentByType)) expect(html).toContain(`data-type="${type} (to tiles)" data-value="${v.bytes}"`);
    const replies = attrs(html, /data-type="[^"]+ \(to hub\)" data-value="(\d+)"/g).reduce((a, [b]) => a + Number(b), 0);
    expect(replies).toBe(summary.bytesToHub);
    const work = attrs(html, /data-work="[^"]+" data-value="(\d+)"/g).reduce((a, [c]) => a + Number(c), 0);
    expect(work).toBe(s.nodes.reduce((a, n) => a + n.busyCycles, 0));
    const counts = attrs(html, /data-bin="\d+" data-count="(\d+)"/g).reduce((a, [c]) => a + Number(c), 0);
    expect(counts).toBe(summary.queries);
    const links = s.mesh.hubLinkBusyCycles();
    const makespan = Math.max(...[...s.hub.outcomes.values()].map((o) => o.doneAtCycles));
    expect(html).toContain(`data-link="hub -&gt; tiles" data-load="${links.egress / makespan}"`);
  });

  it('embeds the very summary as JSON, and needs nothing from the network', () => {
    expect(embedded(html).figures.summary).toEqual(summary);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/url\(|@import|<link\b|<iframe\b/i);
  });
});

describe('cogsim run --mode pull / push-hnsw --report', () => {
  it('adds the mode\'s own figures, each equal to the summary\'s', () => {
    for (const mode of ['pull', 'push-hnsw'] as const) {
      const path = join(dir, `${mode}.html`);
      const { summary } = observedRun(dir, { report: path }, { ...SMALL, mode });
      const html = readFileSync(path, 'utf8');
      expect(checkFigureRows(html, summary)).toBe(21 + 3); // the common rows and three of the mode
      expect(html).toContain(mode === 'pull' ? 'data-key="pull.hopsPerQuery"' : 'data-key="pushHnsw.referenceEqual"');
    }
  });
});

describe('cogsim faults --report', () => {
  const path = join(dir, 'faults.html');
  const { result, summary } = observedFaultRun(dir, { report: path });
  const html = readFileSync(path, 'utf8');

  it('puts every injected fault and every restart on the timeline, with the experiment\'s verdict', () => {
    const f = embedded(html).figures;
    expect(f.summary).toEqual(summary);
    expect(f.timeline.filter((e) => e.what === 'fault injected').length).toBe(result.ledger.injections.length);
    expect(result.ledger.injections.length).toBeGreaterThan(0);
    expect(f.tiles.reduce((a, t) => a + t.faultsInjected, 0)).toBe(result.ledger.injections.length);
    expect(html).toContain('Faults and recoveries');
    expect(html).toContain('Every injected fault was detected and every query answered exactly as without faults.');
    const marked = attrs(html, /<circle [^>]*><title>(\d+) faults injected<\/title>/g).reduce((a, [n]) => a + Number(n), 0);
    expect(marked).toBe(result.ledger.injections.length);
  });
});
