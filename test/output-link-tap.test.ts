// `cogsim run` taps the message path only when an output watches the links (the Chrome
// trace, the HTML report): a tap puts every message on the transport's copying path, which
// made the default run take about twice as long while the observer only passed messages on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunOutputs, type OutputFlags } from '../sim/output/output-options.ts';
import { buildSimulation, type Instruments } from '../sim/run/simulation.ts';
import type { LinkTap } from '../sim/tapped-link.ts';
import { observedRun, SMALL } from './helpers/observed-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'cogsim-link-tap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function instrumentsOf(flags: Partial<OutputFlags>, inner: Instruments | null = null): Instruments {
  const outputs = new RunOutputs({ traceFormat: 'jsonl', ...flags }, flags.trace ? { ...SMALL, tracePath: flags.trace } : SMALL);
  let got: Instruments | undefined;
  buildSimulation(outputs.config, { cacheDir: join(dir, 'cache'), instrument: (parts) => (got = outputs.instrument(parts, inner)) });
  return got!;
}

describe('the run observer on the message path', () => {
  it('leaves the links untapped when no output watches them (a JSON-lines trace included)', () => {
    expect(instrumentsOf({}).tap).toBeNull();
    expect(instrumentsOf({ trace: join(dir, 'run.jsonl') }).tap).toBeNull();
  });

  it('taps them for the HTML report and the Chrome trace', () => {
    const report = instrumentsOf({ report: join(dir, 'report.html') });
    expect(report.tap).toBe(report.listener);
    const chrome = instrumentsOf({ trace: join(dir, 'run.json'), traceFormat: 'chrome' });
    expect(chrome.tap).toBe(chrome.listener);
  });

  it("hands a fault injector's tap to the links as it is when nothing else watches them", () => {
    const injector = { hubToTile: (_t: number, b: Uint8Array) => b } as unknown as LinkTap;
    const listener = {} as Instruments['listener'];
    expect(instrumentsOf({}, { tap: injector, listener }).tap).toBe(injector);
    expect(instrumentsOf({}, { tap: null, listener }).tap).toBeNull();
  });

  it('gives the same run tapped (with a report) and untapped', () => {
    const plain = observedRun(join(dir, 'plain'), {});
    const watched = observedRun(join(dir, 'watched'), { report: join(dir, 'watched.html') });
    expect(watched.summary.traceHash).toBe(plain.summary.traceHash);
    expect(watched.summary.answersHash).toBe(plain.summary.answersHash);
    expect(watched.summary.simulatedSeconds).toBe(plain.summary.simulatedSeconds);
    expect(watched.summary.messagesToTiles).toBe(plain.summary.messagesToTiles);
  });
});
