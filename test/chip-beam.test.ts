// The chip-wide beam (issue 17, docs/pull-mode.md "Chip-wide beam"): one query's walks on one
// chip's tiles share a visited set in the chip's memory, so their 16-entry beams partition
// the search instead of converging.
import { describe, expect, it } from 'vitest';
import { ChipBeam } from '../hub/chip/chip-beam.ts';
import { checkRunConfig, DEFAULT_RUN, type RunConfig } from '../sim/run/run-config.ts';
import { runPull } from './helpers/pull.ts';

function gaussianPull(beam: boolean, walks: number): RunConfig {
  return checkRunConfig({
    ...DEFAULT_RUN,
    distribution: 'gaussian',
    vectors: 1200,
    dim: 48,
    queries: 16,
    tiles: 8,
    meshRows: 3,
    meshCols: 3,
    mode: 'pull',
    pull: { ...DEFAULT_RUN.pull, walks, split: 'entries', M: 8, efConstruction: 60 },
    chips: { chips: 1, tilesPerChip: 8, sharedBytes: 1 << 20, cache: true, ...(beam ? { beam: true } : {}) },
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

  it('refuses a walk count other than the chip\'s tiles', () => {
    expect(() => gaussianPull(true, 4)).toThrow(/--chip-beam runs --tiles-per-chip 8 walks per query over one index \(--walk-split entries\); got --walks 4/);
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
