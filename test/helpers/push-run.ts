// Small push-mode runs for the acceptance tests: a config over DEFAULT_RUN, built and run
// in-process through the same sim/run functions the CLI uses.
import { DEFAULT_RUN, checkRunConfig, type RunConfig } from '../../sim/run/run-config.ts';
import { buildSimulation, runSimulation, type Simulation } from '../../sim/run/simulation.ts';
import { answers, summarize, type RunSummary } from '../../sim/run/report.ts';

export interface PushRun {
  sim: Simulation;
  summary: RunSummary;
  /** Each query's ids, nearest first, as the hub merged them. */
  ids: number[][];
}

export function pushConfig(overrides: Partial<RunConfig>): RunConfig {
  return checkRunConfig({ ...DEFAULT_RUN, vectors: 600, dim: 48, queries: 8, clusters: 8, ...overrides });
}

/** Runs one simulation to completion; wall time is not measured in tests (reported as 0). */
export function runPush(overrides: Partial<RunConfig>): PushRun {
  const sim = buildSimulation(pushConfig(overrides));
  const { events } = runSimulation(sim);
  const summary = summarize(sim, events, 0);
  sim.trace.close();
  return { sim, summary, ids: answers(sim).ids };
}
