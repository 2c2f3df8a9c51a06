// `cogsim campaign --report`: the page's totals and every point of its curves equal
// campaign.json's totals and summary rows; the page is self-contained (no URL, no external
// source); it renders in headless Chromium where installed; and it never lands on the
// campaign's own files.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CampaignTotals, SummaryRow } from '../sim/campaign/summary.ts';
import { CHROMIUM, renderOffline, screenshotFacts } from './helpers/chromium-page.ts';
import { cogsim } from './helpers/cli.ts';
import { tempDirs } from './helpers/temp-dir.ts';

const dir = tempDirs('cogsim-campaign-report-')();
const TINY = ['--tiles', '4', '--vectors', '300', '--dim', '16', '--queries', '4', '--clusters', '8'];
const report = join(dir, 'campaign.html');
const out = join(dir, 'out');

/** The points one chart draws: series label, rate and value as the page gives them. */
function points(html: string, chart: string): { series: string; x: number; y: number }[] {
  const section = html.slice(html.indexOf(`<div id="${chart}">`), html.indexOf('</div>', html.indexOf(`<div id="${chart}">`)));
  return [...section.matchAll(/data-series="([^"]+)" data-x="([^"]+)" data-y="([^"]+)"/g)].map((m) => ({ series: m[1]!, x: Number(m[2]), y: Number(m[3]) }));
}

describe('cogsim campaign --report', () => {
  // 2 seeds x 2 rates x 2 kind sets x 2 modes: four lines of two points on each chart.
  const r = cogsim(['campaign', ...TINY, '--seeds', '1,2', '--rates', '0.05,0.1', '--kinds', 'drop/corrupt', '--modes', 'push,pull', '--threads', '2', '--out', out, '--report', report]);
  const json = JSON.parse(readFileSync(join(out, 'campaign.json'), 'utf8')) as { totals: CampaignTotals; summary: SummaryRow[] };
  const html = readFileSync(report, 'utf8');

  it('shows the totals campaign.json has', () => {
    expect(r.status).toBe(0);
    expect(json.totals.runs).toBe(16);
    expect(json.totals.injected).toBeGreaterThan(0);
    for (const [key, value] of Object.entries(json.totals)) expect(html).toContain(`data-key="${key}" data-value="${value}"`);
  });

  it('draws one line per mode and kind set, each point equal to the summary row at that rate', () => {
    expect(json.summary).toHaveLength(8);
    const charts = { recall: (s: SummaryRow) => s.meanRecall, p50: (s: SummaryRow) => s.meanLatencyUsP50, p99: (s: SummaryRow) => s.meanLatencyUsP99 };
    for (const [chart, value] of Object.entries(charts)) {
      const drawn = points(html, chart);
      const expected = json.summary.map((s) => ({ series: `${s.config} ${s.kinds}`, x: Number(s.rate), y: value(s)! }));
      expect(drawn.sort((a, b) => a.series.localeCompare(b.series) || a.x - b.x)).toEqual(expected.sort((a, b) => a.series.localeCompare(b.series) || a.x - b.x));
      expect(new Set(drawn.map((p) => p.series))).toEqual(new Set(['push/query/fp16 drop', 'push/query/fp16 corrupt', 'pull/query/fp16 drop', 'pull/query/fp16 corrupt']));
    }
  });

  it('is self-contained: no URL, no external source, no stylesheet or frame', () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/url\(|@import|<link\b|<iframe\b/i);
    expect(html).not.toMatch(/<script(?![^>]*type="application\/json")/);
  });

  it('refuses to write over the campaign\'s own files or an input, in one line, exit 2', () => {
    const own = cogsim(['campaign', ...TINY, '--seeds', '1', '--rates', '0.05', '--out', out, '--report', join(out, 'campaign.csv')]);
    expect(own.status).toBe(2);
    expect(own.stderr.trim()).toMatch(/^cogsim: --report .*campaign\.csv is the campaign's own campaign\.csv in --out /);
    const baseline = join(out, 'campaign.json');
    const input = cogsim(['campaign', ...TINY, '--seeds', '1', '--rates', '0.05', '--out', join(dir, 'other'), '--baseline', baseline, '--report', baseline]);
    expect(input.status).toBe(2);
    expect(input.stderr.trim()).toMatch(/^cogsim: --report .*campaign\.json is the same file as --baseline /);
  });

  it.skipIf(!existsSync(CHROMIUM))(`renders in headless Chromium with no error, no request and a screenshot that is not blank (skipped when ${CHROMIUM} is absent)`, async () => {
    const { problems, requests, png, inspected } = await renderOffline(report, { width: 1100, height: 900 }, (page) => page.locator('circle[data-series]').count());
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    expect(inspected).toBe(3 * 8);
    const facts = screenshotFacts(png);
    expect(facts.height).toBeGreaterThan(900);
    expect(facts.nonWhite).toBeGreaterThan(0.03);
    expect(facts.colours).toBeGreaterThan(16);
  });
});
