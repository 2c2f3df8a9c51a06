// Push-hnsw's answer is the standard HNSW search's: the hub's walk (hub/push-hnsw/hub-walk.ts,
// distances from tiles) against the plain synchronous search of hub/hnsw with the tile's
// arithmetic (HnswSearcher.searchWithDistance + kernelOrderDistance), same index, same ef.
import { describe, expect, it } from 'vitest';
import { buildHnsw } from '../hub/hnsw/index.ts';
import { Prng } from '../hub/prng.ts';
import { hubWalk, type HubWalkResult } from '../hub/push-hnsw/hub-walk.ts';
import { referenceHnswSearch } from '../hub/push-hnsw/reference-search.ts';
import { DEFAULT_RUN, checkRunConfig, type RunConfig } from '../sim/run/run-config.ts';
import { answers, summarize } from '../sim/run/report.ts';
import { buildSimulation, runSimulation } from '../sim/run/simulation.ts';

function randomIndex(seed: number, n: number, dim: number) {
  const prng = new Prng(seed);
  const vectors = new Float32Array(n * dim);
  for (let i = 0; i < vectors.length; i++) vectors[i] = prng.nextInt(0, 1000) / 100;
  const levels = prng.derive('levels');
  return { index: buildHnsw(vectors, dim, { M: 6, efConstruction: 40, metric: 'l2' }, () => levels.nextU32()), vectors, prng };
}

/** Runs the generator with a synchronous distance, as the driver does with tiles. */
function drive(walk: Generator<number[], HubWalkResult, ReadonlyMap<number, number>>, distanceOf: (id: number) => number): { result: HubWalkResult; asked: number[][] } {
  const asked: number[][] = [];
  let it = walk.next(new Map());
  while (!it.done) {
    asked.push(it.value);
    it = walk.next(new Map(it.value.map((id) => [id, distanceOf(id)])));
  }
  return { result: it.value, asked };
}

describe('the hub walk against the reference search', () => {
  it('gives the reference beam (ids and distances, in order) for every ef, with ties broken by the lower id', () => {
    const { index, prng } = randomIndex(3, 600, 8);
    for (let q = 0; q < 12; q++) {
      const target = Array.from({ length: 8 }, () => prng.nextInt(0, 1000) / 100);
      // Coarse distances (whole numbers) make many ties: the order must still match.
      const distanceOf = (id: number) => {
        let s = 0;
        for (let j = 0; j < 8; j++) s += Math.abs(index.vectors[id * 8 + j]! - target[j]!);
        return Math.round(s);
      };
      for (const ef of [1, 4, 10, 33]) {
        const ref = index.createSearcher().searchWithDistance(distanceOf, ef, ef);
        const { result, asked } = drive(hubWalk(index.graph, ef, 1), distanceOf);
        expect(result.beam.map((c) => c.id), `query ${q}, ef ${ef}`).toEqual(Array.from(ref.ids));
        expect(result.beam.map((c) => c.dist)).toEqual(Array.from(ref.distances));
        // Each distance is asked for once per query.
        const all = asked.flat();
        expect(new Set(all).size).toBe(all.length);
        expect(result.distances).toBe(all.length);
      }
    }
  });

  it('leaves the index\'s own search as it was: searchWithDistance with the index metric gives search()', () => {
    const { index, vectors } = randomIndex(4, 300, 8);
    const q = vectors.slice(5 * 8, 6 * 8).map((x) => x + 0.3);
    const own = index.search(q, 5, 20);
    const viaParam = index.createSearcher().searchWithDistance((id) => {
      let s = 0;
      for (let j = 0; j < 8; j++) s += (q[j]! - vectors[id * 8 + j]!) ** 2;
      return s;
    }, 5, 20);
    expect(Array.from(viaParam.ids)).toEqual(Array.from(own.ids));
  });

  it('asks for nothing and answers nothing on an empty graph', () => {
    const { index } = randomIndex(5, 0, 8);
    const { result, asked } = drive(hubWalk(index.graph, 8, 4), () => 0);
    expect(result.beam).toEqual([]);
    expect(asked).toEqual([]);
  });
});

function config(overrides: Partial<RunConfig>): RunConfig {
  return checkRunConfig({
    ...DEFAULT_RUN, vectors: 2000, dim: 48, queries: 16, clusters: 12, mode: 'push-hnsw', ...overrides,
    pull: { ...DEFAULT_RUN.pull, M: 8, efConstruction: 60 }, pushHnsw: { ef: 24 },
  });
}

describe('push-hnsw on the simulated tiles', () => {
  const meshes = [
    { tiles: 1, meshRows: 1, meshCols: 1, concurrency: 1 },
    { tiles: 4, meshRows: 2, meshCols: 2, concurrency: 1 },
    { tiles: 9, meshRows: 3, meshCols: 3, concurrency: 3 },
    { tiles: 16, meshRows: 4, meshCols: 4, concurrency: 4 },
  ];
  const results = meshes.map((m) => {
    const sim = buildSimulation(config(m), { cacheDir: null });
    const { events } = runSimulation(sim);
    const summary = summarize(sim, events, 0);
    sim.trace.close();
    return { m, sim, summary, ids: answers(sim).ids };
  });

  for (const { m, sim, summary } of results) {
    it(`equals the reference HNSW search for every query, ids and distance bits, on ${m.tiles} tile(s), concurrency ${m.concurrency}`, () => {
      const { index, driver } = sim.pushHnsw!;
      for (let q = 0; q < sim.encoded.queryCount; q++) {
        const want = referenceHnswSearch(index, sim.encoded, q, driver.settings.ef, sim.config.k);
        expect(want).toHaveLength(sim.config.k);
        expect(sim.hub.outcomes.get(q)!.best, `query ${q}`).toEqual(want);
      }
      expect(summary.pushHnsw!.referenceEqual).toBe(sim.encoded.queryCount);
      expect(summary.pushHnsw!.referenceDiffering).toEqual([]);
      expect(summary.recallAtK).toBeGreaterThan(0.9);
      expect(summary.hub.hubLocalUnits).toBe(0);
    });
  }

  it('gives the same answers whatever the mesh', () => {
    for (const r of results) expect(r.ids).toEqual(results[0]!.ids);
  });

  it('spreads a query\'s batches over several tiles (every tile works when one query has the mesh)', () => {
    const { sim, summary } = results[1]!; // 4 tiles, one query at a time
    expect(summary.pushHnsw!.batchesPerQuery).toBeGreaterThan(4);
    for (const n of sim.nodes) expect(n.busyCycles).toBeGreaterThan(0);
    // The query is loaded once per tile it uses, not once per batch.
    expect(summary.sentByType.LOAD_QUERY!.messages).toBe(4 * sim.encoded.queryCount);
    expect(summary.sentByType.READ_TOPK!.messages).toBe(summary.pushHnsw!.batchesPerQuery * sim.encoded.queryCount);
  });
});
