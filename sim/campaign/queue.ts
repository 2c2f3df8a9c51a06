// Campaign runs over a BullMQ queue on Redis (`--queue redis://host:port`): the campaign
// puts every run task on the queue and waits for the results; `cogsim worker --queue ...`
// (any number, on any machine that has this checkout and the kernel built) takes tasks and
// runs them on its own thread pool. A task is plain data and a run is deterministic, so
// the rows are the same as a local campaign's.
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { CliError } from '../cli/cli-error.ts';
import { RunPool } from './pool.ts';
import type { RunTask, RunTaskResult } from './run-task.ts';

export const QUEUE_NAME = 'cogsim-runs';

export function checkQueueUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CliError(`--queue '${url}' is not a URL such as redis://127.0.0.1:6379`);
  }
  if (u.protocol !== 'redis:' || !u.hostname) throw new CliError(`--queue '${url}' must be redis://host:port`);
  return url;
}

function connect(url: string): Redis {
  // BullMQ's blocking commands need maxRetriesPerRequest null.
  return new Redis(checkQueueUrl(url), { maxRetriesPerRequest: null, lazyConnect: false });
}

/** Puts the tasks on the queue and waits for every result; results in task order. */
export async function runOnQueue(url: string, tasks: readonly RunTask[], onDone?: (done: number, total: number) => void): Promise<RunTaskResult[]> {
  const connection = connect(url);
  const eventsConnection = connect(url);
  const queue = new Queue(QUEUE_NAME, { connection });
  const events = new QueueEvents(QUEUE_NAME, { connection: eventsConnection });
  try {
    await events.waitUntilReady();
    // Job ids only keep two campaigns on one queue apart; no result depends on them.
    const campaign = randomUUID();
    const jobs = await queue.addBulk(tasks.map((t) => ({ name: 'run', data: t, opts: { jobId: `${campaign}-${t.index}`, attempts: 1 } })));
    let done = 0;
    const results = await Promise.all(
      jobs.map(async (job) => {
        const r = (await job.waitUntilFinished(events)) as RunTaskResult;
        onDone?.(++done, tasks.length);
        await job.remove().catch(() => undefined); // the result is ours now
        return r;
      }),
    );
    return results.sort((a, b) => a.row.index - b.row.index);
  } finally {
    await events.close();
    await queue.close();
    connection.disconnect();
    eventsConnection.disconnect();
  }
}

export interface QueueWorker {
  close(): Promise<void>;
}

/** Takes tasks from the queue and runs them, `threads` at a time, until closed. */
export async function startQueueWorker(url: string, threads: number, log: (line: string) => void = () => {}): Promise<QueueWorker> {
  const pool = new RunPool(threads);
  const connection = connect(url);
  const worker = new Worker(
    QUEUE_NAME,
    async (job) => {
      const r = await pool.run(job.data as RunTask);
      log(`run ${r.row.index}: ${r.row.mode}/${r.row.schedule}/${r.row.dtype} rate ${r.row.rate} seed ${r.row.seed} ${r.row.failed ? 'FAILED' : 'ok'}`);
      return r;
    },
    { connection, concurrency: threads },
  );
  await worker.waitUntilReady();
  return {
    async close() {
      await worker.close();
      await pool.close();
      connection.disconnect();
    },
  };
}
