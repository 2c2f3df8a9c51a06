// Every cycle a tile works is charged, in every mode, from the kernel's work counters: the
// same data costs the same cycles per distance in push, pull (both descents) and
// push-hnsw; the distances the tiles report equal an independent count; CRC work happens
// (and is charged) only when a run asks for it.
import { describe, expect, it } from 'vitest';
import { PullLocalWalker } from '../hub/pull/pull-driver.ts';
import { kernelOrderDistance } from '../tile/reference/distances.ts';
import { METRIC_CODES } from '../hub/work/message-builder.ts';
import { DTYPE_FP16 } from '../wat/layout.ts';
import { DEFAULT_RUN, checkRunConfig, type RunConfig } from '../sim/run/run-config.ts';
import { summarize, type RunSummary } from '../sim/run/report.ts';
import { buildSimulation, runSimulation, type Simulation } from '../sim/run/simulation.ts';

const BASE: RunConfig = { ...DEFAULT_RUN, vectors: 500, dim: 40, queries: 6, clusters: 5, tiles: 4, meshRows: 2, meshCols: 2, seed: 3 };

function run(overrides: Partial<RunConfig>): { s: Simulation; r: RunSummary } {
  const s = buildSimulation(checkRunConfig({ ...BASE, ...overrides }), { cacheDir: null });
  const { events } = runSimulation(s);
  const r = summarize(s, events, 0);
  s.trace.close();
  return { s, r };
}

const pull = (descent: 'hub' | 'tile', walks = 2): Partial<RunConfig> => ({ mode: 'pull', pull: { ...BASE.pull, walks, split: 'shards', descent } });

/**
 * Distances the tiles compute in pull mode, from the hub's reference replay of every walk
 * (PullLocalWalker): the replay's own count, plus, with the tile descending, the upper-layer
 * lists that rvf_greedy_step computes a second time (the FINAL chunk computes and merges the
 * block [cur, ...list] or [list]; the step then runs rvf_distances over the list alone).
 */
function pullReferenceDistances(s: Simulation): number {
  const walker = new PullLocalWalker(s.encoded, s.pull!.driver);
  let total = 0;
  for (let q = 0; q < s.encoded.queryCount; q++) {
    for (let w = 0; w < s.pull!.index.walks; w++) {
      const t = walker.trace({ kind: 'walk', queryId: q, walk: w, key: `q${q}/w${w}` });
      // The first step's block holds the entry itself (its distance is unknown until then).
      const greedyAgain = t.descent.length > 0 ? t.descentVectors - 1 : 0;
      total += t.distances + greedyAgain;
    }
  }
  return total;
}

/** Distinct nodes the plain HNSW search (hub/hnsw) evaluates per query, summed: push-hnsw asks each once. */
function hnswReferenceDistances(s: Simulation): number {
  const { index, driver } = s.pushHnsw!;
  let total = 0;
  for (let q = 0; q < s.encoded.queryCount; q++) {
    const query = s.encoded.queryBytes(q);
    const seen = new Set<number>();
    const distanceOf = (id: number) => {
      seen.add(id);
      return kernelOrderDistance(DTYPE_FP16, METRIC_CODES[s.encoded.spec.metric], query, s.encoded.computeVectorBytes(id), s.encoded.dim);
    };
    index.createSearcher().searchWithDistance(distanceOf, s.config.k, driver.settings.ef);
    total += seen.size;
  }
  return total;
}

describe('tile work by the kernel\'s counters', () => {
  const runs = {
    push: run({ mode: 'push' }),
    pushBlock: run({ mode: 'push', schedule: 'block' }),
    pullHub: run(pull('hub')),
    pullTile: run(pull('tile')),
    pushHnsw: run({ mode: 'push-hnsw', pushHnsw: { ef: 24 } }),
  };

  it('counts the distances an independent count gives, in every mode', () => {
    expect(runs.push.r.tileWork.distances).toBe(BASE.vectors * BASE.queries);
    expect(runs.pushBlock.r.tileWork.distances).toBe(BASE.vectors * BASE.queries);
    expect(runs.pullHub.r.tileWork.distances).toBe(pullReferenceDistances(runs.pullHub.s));
    expect(runs.pullTile.r.tileWork.distances).toBe(pullReferenceDistances(runs.pullTile.s));
    expect(runs.pushHnsw.r.tileWork.distances).toBe(hnswReferenceDistances(runs.pushHnsw.s));
    expect(runs.pushHnsw.r.tileWork.distances).toBe(runs.pushHnsw.s.pushHnsw!.driver.stats.distances);
  });

  it('charges the same cycles per distance in push, pull (both descents) and push-hnsw, within 1%', () => {
    const perDistance = Object.values(runs).map(({ r }) => r.tileWork.cycles.distance / r.tileWork.distances);
    for (const x of perDistance) expect(Number.isFinite(x) && x > 0).toBe(true);
    const lo = Math.min(...perDistance);
    const hi = Math.max(...perDistance);
    expect(hi / lo).toBeLessThan(1.01);
  });

  it('charges pull mode\'s compute: its distances cost cycles though no DONE reports them', () => {
    const w = runs.pullHub.r.tileWork;
    expect(w.distances).toBeGreaterThan(0);
    expect(w.cycles.distance).toBeGreaterThan(0);
    expect(w.merges).toBeGreaterThan(0);
    expect(w.cycles.total).toBe(w.cycles.distance + w.cycles.merge + w.cycles.crc + w.cycles.io + w.cycles.dispatch + w.cycles.dequant + w.cycles.pq + w.cycles.lz4);
    // Every cycle charged to a tile is the work its counters say (no faults here).
    const busy = runs.pullHub.s.nodes.reduce((a, n) => a + n.busyCycles, 0);
    expect(busy).toBe(w.cycles.total);
  });
});

describe('CRC32C work', () => {
  it('is zero on LOAD_BLOCK without --verify-crc, and the bytes of the blocks sent with it', () => {
    const plain = run({ mode: 'push', verifyCrc: false });
    const checked = run({ mode: 'push', verifyCrc: true });
    expect(plain.r.tileWork.crcBytes).toBe(0);
    expect(plain.r.tileWork.cycles.crc).toBe(0);
    // Every block goes to a tile once per query (query schedule); its CRC covers the block's bytes.
    let blockBytes = 0;
    for (let b = 0; b < checked.s.encoded.blockCount; b++) {
      for (const c of checked.s.encoded.blockChunks(b, false, true)) blockBytes += c.data.length;
    }
    expect(checked.r.tileWork.crcBytes).toBe(blockBytes * BASE.queries);
    expect(checked.r.tileWork.cycles.crc).toBeGreaterThan(0);
    expect(checked.r.answersHash).toBe(plain.r.answersHash);
  });
});
