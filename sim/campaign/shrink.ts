// Shrinking a failing capsule: delta debugging (ddmin, Zeller & Hildebrandt 2002) over its
// faults, then fewer queries, then fewer tiles, keeping each cut only while the run still
// fails the same way (a shared symptom: lost, differing, undetected or stalled). The
// result is re-recorded from its own run, so it replays to its own trace hash.
import type { FaultRecord } from '../faults/fault-record.ts';
import type { CleanCache } from '../run/fault-run.ts';
import type { RunConfig } from '../run/run-config.ts';
import { capsuleOf, replayCapsule, type Capsule, type Replay } from './capsule.ts';
import type { Outcome } from './run-task.ts';

function symptoms(o: Outcome): Set<string> {
  const s = new Set<string>();
  if (o.lost > 0) s.add('lost');
  if (o.differing.length > 0) s.add('differing');
  if (o.undetected > 0) s.add('undetected');
  if (o.stalled !== null) s.add('stalled');
  return s;
}

export interface ShrinkResult {
  capsule: Capsule;
  /** Runs tried. */
  runs: number;
}

/** The classic ddmin: the smallest list (1-minimal) for which `fails` still holds. */
export function ddmin<T>(items: T[], fails: (subset: T[]) => boolean): T[] {
  let list = items;
  let n = 2;
  while (list.length >= 2) {
    const size = Math.ceil(list.length / n);
    const chunks = Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));
    const chunk = chunks.find((c) => fails(c));
    if (chunk) {
      list = chunk;
      n = 2;
      continue;
    }
    const complement = chunks.length > 2 ? chunks.map((_, i) => chunks.filter((__, j) => j !== i).flat()).find((c) => fails(c)) : undefined;
    if (complement) {
      list = complement;
      n = Math.max(n - 1, 2);
      continue;
    }
    if (n >= list.length) break;
    n = Math.min(n * 2, list.length);
  }
  return list;
}

function meshFor(run: RunConfig, tiles: number): RunConfig {
  const side = Math.ceil(Math.sqrt(tiles));
  return { ...run, tiles, meshRows: Math.ceil(tiles / side), meshCols: side };
}

export function shrinkCapsule(original: Capsule, log: (line: string) => void = () => {}, cache: CleanCache = new Map()): ShrinkResult {
  const wanted = symptoms(original.outcome);
  let runs = 0;
  let best = original;
  const attempt = (run: RunConfig, faults: FaultRecord[]): Replay | null => {
    runs++;
    const r = replayCapsule({ ...best, run, faults }, cache);
    return [...symptoms(r.outcome)].some((s) => wanted.has(s)) ? r : null;
  };
  const keep = (run: RunConfig, r: Replay): void => {
    best = capsuleOf({ ...best, index: 0, run }, r.result.injected, r.outcome);
  };
  const first = attempt(best.run, best.faults);
  if (!first) throw new Error('the capsule does not fail when replayed: nothing to shrink');
  const faults = ddmin(best.faults, (subset) => attempt(best.run, subset) !== null);
  keep(best.run, attempt(best.run, faults)!);
  log(`faults: ${original.faults.length} -> ${best.faults.length}`);
  // Halve while it still fails, then take one query off at a time.
  for (const next of [(q: number) => Math.floor(q / 2), (q: number) => q - 1]) {
    for (let q = next(best.run.queries); q >= 1; q = next(q)) {
      const run = { ...best.run, queries: q };
      const r = attempt(run, best.faults);
      if (!r) break;
      keep(run, r);
    }
  }
  log(`queries: ${original.run.queries} -> ${best.run.queries}`);
  for (let t = best.run.tiles - 1; t >= 1; t--) {
    const run = meshFor(best.run, t);
    const r = attempt(run, best.faults.filter((f) => f.tile < t));
    if (!r) break;
    keep(run, r);
  }
  log(`tiles: ${original.run.tiles} -> ${best.run.tiles}`);
  if (best.run !== original.run && best.faults.length > 1) {
    const again = ddmin(best.faults, (subset) => attempt(best.run, subset) !== null);
    keep(best.run, attempt(best.run, again)!);
    log(`faults after the run shrank: ${best.faults.length}`);
  }
  return { capsule: best, runs };
}
