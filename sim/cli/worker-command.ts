// `cogsim worker --queue redis://host:port`: takes campaign runs from the queue and runs
// them on this machine's cores until stopped (Ctrl-C, SIGTERM). Start any number, anywhere.
import type { Command } from 'commander';
import { buildKernel } from '../../tile/build/build-kernel.ts';
import { defaultThreads } from '../campaign/pool.ts';
import { checkQueueUrl, startQueueWorker } from '../campaign/queue.ts';
import { CliError } from './cli-error.ts';
import { wholeNumber } from './options.ts';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('take campaign runs from a Redis queue (cogsim campaign --queue) and run them on every core')
    .requiredOption('--queue <url>', 'redis://host:port')
    .option('--threads <n>', 'runs at once (default: every core)', wholeNumber('--threads'), defaultThreads())
    .action(async (flags: { queue: string; threads: number }) => {
      checkQueueUrl(flags.queue);
      if (flags.threads < 1) throw new CliError(`--threads must be at least 1, got ${flags.threads}`);
      await buildKernel();
      const worker = await startQueueWorker(flags.queue, flags.threads, (line) => console.log(line));
      console.error(`cogsim worker: taking runs from ${flags.queue} on ${flags.threads} threads`);
      await new Promise<void>((resolve) => {
        for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve());
      });
      await worker.close();
    });
}
