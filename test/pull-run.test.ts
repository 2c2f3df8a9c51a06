import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PullWalkError } from '../hub/pull/pull-driver.ts';
import { walkUnitKey, type WalkUnit } from '../hub/work/job.ts';
import { DEFAULT_RUN, checkRunConfig, type RunConfig } from '../sim/run/run-config.ts';
import { buildSimulation, runSimulation } from '../sim/run/simulation.ts';
import { summarize } from '../sim/run/report.ts';
import { CliError } from '../sim/cli/cli-error.ts';
import { cogsim } from './helpers/cli.ts';
import { runPull } from './helpers/pull.ts';
import { tempDirs } from './helpers/temp-dir.ts';

function pullConfig(overrides: Partial<RunConfig> = {}, pull: Partial<RunConfig['pull']> = {}): RunConfig {
  return checkRunConfig({ ...DEFAULT_RUN, vectors: 1500, dim: 32, queries: 12, clusters: 8, tiles: 8, meshRows: 3, meshCols: 3, mode: 'pull', ...overrides, pull: { ...DEFAULT_RUN.pull, M: 8, efConstruction: 80, ...pull } });
}

const run = runPull;

describe('pull mode end to end', () => {
  it('finds the exact neighbours of most queries on a small clustered set, moving fewer bytes than push', () => {
    const { summary } = run(pullConfig());
    expect(summary.recallAtK).toBeGreaterThanOrEqual(0.95);
    expect(summary.pull!.hopsPerQuery).toBeGreaterThan(0);
    expect(summary.pull!.walkErrors).toBe(0);
    expect(summary.bytesPerQuery).toBeLessThan(summary.pull!.pushBytesPerQuery);
    expect(summary.hub.hubLocalUnits).toBe(0);
  });

  it('is deterministic: the same seed gives the same trace hash and answers, another seed another trace', () => {
    const a = run(pullConfig({ queries: 6 }));
    const b = run(pullConfig({ queries: 6 }));
    expect(b.summary.traceHash).toBe(a.summary.traceHash);
    expect(b.ids).toEqual(a.ids);
    const c = run(pullConfig({ queries: 6, seed: 2 }));
    expect(c.summary.traceHash).not.toBe(a.summary.traceHash);
  });

  it('more walks (shards) never lower recall here and cost more messages', () => {
    const one = run(pullConfig({ vectors: 2500 }, { walks: 1, ef: 10 }));
    const four = run(pullConfig({ vectors: 2500 }, { walks: 4, ef: 10 }));
    expect(four.summary.recallAtK).toBeGreaterThanOrEqual(one.summary.recallAtK);
    expect(four.summary.messagesPerQuery).toBeGreaterThan(one.summary.messagesPerQuery);
  });

  it('the push-bytes estimate in the pull summary equals a push run\'s measured bytes per query', () => {
    const pull = run(pullConfig({ queries: 3 }));
    const push = buildSimulation(pullConfig({ queries: 3, mode: 'push' }), { cacheDir: null });
    const { events } = runSimulation(push);
    expect(summarize(push, events, 0).bytesPerQuery).toBe(pull.summary.pull!.pushBytesPerQuery);
  });
});

