// One run of a campaign: a fault experiment from a plain-data task, turned into a result
// row, and a capsule when it failed. Pool threads and queue workers both call this, so a
// run gives the same row wherever it runs.
import { parseKinds, parseRate, type FaultKind } from '../faults/fault-kinds.ts';
import { parsePlan } from '../faults/fault-plan.ts';
import type { FaultRecord } from '../faults/fault-record.ts';
import type { HubOptions } from '../../hub/hub.ts';
import { runFaultExperiment, type CleanCache, type FaultRunResult } from '../run/fault-run.ts';
import type { RunConfig } from '../run/run-config.ts';
import type { BrokenRule } from './broken-rule.ts';

/** Everything a run needs, as JSON: it crosses threads, processes and machines. */
export interface RunTask {
  index: number;
  run: RunConfig;
  rate: string;
  kinds: FaultKind[];
  /** A fault plan as written (parsed where the run happens). */
  plan?: unknown;
  /** Exact faults (replay); rate and plan are then ignored. */
  script?: FaultRecord[];
  hub?: Partial<HubOptions>;
  /** TEST ONLY (sim/campaign/broken-rule.ts). */
  brokenRule?: BrokenRule;
}

export interface RunRow {
  index: number;
  mode: string;
  schedule: string;
  dtype: string;
  rate: string;
  kinds: string;
  seed: number;
  tiles: number;
  vectors: number;
  dim: number;
  queries: number;
  injected: number;
  detected: number;
  lost: number;
  differing: number;
  undetected: number;
  /** Injections that changed nothing anybody waited for (cancelled, superseded). */
  harmless: number;
  stalled: boolean;
  recall: number | null;
  cleanRecall: number;
  latencyUsP50: number | null;
  latencyUsP99: number | null;
  cleanLatencyUsP50: number;
  cleanLatencyUsP99: number;
  restarts: number;
  retirements: number;
  traceHash: string | null;
  failed: boolean;
}

export interface Outcome {
  traceHash: string | null;
  lost: number;
  differing: number[];
  undetected: number;
  stalled: string | null;
}

export interface RunTaskResult {
  row: RunRow;
  outcome: Outcome;
  /** The exact faults injected: kept only when the run failed (they make its capsule). */
  faults: FaultRecord[] | null;
}

export function outcomeOf(r: FaultRunResult): Outcome {
  return { traceHash: r.faulty?.traceHash ?? null, lost: r.lost, differing: r.differing, undetected: r.ledger.undetected().length, stalled: r.stalled };
}

export function failed(o: Outcome): boolean {
  return o.lost > 0 || o.differing.length > 0 || o.undetected > 0 || o.stalled !== null;
}

export function runExperiment(task: RunTask, cache?: CleanCache): FaultRunResult {
  return runFaultExperiment(
    {
      run: task.run,
      rate: parseRate(task.rate),
      kinds: parseKinds(task.kinds.join(',')),
      ...(task.plan !== undefined && task.plan !== null ? { plan: parsePlan(task.plan, task.run.tiles) } : {}),
      ...(task.script ? { script: task.script } : {}),
      ...(task.hub ? { hub: task.hub } : {}),
      ...(task.brokenRule ? { brokenRule: task.brokenRule } : {}),
    },
    () => 0, // rows carry no wall time: they must not depend on where the run happened
    cache,
  );
}

/** Runs the task; a lost race on a shared cache file (two threads writing it first) is run again. */
export function runTask(task: RunTask, cache?: CleanCache): RunTaskResult {
  let r: FaultRunResult;
  try {
    r = runExperiment(task, cache);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    r = runExperiment(task, cache);
  }
  const outcome = outcomeOf(r);
  const counts = Object.values(r.ledger.counts());
  const c = task.run;
  const row: RunRow = {
    index: task.index,
    mode: c.mode,
    schedule: c.schedule,
    dtype: c.dtype,
    rate: task.rate,
    kinds: task.kinds.join(','),
    seed: c.seed,
    tiles: c.tiles,
    vectors: c.vectors,
    dim: c.dim,
    queries: c.queries,
    injected: counts.reduce((a, k) => a + k.injected, 0),
    detected: counts.reduce((a, k) => a + k.detected, 0),
    lost: r.lost,
    differing: r.differing.length,
    undetected: outcome.undetected,
    harmless: r.ledger.cancelled,
    stalled: r.stalled !== null,
    recall: r.faulty?.recallAtK ?? null,
    cleanRecall: r.clean.recallAtK,
    latencyUsP50: r.faulty?.latencyUsP50 ?? null,
    latencyUsP99: r.faulty?.latencyUsP99 ?? null,
    cleanLatencyUsP50: r.clean.latencyUsP50,
    cleanLatencyUsP99: r.clean.latencyUsP99,
    restarts: r.faulty?.hub.restarts ?? 0,
    retirements: r.faulty?.hub.retirements ?? 0,
    traceHash: outcome.traceHash,
    failed: failed(outcome),
  };
  return { row, outcome, faults: row.failed ? r.injected : null };
}
