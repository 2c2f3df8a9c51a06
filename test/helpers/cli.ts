// Runs the real `cogsim` binary (node sim/cli/cogsim.js) in a child process.
import { spawnSync } from 'node:child_process';

const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = `${ROOT}sim/cli/cogsim.js`;

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `timeoutMs`: more for commands that build a kernel (wabt, binaryen) on a busy machine. */
export function cogsim(args: string[], timeoutMs = 120_000): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, COGSIM_DEBUG: '' } });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A small, valid built-in run: add the flag under test after these. */
export const SMALL_RUN = ['run', '--vectors', '60', '--dim', '16', '--queries', '2', '--clusters', '2', '--tiles', '2'];

/** Runs many CLI invocations, a few at once (each is mostly tsx start-up), in `cwd`. */
export async function cogsimMany(runs: readonly string[][], cwd = ROOT, parallel = 3): Promise<CliResult[]> {
  const { spawn } = await import('node:child_process');
  const results: CliResult[] = new Array(runs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < runs.length) {
      const i = next++;
      results[i] = await new Promise<CliResult>((done, fail) => {
        const child = spawn(process.execPath, [BIN, ...runs[i]!], { cwd, env: { ...process.env, COGSIM_DEBUG: '' } });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.on('error', fail);
        child.on('close', (status) => done({ status, stdout, stderr }));
      });
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return results;
}
