// What a run of many tiles allocates per tile and per partial (docs/performance.md,
// "Allocation at many tiles"): a tile's sent-id ring is made at its first send, inside the
// run, so its first size is paid once per tile; and the query's top-K merge, run once per
// partial, keeps the objects of the entries it does not change.
import { describe, expect, it } from 'vitest';
import { ReplyOrder } from '../hub/core/reply-order.ts';
import { RingSlab } from '../hub/core/sent-ids.ts';
import type { TileSession } from '../hub/core/tile-session.ts';
import { Prng } from '../hub/prng.ts';
import { mergeTopK, type Candidate } from '../hub/topk-merge.ts';
import { checkRunConfig, DEFAULT_RUN } from '../sim/run/run-config.ts';
import { buildSimulation, runSimulation } from '../sim/run/simulation.ts';

/** The sessions of a simulation's hub (private there: only a test reads them from outside). */
function sessions(s: ReturnType<typeof buildSimulation>): TileSession[] {
  return (s.hub as unknown as { tiles: TileSession[] }).tiles;
}

describe('allocation at many tiles', () => {
  it('gives each tile of a clean 256-tile run a sent-id ring of 64 entries (1 KiB), which never grows', () => {
    // One block per tile and two queries, as the bench's 4,096-tile case: 36 messages per tile.
    const config = checkRunConfig({ ...DEFAULT_RUN, tiles: 256, meshRows: 16, meshCols: 16, queries: 2, vectors: 256 * 42, dim: 384, seed: 1 });
    const s = buildSimulation(config);
    runSimulation(s);
    s.trace.close();
    const tiles = sessions(s);
    expect(tiles).toHaveLength(256);
    for (const t of tiles) {
      const sent = (t as unknown as { seq: number }).seq;
      expect(sent).toBeGreaterThan(30); // the ring held real traffic
      expect(sent).toBeLessThanOrEqual(64);
      // 64 entries of 16 bytes: the ring's first size, never grown (it was 256, 4 KiB, per tile).
      expect(t.ringCapacity).toBe(64);
    }
    // The first rings are views of shared chunks, 64 rings a chunk: 4 typed-array memories for
    // 256 tiles, not one per tile.
    const buffers = new Set(tiles.map((t) => (t as unknown as { entries: Int32Array }).entries.buffer));
    expect(buffers.size).toBe(4);
  });

  it('gives the same verdicts from rings carved from one slab as from rings of their own, while the rings grow past it', () => {
    const slab = new RingSlab();
    const prng = new Prng(11);
    // Three tiles' orders share the slab (interleaved, so their first rings sit side by side);
    // ids count up with re-sends and stale replies mixed in; the windows are small and large.
    for (const remembered of [5, 300, 4096]) {
      const shared = [0, 1, 2].map(() => new ReplyOrder(remembered, slab));
      const own = [0, 1, 2].map(() => new ReplyOrder(remembered));
      const next = [1, 1, 1];
      for (let i = 0; i < 6_000; i++) {
        const t = Math.floor(prng.nextFloat() * 3);
        const r = prng.nextFloat();
        if (r < 0.6) {
          const id = r < 0.05 ? Math.max(1, next[t]! - 1 - Math.floor(prng.nextFloat() * 70)) : next[t]!++;
          shared[t]!.sending(id);
          own[t]!.sending(id);
        } else {
          const id = Math.max(1, next[t]! - 1 - Math.floor(prng.nextFloat() * 400));
          expect(shared[t]!.arrived(id), `tile ${t} op ${i}`).toBe(own[t]!.arrived(id));
        }
      }
      for (let t = 0; t < 3; t++) expect(shared[t]!.ringCapacity).toBe(own[t]!.ringCapacity);
    }
  });

  it('keeps the current entries\' objects in a merge that leaves them where they are, and makes new ones only for the entries taken', () => {
    const best = mergeTopK([], [1, 2, 3, 4].map((i) => ({ id: i, dist: i / 2 })), 4);
    const worse: Candidate[] = [{ id: 9, dist: 5 }, { id: 8, dist: 6 }];
    const same = mergeTopK(best, worse, 4);
    expect(same).not.toBe(best);
    expect(same.every((c, i) => c === best[i])).toBe(true);
    const better = mergeTopK(best, [{ id: 7, dist: 0.75 }], 4);
    expect(better.map((c) => c.id)).toEqual([1, 7, 2, 3]);
    expect([better[0] === best[0], better[1] === best[1], better[2] === best[1], better[3] === best[2]]).toEqual([true, false, true, true]);
    // A distance that is not an f32 is rounded, as the reference does: a new object then.
    const rounded = mergeTopK([{ id: 1, dist: 0.1 }], [{ id: 2, dist: 3 }], 2);
    expect(rounded[0]!.dist).toBe(Math.fround(0.1));
  });
});
