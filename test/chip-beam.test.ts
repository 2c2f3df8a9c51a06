// The chip-wide beam (issue 17, docs/pull-mode.md "Chip-wide beam"): one query's walks on one
// chip's tiles share a visited set in the chip's memory, so their 16-entry beams partition
// the search instead of converging; with rounds each tile runs several walks of the query.
import { describe, expect, it } from 'vitest';
import { ChipBeam } from '../hub/chip/chip-beam.ts';
import { CHIP_SHARED_LATENCY_CYCLES } from '../hub/chip/chip-memory.ts';
import { checkRunConfig, DEFAULT_RUN, type RunConfig } from '../sim/run/run-config.ts';
import { buildSimulation } from '../sim/run/simulation.ts';
import { chipBeamWalks, refuseChipFlags } from '../sim/chip/chip-flags.ts';
import { runPull } from './helpers/pull.ts';

const SMALL_GAUSSIAN = { ...DEFAULT_RUN, distribution: 'gaussian' as const, vectors: 1200, dim: 48, queries: 16, tiles: 8, meshRows: 3, meshCols: 3 };

function gaussianPull(beam: boolean, walks: number, chips = 1, tiles = 8): RunConfig {
  return checkRunConfig({
    ...SMALL_GAUSSIAN,
    tiles,
    mode: 'pull',
    pull: { ...DEFAULT_RUN.pull, walks, split: 'entries', M: 8, efConstruction: 60 },
    chips: { chips, tilesPerChip: tiles / chips, sharedBytes: 1 << 20, cache: true, ...(beam ? { beam: true } : {}) },
  });
}

function run(config: RunConfig) {
  const r = runPull(config);
  return { summary: r.summary, answers: r.best };
}

describe('chip-wide beam', () => {
  it('on hard (gaussian) data beats one walk and the same walks without the shared set, for fewer vectors than the latter', () => {
    const one = run(gaussianPull(false, 1));
    const apart = run(gaussianPull(false, 8));
    const beam = run(gaussianPull(true, 8));
    expect(beam.summary.recallAtK).toBeGreaterThan(one.summary.recallAtK);
    expect(beam.summary.recallAtK).toBeGreaterThan(apart.summary.recallAtK);
    expect(beam.summary.pull!.vectorsPerQuery).toBeLessThan(apart.summary.pull!.vectorsPerQuery);
    expect(beam.summary.pull!.walkErrors).toBe(0);
  });

  it('is deterministic: the same seed gives the same trace and answers', () => {
    const a = run(gaussianPull(true, 8));
    const b = run(gaussianPull(true, 8));
    expect(b.summary.traceHash).toBe(a.summary.traceHash);
    expect(b.answers).toEqual(a.answers);
  });

  it('with a second round per tile reaches higher recall than one round, for fewer hub-link bytes per query than the push scan', () => {
    // 2 chips x 2 tiles: one round is 2 walks a query, two rounds 4 (walk w + 2 after walk w,
    // same tile). Measured at seeds 1, 2, 3: one round 0.844, 0.888, 0.844; two 0.913, 0.931, 0.931.
    const one = run(gaussianPull(true, 2, 2, 4));
    const two = run(gaussianPull(true, 4, 2, 4));
    const push = run(checkRunConfig({ ...SMALL_GAUSSIAN, mode: 'push' }));
    expect(push.summary.recallAtK).toBe(1);
    expect(two.summary.recallAtK).toBeGreaterThan(one.summary.recallAtK);
    // The second round's walks are kept off what the first evaluated: more vectors, not twice as many.
    expect(two.summary.pull!.vectorsPerQuery).toBeLessThan(2 * one.summary.pull!.vectorsPerQuery);
    // Hub-link bytes, counted the same way for both (both directions, what the chip serves left out).
    expect(two.summary.bytesPerQuery).toBeLessThan(push.summary.bytesPerQuery);
    expect(two.summary.pull!.walkErrors).toBe(0);
    // The chip's shared-set work is charged: at least one access per vector claimed (seeds and
    // blocks), plus the lists' lookups.
    expect(two.summary.chips!.beam).toMatchObject({ rounds: 2, walksPerQuery: 4 });
    expect(two.summary.chips!.beam!.sharedSetCyclesPerQuery).toBeGreaterThan(CHIP_SHARED_LATENCY_CYCLES * two.summary.pull!.vectorsPerQuery);
  });

  it('runs every walk of a query on its chip, a later round on the earlier round\'s tile', () => {
    const sim = buildSimulation(gaussianPull(true, 12, 2), { cacheDir: null });
    sim.trace.close();
    for (const q of [0, 1, 5]) {
      const place = sim.pull!.mode.admit([q]).flatMap((s) => ('place' in s ? s.place : []));
      // Chip c is tiles 4c..4c+3; query q's chip is q mod 2; walk w (3 rounds of 4) runs on the chip's tile w mod 4.
      expect(place.map((p) => p.tileId)).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3].map((t) => (q % 2) * 4 + t));
    }
  });

  it('refuses --chip-rounds without --chip-beam, and more than 64 walks per query, in one line', () => {
    const f = { tiles: 64, chips: 4, tilesPerChip: 16, chipMemory: 1 << 23, chipCache: 'on' as const };
    expect(() => refuseChipFlags(new Set(['--chip-rounds']), { ...f, chipRounds: 3 })).toThrow(/^--chip-rounds sets the walks per tile of --chip-beam; this run has no --chip-beam/);
    expect(() => refuseChipFlags(new Set(['--chip-rounds']), { ...f, chipBeam: true, chipRounds: 5 })).toThrow(/^--chip-rounds must be at least 1 with --chip-rounds x --tiles-per-chip at most 64 walks per query; got --chip-rounds 5 x --tiles-per-chip 16 = 80$/);
    expect(() => refuseChipFlags(new Set(['--chip-rounds']), { ...f, chipBeam: true, chipRounds: 4 })).not.toThrow();
    expect(chipBeamWalks({ ...f, chipBeam: true })).toBe(2 * 16);
    expect(chipBeamWalks({ ...f, chips: 1, tilesPerChip: 64, chipBeam: true })).toBe(64); // the default drops to 1 round
    expect(() => refuseChipFlags(new Set(), { ...f, chips: 1, tilesPerChip: 64, chipBeam: true })).not.toThrow();
  });

  it('refuses a walk count that is not whole rounds of the chip\'s tiles', () => {
    expect(() => gaussianPull(true, 4)).toThrow(/--chip-beam runs --chip-rounds x --tiles-per-chip 8 walks per query over one index \(--walk-split entries\); got --walks 4/);
  });
});

describe('ChipBeam', () => {
  it('drops ids another walk claimed, keeps the walk\'s own, and forgets a query after its last walk', () => {
    const b = new ChipBeam();
    b.claim(5, 0, [1, 2]);
    b.claim(5, 1, [2, 3]); // 2 stays walk 0's
    expect(b.filter(5, 1, [1, 2, 3, 4])).toEqual([3, 4]);
    expect(b.filter(5, 0, [1, 2, 3, 4])).toEqual([1, 2, 4]);
    expect(b.filter(6, 0, [1, 2])).toEqual([1, 2]); // another query: nothing claimed
    expect(b.dropped).toBe(3);
    b.walkDone(5, 2);
    expect(b.filter(5, 1, [1])).toEqual([]);
    b.walkDone(5, 2);
    expect(b.filter(5, 1, [1])).toEqual([1]);
  });
});
