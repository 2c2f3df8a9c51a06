// The regression gate: this campaign against an earlier campaign.json. Lost, differing and
// undetected may not rise, and latency under faults (summed p50 and p99 over the runs both
// campaigns made) may not grow beyond a tolerance.
import { readFileSync } from 'node:fs';
import { CliError } from '../cli/cli-error.ts';
import type { RunRow } from './run-task.ts';

export interface BaselineComparison {
  matched: number;
  unmatched: number;
  regressions: string[];
}

const runKey = (r: RunRow) => [r.mode, r.schedule, r.dtype, r.kinds, r.rate, r.seed, r.tiles, r.vectors, r.dim, r.queries].join('|');

export function readBaselineRows(path: string): RunRow[] {
  try {
    const json = JSON.parse(readFileSync(path, 'utf8')) as { runs?: RunRow[] };
    if (!Array.isArray(json.runs)) throw new Error('no "runs" list: not a campaign.json');
    return json.runs;
  } catch (err) {
    throw new CliError(`--baseline ${path}: ${(err as Error).message}`);
  }
}

export function compareWithBaseline(rows: readonly RunRow[], old: readonly RunRow[], tolerance: number): BaselineComparison {
  const before = new Map(old.map((r) => [runKey(r), r]));
  const pairs = rows.flatMap((r) => {
    const o = before.get(runKey(r));
    return o ? [[o, r] as const] : [];
  });
  const regressions: string[] = [];
  for (const field of ['lost', 'differing', 'undetected'] as const) {
    const was = pairs.reduce((a, [o]) => a + o[field], 0);
    const now = pairs.reduce((a, [, n]) => a + n[field], 0);
    if (now > was) regressions.push(`${field} rose from ${was} to ${now}`);
  }
  for (const field of ['latencyUsP50', 'latencyUsP99'] as const) {
    const both = pairs.filter(([o, n]) => o[field] !== null && n[field] !== null);
    const was = both.reduce((a, [o]) => a + o[field]!, 0);
    const now = both.reduce((a, [, n]) => a + n[field]!, 0);
    if (was > 0 && now > was * (1 + tolerance)) regressions.push(`${field} grew ${(((now - was) / was) * 100).toFixed(1)}% (tolerance ${(tolerance * 100).toFixed(1)}%) over ${both.length} runs`);
  }
  return { matched: pairs.length, unmatched: rows.length - pairs.length, regressions };
}
