// A campaign: every run of a sweep, on the local pool or a Redis queue; then campaign.json
// (the sweep, every row, the summary), campaign.csv (one row a run), and a capsule for
// every failing run, all in the output folder (docs/faults.md, "Campaigns").
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { capsuleOf, writeCapsule, type FileWriter } from './capsule.ts';
import { writeAtomic } from '../../tile/atomic-write.ts';
import { runOnPool } from './pool.ts';
import { runOnQueue } from './queue.ts';
import type { RunRow, RunTask, RunTaskResult } from './run-task.ts';
import { summarizeRuns, toCsv, totalsOf, type CampaignTotals, type SummaryRow } from './summary.ts';

export interface CampaignOptions {
  /** Local pool threads (ignored with a queue). */
  threads: number;
  /** redis://host:port: run on workers taking tasks from this queue. */
  queue?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface CampaignResult {
  rows: RunRow[];
  summary: SummaryRow[];
  totals: CampaignTotals;
  /** Capsule file names (in the output folder), one per failing run. */
  capsules: string[];
}

export async function runCampaign(tasks: readonly RunTask[], opts: CampaignOptions): Promise<RunTaskResult[]> {
  return opts.queue ? runOnQueue(opts.queue, tasks, opts.onProgress) : runOnPool(tasks, opts.threads, opts.onProgress);
}

/** `write`: how each file is written (the CLI's refuses an input or a key, sim/cli/output-file.ts). */
export function writeCampaign(outDir: string, sweep: unknown, tasks: readonly RunTask[], results: readonly RunTaskResult[], write: FileWriter = writeAtomic): CampaignResult {
  mkdirSync(outDir, { recursive: true });
  const rows = results.map((r) => r.row);
  const capsules: string[] = [];
  for (const r of results) {
    if (!r.faults) continue;
    const name = `capsule-${String(r.row.index).padStart(5, '0')}.json`;
    writeCapsule(join(outDir, name), capsuleOf(tasks[r.row.index]!, r.faults, r.outcome), write);
    capsules.push(name);
  }
  const summary = summarizeRuns(rows);
  const totals = totalsOf(rows);
  write(join(outDir, 'campaign.json'), `${JSON.stringify({ sweep, totals, summary, capsules, runs: rows }, null, 1)}\n`);
  write(join(outDir, 'campaign.csv'), toCsv(rows));
  return { rows, summary, totals, capsules };
}

export function campaignFailed(t: CampaignTotals): boolean {
  return t.lost > 0 || t.differing > 0 || t.undetected > 0 || t.stalled > 0;
}
