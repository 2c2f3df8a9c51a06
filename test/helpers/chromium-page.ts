// An HTML file in a real browser for the report tests: headless Chromium (Debian's
// `chromium`, driven by playwright-core) loads it with every other request refused, and
// hands back what the page logged, what it asked for and a full-page screenshot.
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { decodePng } from './png.ts';

export const CHROMIUM = '/usr/bin/chromium';
// playwright-core gives every launch a fresh temporary profile (its --user-data-dir).
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function screenshotFacts(png: Uint8Array): { width: number; height: number; nonWhite: number; colours: number } {
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

/** A page on a fresh browser, closed after `body` whatever happens. */
export async function withPage<T>(viewport: { width: number; height: number }, body: (page: Page) => Promise<T>): Promise<T> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  try {
    return await body(await browser.newPage({ viewport }));
  } finally {
    await browser.close();
  }
}

export interface Rendered<T> {
  /** Console errors and warnings, and uncaught page errors. */
  problems: string[];
  /** Every URL the page asked for beyond the file itself (all refused). */
  requests: string[];
  png: Uint8Array;
  inspected: T;
}

/** Loads `path` offline, screenshots the whole page, then runs `inspect` on it. */
export async function renderOffline<T>(path: string, viewport: { width: number; height: number }, inspect: (page: Page) => Promise<T>): Promise<Rendered<T>> {
  return withPage(viewport, async (page) => {
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
    const png = new Uint8Array(await page.screenshot({ fullPage: true }));
    return { problems, requests, png, inspected: await inspect(page) };
  });
}
