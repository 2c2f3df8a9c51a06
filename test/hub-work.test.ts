// The hub's own compute is counted where it happens (routing distances, merges, the
// push-hnsw walk, the fallback) and charged on the hub cost model: the hub's next message
// waits for it, so it shows in latency, never in the answers.
import { describe, expect, it } from 'vitest';
import { DEFAULT_HUB_COST_MODEL, FREE_HUB_COST_MODEL, HubWorkMeter, type HubCostModel } from '../hub/core/hub-work.ts';
import { DEFAULT_RUN, checkRunConfig, type RunConfig } from '../sim/run/run-config.ts';
import { summarize, type RunSummary } from '../sim/run/report.ts';
import { buildSimulation, runSimulation, type Simulation } from '../sim/run/simulation.ts';

const BASE: RunConfig = { ...DEFAULT_RUN, vectors: 500, dim: 40, queries: 6, clusters: 5, tiles: 4, meshRows: 2, meshCols: 2, seed: 3 };

function run(overrides: Partial<RunConfig>, hubCost?: HubCostModel): { s: Simulation; r: RunSummary } {
  const s = buildSimulation(checkRunConfig({ ...BASE, ...overrides }), { cacheDir: null, ...(hubCost ? { hubCost } : {}) });
  const { events } = runSimulation(s);
  const r = summarize(s, events, 0);
  s.trace.close();
  return { s, r };
}

const perDistance = DEFAULT_HUB_COST_MODEL.distanceBaseCycles + Math.ceil(BASE.dim / DEFAULT_HUB_COST_MODEL.fp16LanesPerCycle);

describe('hub work', () => {
  it('prices each kind of work on the stated model', () => {
    const m = new HubWorkMeter(40, DEFAULT_HUB_COST_MODEL);
    expect(m.take({ routingDistances: 3, expansions: 2, beamCandidates: 5 }, 7)).toBe(3 * perDistance + 2 * 48 + 5 * 16 + 7 * 8);
    // Driver counters are cumulative: only what is new is charged.
    expect(m.take({ routingDistances: 3, expansions: 2, beamCandidates: 6 }, 0)).toBe(16);
    expect(m.local(10)).toBe(10 * perDistance);
    expect(m.totals).toMatchObject({ distances: 13, routingDistances: 3, localDistances: 10, merged: 7, expansions: 2, beamCandidates: 6 });
    expect(m.totals.cycles).toBe(3 * perDistance + 2 * 48 + 6 * 16 + 7 * 8 + 10 * perDistance);
  });

  it('counts pull mode\'s routing distances (hub descent) and every merged candidate', () => {
    const { s, r } = run({ mode: 'pull', pull: { ...BASE.pull, walks: 2, split: 'shards', descent: 'hub' } });
    const routing = s.pull!.driver.stats.hubRoutingDistances;
    expect(routing).toBeGreaterThan(0);
    expect(r.hubWork.routingDistances).toBe(routing);
    expect(r.hubWork.distances).toBe(routing);
    // Each walk's READ_TOPK brings its whole beam (ef entries); the hub merges them all.
    expect(r.hubWork.merged).toBe(BASE.queries * 2 * BASE.pull.ef);
    expect(r.hubWork.cycles).toBe(routing * perDistance + r.hubWork.merged * DEFAULT_HUB_COST_MODEL.mergeCyclesPerCandidate);
    expect(s.transport.hubBusyCycles).toBe(r.hubWork.cycles);
  });

  it('counts no routing with the tile descending, and the push-hnsw walk\'s expansions and beam', () => {
    expect(run({ mode: 'pull', pull: { ...BASE.pull, walks: 2, split: 'shards', descent: 'tile' } }).r.hubWork.distances).toBe(0);
    const { s, r } = run({ mode: 'push-hnsw', pushHnsw: { ef: 24 } });
    const st = s.pushHnsw!.driver.stats;
    expect(r.hubWork).toMatchObject({ distances: 0, expansions: st.expansions, beamCandidates: st.distances });
    expect(r.hubWork.expansions).toBeGreaterThan(0);
  });

  for (const mode of [{ mode: 'push' }, { mode: 'push-hnsw', pushHnsw: { ef: 24 } }, { mode: 'pull', pull: { ...BASE.pull, descent: 'hub' } }] as Partial<RunConfig>[]) {
    it(`delays the hub's next action by its compute in ${mode.mode} (later answers, the same answers)`, () => {
      const free = run(mode, FREE_HUB_COST_MODEL).r;
      const charged = run(mode).r;
      expect(free.hubWork.cycles).toBe(0);
      expect(charged.hubWork.cycles).toBeGreaterThan(0);
      expect(charged.answersHash).toBe(free.answersHash);
      expect(charged.simulatedSeconds).toBeGreaterThan(free.simulatedSeconds);
    });
  }
});
