// The files a `run` or `faults` command touches, checked before anything runs: every
// input it reads and every output it writes (output-file.ts refuses an output that is an
// input or a key), and the --index file's own settings, which the run then uses.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KERNEL_BUILD_DIR } from '../../tile/build/paths.ts';
import { readIndexFileSettings } from '../../hub/pull/index-bundle.ts';
import { defaultManifestPath } from '../../tile/kernel-module.ts';
import { checkRunConfig, type RunConfig } from '../run/run-config.ts';
import { errnoText, UserError } from '../run/user-error.ts';
import { PendingOutput, type NamedPath } from './output-file.ts';

/** Every file the run reads, with the flag that names it. */
function runInputs(c: RunConfig): NamedPath[] {
  const inputs: NamedPath[] = [];
  if (c.dataPath) inputs.push({ flag: '--data', path: c.dataPath });
  if (c.queryPath) inputs.push({ flag: '--query-file', path: c.queryPath });
  if (c.kernelPath) {
    inputs.push({ flag: '--kernel-file', path: c.kernelPath });
    inputs.push({ flag: '--manifest', path: c.manifestPath ?? defaultManifestPath(c.kernelPath) });
  } else {
    const wasm = join(KERNEL_BUILD_DIR, `${c.kernel}.wasm`);
    inputs.push({ flag: '--kernel', path: wasm }, { flag: '--kernel', path: defaultManifestPath(wasm) });
  }
  for (const key of c.trustKeyPaths ?? []) inputs.push({ flag: '--trust-key', path: key });
  return inputs;
}

/**
 * An existing --index is read: its own M and efConstruction become the run's (a typed
 * flag that disagrees is refused), its metric must be the run's. A missing one is written
 * when the run builds it, so it is checked like any output.
 */
function adoptIndex(c: RunConfig, typed: Set<string>, inputs: NamedPath[]): RunConfig {
  const path = c.pull.indexPath;
  if (!path) return c; // a typed --index in push mode is refused before (flag-scope.ts)
  if (!existsSync(path)) {
    PendingOutput.open({ flag: '--index', path }, inputs).abandon(); // can it be written there?
    return c;
  }
  if (statSync(path).isDirectory()) throw new UserError(`--index ${path} is a folder; --index names one file (it holds every region of a sharded index)`);
  let s;
  try {
    s = readIndexFileSettings(path);
  } catch (err) {
    if (typeof (err as NodeJS.ErrnoException).code === 'string') throw new UserError(`--index ${path}: cannot read it (${errnoText(err)})`);
    throw new UserError(`--index: ${(err as Error).message}`);
  }
  if (!s) return c; // not an index: the loader names what is wrong with it
  const own = { '--M': s.M, '--ef-construction': s.efConstruction } as const;
  const asked = { '--M': c.pull.M, '--ef-construction': c.pull.efConstruction } as const;
  for (const flag of ['--M', '--ef-construction'] as const) {
    if (typed.has(flag) && own[flag] !== asked[flag]) {
      throw new UserError(`${flag} ${asked[flag]} disagrees with --index ${path}, built with ${flag.slice(2)} ${own[flag]}; drop ${flag} (the index's own settings are used) or choose another --index`);
    }
  }
  if (s.metric !== c.metric) throw new UserError(`--index ${path} was built for metric ${s.metric}; this run uses --metric ${c.metric}`);
  return checkRunConfig({ ...c, pull: { ...c.pull, M: s.M, efConstruction: s.efConstruction } });
}

export interface RunFiles {
  config: RunConfig;
  /** The --trace file being written; commit it when the run completes. */
  trace: PendingOutput | null;
}

/** Checks the run's files and opens its trace beside the target (the run writes the temporary file). */
export function prepareRunFiles(config: RunConfig, typed: Set<string>): RunFiles {
  const inputs = runInputs(config);
  for (const input of inputs) {
    if (existsSync(input.path) && statSync(input.path).isDirectory()) throw new UserError(`${input.flag} ${input.path} is a folder; name a file`);
  }
  const c = adoptIndex(config, typed, inputs);
  if (!c.tracePath) return { config: c, trace: null };
  const withIndex = c.pull.indexPath && existsSync(c.pull.indexPath) ? [...inputs, { flag: '--index', path: c.pull.indexPath }] : inputs;
  if (c.pull.indexPath && resolvesSame(c.pull.indexPath, c.tracePath)) {
    throw new UserError(`--trace ${c.tracePath} is the same file as --index ${c.pull.indexPath}; choose another path`);
  }
  const trace = PendingOutput.open({ flag: '--trace', path: c.tracePath }, withIndex);
  return { config: { ...c, tracePath: trace.tempPath }, trace };
}

function resolvesSame(a: string, b: string): boolean {
  return resolve(a) === resolve(b);
}
