// Which run flags apply to which run: a flag given on the command line that the chosen
// mode, schedule or data source would ignore is refused, so a typo'd experiment never
// prints a confident answer for settings it did not use. Only flags the user typed are
// checked (commander's value source 'cli'); defaults apply silently.
import type { Command } from 'commander';
import type { RunMode } from '../run/run-config.ts';
import { UserError } from '../run/user-error.ts';

/** The long flags given on the command line, e.g. '--ef', '--M'. */
export function typedFlags(cmd: Command): Set<string> {
  const typed = new Set<string>();
  for (const option of cmd.options) {
    if (option.long && cmd.getOptionValueSource(option.attributeName()) === 'cli') typed.add(option.long);
  }
  return typed;
}

interface RunChoice {
  mode: RunMode;
  schedule: 'query' | 'block';
  data: boolean;
  compare: boolean;
  kernelFile: boolean;
  /** Pull splits the data into regions (--walk-split shards, --walks > 1): its --index is a bundle. */
  shardedPull: boolean;
  /** --distribution gaussian: the built-in data has no clusters. */
  gaussian?: boolean;
}

/** Flags that only some modes read, and those modes (README "Flags by mode"). */
const MODE_FLAGS: Record<string, readonly RunMode[]> = {
  '--ef': ['pull', 'push-hnsw'],
  '--M': ['pull', 'push-hnsw'],
  '--ef-construction': ['pull', 'push-hnsw'],
  '--index': ['pull', 'push-hnsw'],
  '--walks': ['pull'],
  '--walk-split': ['pull'],
  '--descent': ['pull'],
  '--schedule': ['push'],
  '--concurrency': ['push', 'push-hnsw'],
};

function refuseOutsideMode(typed: Set<string>, c: RunChoice): void {
  if (c.compare) return; // --compare runs every mode, so every mode's flags apply
  for (const [flag, modes] of Object.entries(MODE_FLAGS)) {
    if (typed.has(flag) && !modes.includes(c.mode)) {
      throw new UserError(`${flag} applies to --mode ${modes.join(' and ')}; this run is --mode ${c.mode}, so drop ${flag}`);
    }
  }
}

/**
 * --lz4 runs the Hot image of the --kernel build (only it decodes LZ4 chunks): a
 * --kernel-file or a --pack is one image of its own, so those are refused with it.
 */
export function refuseLz4Conflicts(typed: Set<string>): void {
  if (!typed.has('--lz4')) return;
  for (const flag of ['--kernel-file', '--pack']) {
    if (typed.has(flag)) throw new UserError(`--lz4 runs the Hot image of --kernel; ${flag} names one image of its own, so drop --lz4 or ${flag}`);
  }
}

/** Refuses every typed flag the run would ignore, naming it and where it applies. */
export function refuseUnusedFlags(typed: Set<string>, c: RunChoice): void {
  if (c.compare && typed.has('--mode')) throw new UserError('--compare runs push, push-hnsw and pull; drop --mode');
  if (c.compare && c.shardedPull && typed.has('--index')) {
    throw new UserError('--index with --compare names one file, but the comparison runs one index and a sharded one (--walks > 1 with --walk-split shards); add --walks 1 or --walk-split entries, or drop --index');
  }
  if (c.compare && typed.has('--trace')) throw new UserError('--trace with --compare: the comparison runs several simulations, each with its own trace; run one --mode with --trace');
  refuseOutsideMode(typed, c);
  if (c.schedule === 'block' && typed.has('--concurrency')) {
    throw new UserError('--concurrency applies to --schedule query; --schedule block sends every query at once, so drop --concurrency');
  }
  if (c.data) {
    for (const flag of ['--dim', '--clusters', '--distribution']) {
      if (typed.has(flag)) throw new UserError(`${flag} applies to the built-in data; with --data the file sets it, so drop ${flag}`);
    }
  } else if (typed.has('--query-file')) {
    throw new UserError('--query-file goes with --data: the built-in data makes its own queries; add --data or drop --query-file');
  }
  if (!c.data && c.gaussian && typed.has('--clusters')) {
    throw new UserError('--clusters applies to --distribution clustered; gaussian data has no clusters, so drop --clusters');
  }
  if (c.kernelFile && typed.has('--kernel')) throw new UserError('--kernel and --kernel-file both name the kernel; give one');
}
