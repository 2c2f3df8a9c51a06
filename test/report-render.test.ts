// The HTML report in a real browser: headless Chromium (Debian's `chromium`, driven by
// playwright-core) renders it with the network cut off, and the screenshot must show
// something and the page must log no error and ask for nothing.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHROMIUM, renderOffline, screenshotFacts, withPage } from './helpers/chromium-page.ts';
import { observedFaultRun } from './helpers/observed-run.ts';
import { tempDirs } from './helpers/temp-dir.ts';

const dir = tempDirs('cogsim-render-')();

describe.skipIf(!existsSync(CHROMIUM))(`the report in headless Chromium (skipped: ${CHROMIUM} is not installed; .ci/run installs Debian's chromium)`, () => {
  it('renders a fault run\'s report with no console error, no request and a screenshot that is not blank', async () => {
    const path = join(dir, 'report.html');
    observedFaultRun(dir, { report: path });
    const { problems, requests, png, inspected } = await renderOffline(path, { width: 1100, height: 900 }, async (page) => ({
      tiles: await page.locator('[data-tile]').count(),
      headings: await page.locator('h2').allTextContents(),
    }));
    writeFileSync(join(dir, 'shot.png'), png);
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    const facts = screenshotFacts(png);
    expect(facts.width).toBe(1100);
    expect(facts.height).toBeGreaterThan(900); // the whole page, well past one screen
    expect(facts.nonWhite).toBeGreaterThan(0.03);
    expect(facts.colours).toBeGreaterThan(16);
    // What was drawn is the report: the heatmap's cells and the timeline's rows exist.
    expect(inspected.tiles).toBe(16);
    expect(inspected.headings).toContain('Faults and recoveries');
    expect(readFileSync(path, 'utf8').length).toBeGreaterThan(1000);
  });

  it('is blank-detecting: an empty page fails the same screenshot check', async () => {
    const facts = await withPage({ width: 400, height: 300 }, async (page) => {
      await page.setContent('<html><body></body></html>');
      return screenshotFacts(new Uint8Array(await page.screenshot()));
    });
    expect(facts.nonWhite).toBeLessThanOrEqual(0.03);
  });
});
