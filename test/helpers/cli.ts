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
