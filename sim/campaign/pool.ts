// The local worker pool: piscina threads, one run each at a time. Runs are deterministic
// and results are put back in task order, so the pool size changes only the wall time.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { RunTask, RunTaskResult } from './run-task.ts';

const WORKER = new URL('./pool-worker.js', import.meta.url).href;

export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

export class RunPool {
  private readonly pool: Piscina;

  constructor(threads: number) {
    // Threads start once and stay: each keeps its kernel modules and clean-run cache.
    this.pool = new Piscina({ filename: WORKER, minThreads: threads, maxThreads: threads, idleTimeout: Infinity });
  }

  run(task: RunTask): Promise<RunTaskResult> {
    return this.pool.run(task) as Promise<RunTaskResult>;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Runs every task on a pool of `threads`; results in task order. */
export async function runOnPool(tasks: readonly RunTask[], threads: number, onDone?: (done: number, total: number) => void): Promise<RunTaskResult[]> {
  const pool = new RunPool(threads);
  let done = 0;
  try {
    const results = await Promise.all(
      tasks.map(async (t) => {
        const r = await pool.run(t);
        onDone?.(++done, tasks.length);
        return r;
      }),
    );
    return results.sort((a, b) => a.row.index - b.row.index);
  } finally {
    await pool.close();
  }
}
