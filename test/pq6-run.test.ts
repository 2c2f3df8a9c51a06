// --dtype pq6 end to end (docs/format.md "PQ 6-bit codes", docs/chips.md "Hot data"): the hub
// trains a codebook (seeded), sends the packed codes as dtype 4 blocks and the codebook
// pieces after every LOAD_QUERY, and the chips' tiles (Hot image) score the codes. PQ is
// approximate: the answers must equal a brute force over the PQ6 reference distances
// (computed here from the run's codebook and codes), and the recall against exact ground
// truth is whatever it is (printed, and below 1 on this data). Bare Core tiles refuse it.
import { describe, expect, it } from 'vitest';
import { pq6Distances, pq6Table } from '../tile/reference/pq6.ts';
import { cogsim } from './helpers/cli.ts';
import { runPush } from './helpers/push-run.ts';
import type { RunConfig } from '../sim/run/run-config.ts';
import type { EncodedDataset } from '../hub/encoded-dataset.ts';
import { DEFAULT_COST_MODEL, pqLookupCycles } from '../sim/cost-model.ts';

const chips = (n: number, per: number): Partial<RunConfig> => ({ tiles: n * per, meshRows: n, meshCols: per, chips: { chips: n, tilesPerChip: per, sharedBytes: 1 << 20, cache: true } });

/** Each query's top-k by sorting every vector's reference PQ6 distance (ties to the lower id). */
function bruteForce(e: EncodedDataset, k: number): number[][] {
  const { book, codes } = e.pq6!;
  return Array.from({ length: e.queryCount }, (_, q) => {
    const d = pq6Distances(pq6Table(e.decodedQuery(q), book.halves, book.m, e.dim), codes, e.n, book.m);
    return Array.from(d.keys()).sort((a, b) => d[a]! - d[b]! || a - b).slice(0, k);
  });
}

describe('--dtype pq6 runs', () => {
  it('push on 2 chips x 2 tiles: the answers are the PQ6 brute force, every block scored on a Hot tile', () => {
    const run = runPush({ dtype: 'pq6', dim: 64, vectors: 700, queries: 6, ...chips(2, 2) });
    const e = run.sim.encoded;
    expect(e.pq6!.book.m).toBe(32);
    expect(run.summary.kernel.image).toMatch(/^hot-/);
    expect(run.ids).toEqual(bruteForce(e, run.summary.k));
    expect(run.summary.exactMatches).toBe(6);
    expect(run.summary.hub.hubLocalUnits).toBe(0);
    // Every distance came from a tile: one per vector per query, M code lookups each.
    expect(run.summary.tileWork.distances).toBe(700 * 6);
    expect(run.summary.tileWork.cycles.pq).toBe(pqLookupCycles(DEFAULT_COST_MODEL, 700 * 6 * 32));
    expect(run.summary.sentByType.LOAD_PARAMS!.messages).toBeGreaterThan(0);
    console.log(`pq6: recall@10 against exact ${run.summary.recallAtK.toFixed(3)}`);
    expect(run.summary.recallAtK).toBeLessThan(1);
  });

  it('is deterministic: the same seed gives the same trace and answers', () => {
    const a = runPush({ dtype: 'pq6', dim: 32, vectors: 300, queries: 3, ...chips(1, 2) });
    const b = runPush({ dtype: 'pq6', dim: 32, vectors: 300, queries: 3, ...chips(1, 2) });
    expect(b.summary.answersHash).toBe(a.summary.answersHash);
    expect(b.summary.traceHash).toBe(a.summary.traceHash);
  });

  it('the CLI refuses PQ6 data on bare Core tiles with the reason (exit 2), and other metrics, schedules and dims', () => {
    const bare = cogsim(['run', '--dtype', 'pq6', '--vectors', '200', '--dim', '32', '--queries', '2']);
    expect(bare.status).toBe(2);
    expect(bare.stderr).toMatch(/needs the hot profile, the tiles \(bare Core tiles.*PQ codes are a Hot feature/);
    const ip = cogsim(['run', '--dtype', 'pq6', '--chips', '1', '--tiles-per-chip', '2', '--metric', 'ip', '--vectors', '200', '--dim', '32', '--queries', '2']);
    expect(ip.status).toBe(2);
    expect(ip.stderr).toMatch(/--dtype pq6 scores squared L2 only/);
    const block = cogsim(['run', '--dtype', 'pq6', '--chips', '1', '--tiles-per-chip', '2', '--schedule', 'block', '--vectors', '200', '--dim', '32', '--queries', '2']);
    expect(block.status).toBe(2);
    expect(block.stderr).toMatch(/--dtype pq6 runs --schedule query only/);
    const dim = cogsim(['run', '--dtype', 'pq6', '--chips', '1', '--tiles-per-chip', '2', '--vectors', '200', '--dim', '30', '--queries', '2']);
    expect(dim.status).toBe(2);
    expect(dim.stderr).toMatch(/--dtype pq6 needs a dim that a multiple of 4 in 4..32 divides/);
  });

  it('the CLI runs it on chips and reports the exact matches against the PQ6 brute force', () => {
    const r = cogsim(['run', '--dtype', 'pq6', '--chips', '1', '--tiles-per-chip', '2', '--vectors', '300', '--dim', '32', '--queries', '3', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { exactMatches: number; queries: number; exactMatchNote: string };
    expect(s.exactMatches).toBe(s.queries);
    expect(s.exactMatchNote).toMatch(/PQ6 codes/);
  });
});
