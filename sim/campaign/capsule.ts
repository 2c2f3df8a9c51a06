// A capsule: one failing run, complete enough to reproduce it anywhere: the effective run
// config (seed included), how its faults were drawn, the exact list of faults injected,
// and what the run gave (trace hash, lost, differing, undetected). `cogsim replay` runs the
// faults as a script and must reach the same trace hash (docs/faults.md, "Capsules").
import { readFileSync } from 'node:fs';
import { CliError } from '../cli/cli-error.ts';
import { checkFaultRecords, type FaultRecord } from '../faults/fault-record.ts';
import { checkRunConfig } from '../run/run-config.ts';
import { writeAtomic } from '../../tile/atomic-write.ts';
import { failed, outcomeOf, runExperiment, type Outcome, type RunTask } from './run-task.ts';
import { tolerant, type CleanCache, type FaultRunResult } from '../run/fault-run.ts';

export const CAPSULE_VERSION = 1;

export interface Capsule extends Omit<RunTask, 'index' | 'script'> {
  cogsimCapsule: typeof CAPSULE_VERSION;
  seed: number;
  faults: FaultRecord[];
  outcome: Outcome;
}

export function capsuleOf(task: RunTask, faults: FaultRecord[], outcome: Outcome): Capsule {
  const { index: _index, script: _script, ...rest } = task;
  return { cogsimCapsule: CAPSULE_VERSION, ...rest, run: tolerant(task.run), seed: task.run.seed, faults, outcome };
}

/** Writes the capsule through `write` (the CLI passes its checked writer, which refuses a
 *  path that names an input or a key: sim/cli/output-file.ts). */
export function writeCapsule(path: string, c: Capsule, write: FileWriter = writeAtomic): void {
  write(path, `${JSON.stringify(c, null, 1)}\n`);
}

/** Writes a whole file beside its target and renames it into place. */
export type FileWriter = (path: string, data: string) => void;

/** Reads and checks a capsule; `allowTestOnly` is for tests (the CLI never runs a broken rule). */
export function readCapsule(path: string, allowTestOnly = false): Capsule {
  let c: Capsule;
  try {
    c = JSON.parse(readFileSync(path, 'utf8')) as Capsule;
  } catch (err) {
    throw new CliError(`capsule ${path}: ${(err as Error).message}`);
  }
  if (c?.cogsimCapsule !== CAPSULE_VERSION) throw new CliError(`capsule ${path}: not a cogsim capsule (version ${CAPSULE_VERSION}), cogsimCapsule is ${String(c?.cogsimCapsule)}`);
  if (c.brokenRule && !allowTestOnly) throw new CliError(`capsule ${path}: it asks for a test-only broken recovery rule (${c.brokenRule}); the CLI does not run those`);
  if (typeof c.outcome !== 'object' || c.outcome === null) throw new CliError(`capsule ${path}: it has no outcome (the run's trace hash and failures) to reproduce`);
  checkRunConfig(c.run);
  c.faults = checkFaultRecords(c.faults, c.run.tiles, `capsule ${path}`);
  return c;
}

export interface Replay {
  result: FaultRunResult;
  outcome: Outcome;
  failed: boolean;
  /** The replay reached the capsule's trace hash. */
  sameHash: boolean;
}

/** Runs the capsule's faults as a script (no drawn faults). */
export function replayCapsule(c: Capsule, cache?: CleanCache): Replay {
  const { cogsimCapsule: _v, seed: _s, faults, outcome: expected, ...task } = c;
  const result = runExperiment({ ...task, index: 0, script: faults }, cache);
  const outcome = outcomeOf(result);
  return { result, outcome, failed: failed(outcome), sameHash: outcome.traceHash === expected.traceHash };
}
