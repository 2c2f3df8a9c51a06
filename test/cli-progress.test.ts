// The live line: on a terminal it shows simulated time, messages, queries done, faults and
// tiles alive, at most a few times a second; with --json or off a terminal it is silent.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProgress, progressFigures, progressLine, PROGRESS_MIN_INTERVAL_MS } from '../sim/cli/progress.ts';
import { buildSimulation, runSimulation } from '../sim/run/simulation.ts';
import { SMALL } from './helpers/observed-run.ts';
import { cogsim, SMALL_RUN } from './helpers/cli.ts';
import { tempDirs } from './helpers/temp-dir.ts';

const dir = tempDirs('cogsim-progress-')();

function fakeTerminal(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  return { stream: { isTTY, write: (t: string) => written.push(t) > 0 } as unknown as NodeJS.WriteStream, written };
}

describe('the progress line', () => {
  it('shows the run\'s own figures on a terminal and ends with a newline when every query is done', () => {
    const s = buildSimulation(SMALL, { cacheDir: join(dir, 'cache') });
    const term = fakeTerminal(true);
    let clock = 0;
    const onProgress = progressLine(s, { stream: term.stream, nowMs: () => (clock += 1000) });
    expect(onProgress).toBeDefined();
    runSimulation(s, onProgress);
    const last = term.written[term.written.length - 1]!;
    const f = progressFigures(s);
    expect(f.queriesDone).toBe(SMALL.queries);
    expect(f.messages).toBe(s.hub.stats.messagesSent + s.transport.messagesToHub);
    expect(f.tilesAlive).toBe(SMALL.tiles);
    expect(last).toBe(`\r${formatProgress('', f)}\x1b[K\n`);
    expect(last).toMatch(/sim \d+\.\d{3} ms \| [\d,]+ messages \| queries 20\/20 \| faults 0 \| tiles alive 16\/16/);
  });

  it('redraws at most once per interval, however often it is called', () => {
    const s = buildSimulation(SMALL, { cacheDir: join(dir, 'cache') });
    const term = fakeTerminal(true);
    let now = 0;
    const onProgress = progressLine(s, { stream: term.stream, nowMs: () => now })!;
    onProgress(0, 20);
    now += PROGRESS_MIN_INTERVAL_MS - 1;
    onProgress(1, 20); // too soon
    expect(term.written).toHaveLength(1);
    now += 1;
    onProgress(2, 20); // at the interval
    expect(term.written).toHaveLength(2);
    onProgress(20, 20); // the final line always shows
    onProgress(20, 20); // once
    expect(term.written).toHaveLength(3);
  });

  it('is silent off a terminal and with --json', () => {
    const s = buildSimulation(SMALL, { cacheDir: join(dir, 'cache') });
    expect(progressLine(s, { stream: fakeTerminal(false).stream })).toBeUndefined();
    expect(progressLine(s, { stream: fakeTerminal(true).stream, quiet: true })).toBeUndefined();
    expect(cogsim([...SMALL_RUN, '--json']).stderr).toBe('');
  });
});
