// Shared set-up for the pull-mode tests: a small clustered fp16 dataset, and a whole
// pull-mode simulation run (with a hook to tamper with the walk driver first).
import { generateClusteredData } from '../../hub/data/generate.ts';
import { EncodedDataset } from '../../hub/encoded-dataset.ts';
import { Prng } from '../../hub/prng.ts';
import type { PullWalkDriver } from '../../hub/pull/pull-driver.ts';
import { answers, summarize, type RunSummary } from '../../sim/run/report.ts';
import type { RunConfig } from '../../sim/run/run-config.ts';
import { buildSimulation, runSimulation } from '../../sim/run/simulation.ts';

export const PULL_TEST_DIM = 24;

export function pullDataset(count: number, queries: number, seed = 5): EncodedDataset {
  const g = generateClusteredData(new Prng(seed).derive('data'), { count, dim: PULL_TEST_DIM, clusters: 6, spread: 0.15, queryCount: queries });
  return new EncodedDataset({ dtype: 'fp16', metric: 'l2', k: 10, dim: PULL_TEST_DIM, schedule: 'query' }, g.base, g.queries);
}

/** A whole simulation (any mode; pull's walk driver can be tweaked first): summary, answer ids, answers with distances. */
export function runPull(config: RunConfig, tweak?: (driver: PullWalkDriver) => void): { summary: RunSummary; ids: number[][]; driver: PullWalkDriver; best: { id: number; dist: number }[][] } {
  const sim = buildSimulation(config, { cacheDir: null });
  tweak?.(sim.pull!.driver);
  const { events } = runSimulation(sim);
  const summary = summarize(sim, events, 0);
  sim.trace.close();
  const best = Array.from({ length: sim.encoded.queryCount }, (_, q) => (sim.hub.outcomes.get(q)?.best ?? []).map((c) => ({ id: c.id, dist: c.dist })));
  return { summary, ids: answers(sim).ids, driver: sim.pull?.driver as PullWalkDriver, best };
}
