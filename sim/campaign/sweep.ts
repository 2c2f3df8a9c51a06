// A campaign's sweep: seeds x rates x kind sets x modes x schedules x dtypes over one base
// run config, expanded into plain-data run tasks in a fixed order (the task index is the
// row's place in campaign.json, whatever ran it). Combinations a mode does not have (pull
// and push-hnsw are query-stationary fp16 only) are left out and counted.
import { CliError } from '../cli/cli-error.ts';
import { FAULT_KINDS, parseKinds, parseRate, type FaultKind } from '../faults/fault-kinds.ts';
import { checkRunConfig, type RunConfig, type RunMode } from '../run/run-config.ts';
import type { Schedule, WireDtype } from '../../hub/search-spec.ts';
import type { RunTask } from './run-task.ts';

export interface Sweep {
  seeds: number[];
  rates: string[];
  kindSets: FaultKind[][];
  modes: RunMode[];
  schedules: Schedule[];
  dtypes: WireDtype[];
  plan?: unknown;
}

/** `1..500`, `1,5,9` or a mix: `1..3,10`. */
export function parseSeeds(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:\.\.(\d+))?$/.exec(part);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
    if (!m || hi < lo || hi > 0xffffffff) throw new CliError(`--seeds '${part}' is not a seed or a range such as 1..500 (seeds 0..4294967295)`);
    if (hi - lo >= 1_000_000) throw new CliError(`--seeds ${part} spans ${hi - lo + 1} seeds; the limit is 1,000,000`);
    for (let s = lo; s <= hi; s++) out.push(s);
  }
  if (out.length === 0) throw new CliError('--seeds is empty');
  return out;
}

/** `all` (every kind together), `each` (every kind alone), or sets separated by `/`: `trap,hang/drop`. */
export function parseKindSets(text: string): FaultKind[][] {
  if (text.trim() === 'all') return [[...FAULT_KINDS]];
  if (text.trim() === 'each') return FAULT_KINDS.map((k) => [k]);
  return text.split('/').map((set) => parseKinds(set));
}

export function parseList<T extends string>(flag: string, text: string, allowed: readonly T[]): T[] {
  const items = text.split(',').map((x) => x.trim()).filter(Boolean);
  if (items.length === 0) throw new CliError(`${flag} is empty; choose from ${allowed.join(', ')}`);
  for (const x of items) if (!(allowed as readonly string[]).includes(x)) throw new CliError(`${flag} takes ${allowed.join(', ')}, got '${x}'`);
  return [...new Set(items)] as T[];
}

export function parseRates(text: string): string[] {
  const rates = text.split(',').map((x) => x.trim()).filter(Boolean);
  if (rates.length === 0) throw new CliError('--rates is empty');
  for (const r of rates) parseRate(r);
  return rates;
}

function fits(mode: RunMode, schedule: Schedule, dtype: WireDtype): boolean {
  return mode === 'push' || (schedule === 'query' && dtype === 'fp16');
}

export function expandSweep(base: RunConfig, sweep: Sweep, extra: Pick<RunTask, 'hub' | 'brokenRule'> = {}): { tasks: RunTask[]; skipped: number } {
  const tasks: RunTask[] = [];
  let skipped = 0;
  for (const mode of sweep.modes) {
    for (const schedule of sweep.schedules) {
      for (const dtype of sweep.dtypes) {
        if (!fits(mode, schedule, dtype)) {
          skipped += sweep.seeds.length * sweep.rates.length * sweep.kindSets.length;
          continue;
        }
        for (const kinds of sweep.kindSets) {
          for (const rate of sweep.rates) {
            for (const seed of sweep.seeds) {
              const run = checkRunConfig({ ...base, mode, schedule, dtype, seed });
              tasks.push({ index: tasks.length, run, rate, kinds, ...(sweep.plan !== undefined ? { plan: sweep.plan } : {}), ...extra });
            }
          }
        }
      }
    }
  }
  return { tasks, skipped };
}
