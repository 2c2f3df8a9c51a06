// cogsim's command line. Exit codes (README "Exit codes"): 0 success; 1 the run found a
// problem it was asked to look for (a fault run whose answers differ, a budget over);
// 2 the user's input or environment is wrong, always as one line of printable text on
// stderr; 70 an internal error (a bug: COGSIM_DEBUG=1 prints the stack).
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerBudget } from './budget-command.ts';
import { registerRun } from './run-command.ts';
import { registerFaults } from './faults-command.ts';
import { registerCampaign } from './campaign-command.ts';
import { registerReplay } from './replay-command.ts';
import { registerShrink } from './shrink-command.ts';
import { registerWorker } from './worker-command.ts';
import { registerSignKernel } from './sign-kernel-command.ts';
import { registerPack } from './pack-command.ts';
import { registerKernel } from './kernel-command.ts';
import { registerConform } from './conform-command.ts';
import { registerTraceHash } from './trace-hash-command.ts';
import { UserError } from '../run/user-error.ts';

const EXIT_FOUND_PROBLEM = 1;
const EXIT_USER_ERROR = 2;
const EXIT_INTERNAL = 70;

// A closed pipe (`cogsim budget | head`) ends the output, not the process with a trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command();
program.name('cogsim').description('Cognitum tile simulator and hub orchestrator').version(pkg.version, '-V, --version', 'print the cogsim version').exitOverride();
registerBudget(program);
registerRun(program);
registerFaults(program);
registerCampaign(program);
registerReplay(program);
registerShrink(program);
registerWorker(program);
registerSignKernel(program);
registerPack(program);
registerKernel(program);
registerConform(program);
registerTraceHash(program);

/**
 * One line of printable text, whatever the error carries: a multi-line message would read
 * like a crash, and bytes echoed from a binary file (a key, a data file) would reach the
 * terminal as control codes. Control, format and replacement characters become '?'.
 */
function printableLine(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/[\p{C}\uFFFD]/gu, '?')
    .trim();
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // commander already printed its message; help and --version exit 0, a bad flag 2.
    process.exitCode = err.exitCode === 0 ? 0 : EXIT_USER_ERROR;
  } else if (err instanceof UserError) {
    console.error(`cogsim: ${printableLine(err.message)}`);
    process.exitCode = err.exitCode === 1 ? EXIT_FOUND_PROBLEM : EXIT_USER_ERROR;
  } else {
    const e = err as NodeJS.ErrnoException;
    console.error(`cogsim: ${printableLine(e.message ?? String(err))}`);
    if (process.env.COGSIM_DEBUG) console.error(e.stack);
    // A system error (a path that cannot be opened) is the user's to fix, like a bad flag.
    process.exitCode = typeof e.code === 'string' ? EXIT_USER_ERROR : EXIT_INTERNAL;
  }
}