describe('pull mode bad input', () => {
  const tempDir = tempDirs('cogsim-pull-');

  const unit = (q: number, w: number): WalkUnit => ({ kind: 'walk', queryId: q, walk: w, key: walkUnitKey(q, w) });

  it('a NEED_BLOCK or NEED_NEIGHBORS for an id that does not exist fails the walk with an error naming tile, query and id', () => {
    const sim = buildSimulation(pullConfig(), { cacheDir: null });
    const driver = sim.pull!.driver;
    driver.begin(3, unit(5, 1));
    const bad = driver.next(3, unit(5, 1), { type: 'DONE', msgId: 1, requestType: 2, value: 0 });
    expect(bad).toEqual({ done: true }); // the seed block fits one chunk here: DONE ends the walk
    driver.begin(3, unit(5, 1));
    const r = driver.next(3, unit(5, 1), { type: 'NEED_BLOCK', msgId: 1, ids: [4n, 1500n] });
    expect(r).toEqual({ fault: 'tile 3, query 5, walk 1: NEED_BLOCK asks for node 1500, which does not exist (ids 0..1499)' });
    const e = driver.errors.at(-1)!;
    expect(e).toBeInstanceOf(PullWalkError);
    expect([e.tileId, e.queryId, e.walk, e.nodeId]).toEqual([3, 5, 1, 1500n]);
    driver.begin(2, unit(0, 0));
    expect(driver.next(2, unit(0, 0), { type: 'NEED_NEIGHBORS', msgId: 1, nodeId: 2n ** 40n, layer: 0 })).toMatchObject({ fault: expect.stringMatching(/^tile 2, query 0, walk 0: NEED_NEIGHBORS asks for node 1099511627776, which does not exist/) });
    // Walk 0 searches region 0 of 2 (even ids): an odd id exists but not in its graph.
    driver.begin(2, unit(0, 0));
    expect(driver.next(2, unit(0, 0), { type: 'NEED_NEIGHBORS', msgId: 1, nodeId: 7n, layer: 0 })).toMatchObject({ fault: expect.stringMatching(/node 7 does not exist in region 0 of 2/) });
    driver.begin(2, unit(0, 0));
    expect(driver.next(2, unit(0, 0), { type: 'NEED_NEIGHBORS', msgId: 1, nodeId: 4n, layer: 1 })).toMatchObject({ fault: expect.stringMatching(/layer 0 only/) });
    // Nothing is lost: the same tile can start the walk again and be served.
    driver.begin(2, unit(0, 0));
    expect(driver.next(2, unit(0, 0), { type: 'NEED_NEIGHBORS', msgId: 1, nodeId: 4n, layer: 0 })).toHaveProperty('send');
  });

  it('a walk failed by a bad request is retried and the query still gets the clean answer', () => {
    const clean = run(pullConfig({ queries: 4 }));
    let injected = false;
    const faulty = run(pullConfig({ queries: 4 }), (driver) => {
      const index = driver.index;
      const original = index.neighbors.bind(index);
      index.neighbors = (walk: number, id: number) => {
        const list = original(walk, id);
        if (injected) return list;
        injected = true;
        return [...list, 99_999]; // one corrupt list: the tile asks for a vector that does not exist
      };
    });
    expect(injected).toBe(true);
    expect(faulty.driver.errors).toHaveLength(1);
    expect(faulty.driver.errors[0]!.message).toMatch(/^tile \d+, query \d+, walk \d+: NEED_BLOCK asks for node 99999, which does not exist/);
    expect(faulty.summary.hub.retries).toBeGreaterThanOrEqual(1);
    expect(faulty.ids).toEqual(clean.ids);
  });

  it('refuses pull settings the tile cannot hold, naming the flag', () => {
    expect(() => pullConfig({}, { ef: 17 })).toThrow(CliError);
    expect(() => pullConfig({}, { ef: 17 })).toThrow(/--ef must be a whole number in 1..16/);
    expect(() => pullConfig({}, { ef: 16 })).not.toThrow();
    expect(() => pullConfig({ k: 10 }, { ef: 9 })).toThrow(/--ef 9 is below --k 10/);
    expect(() => pullConfig({ dim: 384 }, { M: 22 })).toThrow(/--M must be a whole number in 2..21 at dim 384/);
    expect(() => pullConfig({ dim: 384 }, { M: 21 })).not.toThrow();
    expect(() => pullConfig({ dtype: 'i8' })).toThrow(/--dtype i8 is push-only/);
  });

  it('cogsim run --mode pull --index saves the index, loads it again, and refuses a corrupt one in one line', () => {
    const dir = tempDir();
    const file = join(dir, 'small.hnsw');
    const args = ['run', '--mode', 'pull', '--vectors', '300', '--dim', '16', '--queries', '3', '--clusters', '3', '--tiles', '4', '--walks', '1', '--M', '6', '--index', file];
    const first = cogsim(args);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/index built/);
    expect(existsSync(file)).toBe(true);
    const second = cogsim(args);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/index file/);
    expect(second.stdout.match(/recall@10 +([\d.]+)/)?.[1]).toBe(first.stdout.match(/recall@10 +([\d.]+)/)?.[1]);
    const bytes = readFileSync(file);
    bytes[bytes.length - 40] = bytes[bytes.length - 40]! ^ 0xff;
    writeFileSync(file, bytes);
    const bad = cogsim(args);
    expect(bad.status).not.toBe(0);
    const lines = bad.stderr.split('\n').filter((l) => l.length > 0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^cogsim: --index: .*small\.hnsw/);
    expect(lines[0]).toMatch(/CRC32C/i);
    expect(readFileSync(file)).toEqual(bytes); // the user's file is left as it was
  });
});
