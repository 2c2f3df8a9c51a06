// Chips (issue 17, docs/chips.md): tiles grouped into chips whose shared memory holds Layer A
// and a vector cache; vectors a chip holds do not cross the hub link, answers do not change.
import { describe, expect, it } from 'vitest';
import { ChipMemory, heldBytesPerChunk } from '../hub/chip/chip-memory.ts';
import { checkRunConfig, DEFAULT_RUN, type RunConfig } from '../sim/run/run-config.ts';
import { buildSimulation } from '../sim/run/simulation.ts';
import { runPull } from './helpers/pull.ts';
import { refuseChipFlags } from '../sim/chip/chip-flags.ts';
import { cogsim, SMALL_RUN } from './helpers/cli.ts';

function chipConfig(cache: boolean, sharedBytes = 8 * 1024 * 1024): RunConfig {
  return checkRunConfig({
    ...DEFAULT_RUN,
    vectors: 1500,
    dim: 24,
    queries: 24,
    clusters: 8,
    tiles: 64,
    meshRows: 8,
    meshCols: 8,
    mode: 'pull',
    pull: { ...DEFAULT_RUN.pull, M: 8, efConstruction: 60 },
    chips: { chips: 4, tilesPerChip: 16, sharedBytes, cache },
  });
}

function run(config: RunConfig) {
  const r = runPull(config);
  return { summary: r.summary, answers: r.best };
}

describe('chips', () => {
  it('4 chips x 16 tiles: the caches cut hub-link bytes per query, the answers are identical', () => {
    const on = run(chipConfig(true));
    const off = run(chipConfig(false));
    expect(on.answers).toEqual(off.answers);
    expect(on.summary.recallAtK).toBe(off.summary.recallAtK);
    expect(on.summary.bytesPerQuery).toBeLessThan(off.summary.bytesPerQuery);
    expect(on.summary.chips!.hubLinkBytesSaved).toBeGreaterThan(off.summary.chips!.hubLinkBytesSaved);
    // What the chips saved is exactly what left the hub link: same messages, same total bytes.
    expect(on.summary.bytesToTiles + on.summary.chips!.hubLinkBytesSaved).toBe(off.summary.bytesToTiles + off.summary.chips!.hubLinkBytesSaved);
    expect(off.summary.chips!.cacheVectors).toBe(0);
    // Layer A is held even with the cache off: the hub's seeds (layer-1 nodes) come from the chip.
    expect(off.summary.chips!.hits).toBeGreaterThan(0);
  });

  it('push-hnsw on 1 chip x 16 tiles: the chip serves the batches\' vectors it holds, answers identical', () => {
    const hnsw = (cache: boolean): RunConfig => ({ ...chipConfig(cache), mode: 'push-hnsw', tiles: 16, meshRows: 4, meshCols: 4, pushHnsw: { ef: 32 }, chips: { chips: 1, tilesPerChip: 16, sharedBytes: 1 << 20, cache } });
    const on = run(hnsw(true));
    const off = run(hnsw(false));
    expect(on.answers).toEqual(off.answers);
    expect(on.summary.pushHnsw!.referenceEqual).toBe(24);
    expect(on.summary.bytesPerQuery).toBeLessThan(off.summary.bytesPerQuery);
    expect(on.summary.bytesToTiles + on.summary.chips!.hubLinkBytesSaved).toBe(off.summary.bytesToTiles + off.summary.chips!.hubLinkBytesSaved);
  });

  it('a flat mesh (no --chips) has no chip lines and the same answers', () => {
    const flat = run({ ...chipConfig(true), chips: undefined } as RunConfig);
    const on = run(chipConfig(true));
    expect(flat.summary.chips).toBeUndefined();
    expect(flat.answers).toEqual(on.answers);
  });

  it('a chip memory too small for Layer A is refused naming both sizes', () => {
    expect(() => buildSimulation(chipConfig(true, 100), { cacheDir: null })).toThrow(/--chip-memory 100 B cannot hold the index's Layer A \(\d+ nodes, \d+ B\)/);
  });
});

describe('chip memory', () => {
  it('holds Layer A always and caches misses, evicting the least recently used', () => {
    const m = new ChipMemory({ ids: new Set([7]), bytes: 0 }, 2);
    expect(m.serve([7, 1, 2])).toEqual([true, false, false]);
    expect(m.serve([1])).toEqual([true]); // 1 becomes most recent; 2 is the oldest
    expect(m.serve([3])).toEqual([false]); // evicts 2
    expect(m.serve([1, 2, 7])).toEqual([true, false, true]); // 2 was evicted; storing it evicts 3
    expect([m.hits, m.misses]).toEqual([4, 4]);
    const off = new ChipMemory({ ids: new Set(), bytes: 0 }, 0);
    expect(off.serve([1, 1])).toEqual([false, false]);
  });

  it('counts the held vector bytes of each chunk, vectors split across chunks included', () => {
    // stride 10: vectors at [0,10) [10,20) [20,30); ids follow at 30..53; chunks of 16 B.
    expect(heldBytesPerChunk([true, false, true], 10, [[0, 16], [16, 32], [32, 48], [48, 54]])).toEqual([10, 10, 0, 0]);
    expect(heldBytesPerChunk([false, true, false], 10, [[0, 16], [16, 32]])).toEqual([6, 4]);
  });
});

describe('chip flags', () => {
  const f = { tiles: 64, tilesPerChip: 16, chipMemory: 1 << 23, chipCache: 'on' as const };
  it('refuses chip flags without --chips and a --tiles that disagrees', () => {
    expect(() => refuseChipFlags(new Set(['--chip-cache']), f)).toThrow(/--chip-cache shapes the chips of --chips N/);
    expect(() => refuseChipFlags(new Set(['--tiles']), { ...f, chips: 3 })).toThrow(/--chips 3 x --tiles-per-chip 16 is 48 tiles, --tiles asks for 64/);
    expect(() => refuseChipFlags(new Set(['--tiles']), { ...f, chips: 4 })).not.toThrow();
  });

  it('the CLI refuses --chips with push on fp16 data in one line, exit 2 (push on chips is for --dtype pq6 and --lz4)', () => {
    const r = cogsim([...SMALL_RUN.filter((x, i, a) => x !== '--tiles' && a[i - 1] !== '--tiles'), '--chips', '1', '--tiles-per-chip', '2']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^cogsim: --chips serves the HNSW modes .* this run is --mode push, so use --mode pull or push-hnsw, --dtype pq6, --lz4, or drop --chips$/);
  });
});
