// The HTML report in a real browser: headless Chromium (Debian's `chromium`, driven by
// playwright-core) renders it with the network cut off, and the screenshot must show
// something and the page must log no error and ask for nothing.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { decodePng } from './helpers/png.ts';
import { observedFaultRun } from './helpers/observed-run.ts';
import { tempDirs } from './helpers/temp-dir.ts';

const CHROMIUM = '/usr/bin/chromium';
// playwright-core gives every launch a fresh temporary profile (its --user-data-dir).
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const dir = tempDirs('cogsim-render-')();

function screenshotFacts(png: Uint8Array): { width: number; height: number; nonWhite: number; colours: number } {
  const { width, height, rgba } = decodePng(png);
  let nonWhite = 0;
  const colours = new Set<number>();
  for (let i = 0; i < width * height; i++) {
    const r = rgba[i * 4]!;
    const g = rgba[i * 4 + 1]!;
    const b = rgba[i * 4 + 2]!;
    if (r < 245 || g < 245 || b < 245) nonWhite++;
    colours.add((r << 16) | (g << 8) | b);
  }
  return { width, height, nonWhite: nonWhite / (width * height), colours: colours.size };
}

describe.skipIf(!existsSync(CHROMIUM))(`the report in headless Chromium (skipped: ${CHROMIUM} is not installed; .ci/run installs Debian's chromium)`, () => {
  it('renders a fault run\'s report with no console error, no request and a screenshot that is not blank', async () => {
    const path = join(dir, 'report.html');
    observedFaultRun(dir, { report: path });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url === pathToFileURL(path).href) return route.continue();
        requests.push(url);
        return route.abort();
      });
      await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
      const png = await page.screenshot({ fullPage: true });
      writeFileSync(join(dir, 'shot.png'), png);
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
      const facts = screenshotFacts(new Uint8Array(png));
      expect(facts.width).toBe(1100);
      expect(facts.height).toBeGreaterThan(900); // the whole page, well past one screen
      expect(facts.nonWhite).toBeGreaterThan(0.03);
      expect(facts.colours).toBeGreaterThan(16);
      // What was drawn is the report: the heatmap's cells and the timeline's rows exist.
      expect(await page.locator('[data-tile]').count()).toBe(16);
      expect(await page.locator('h2').allTextContents()).toContain('Faults and recoveries');
      expect(readFileSync(path, 'utf8').length).toBeGreaterThan(1000);
    } finally {
      await browser.close();
    }
  });

  it('is blank-detecting: an empty page fails the same screenshot check', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    try {
      const page = await browser.newPage({ viewport: { width: 400, height: 300 } });
      await page.setContent('<html><body></body></html>');
      const facts = screenshotFacts(new Uint8Array(await page.screenshot()));
      expect(facts.nonWhite).toBeLessThanOrEqual(0.03);
    } finally {
      await browser.close();
    }
  });
});
