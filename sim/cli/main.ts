// cogsim's command line. Every user error ends as one line on stderr and a non-zero exit.
import { Command, CommanderError } from 'commander';
import { registerBudget } from './budget-command.ts';
import { registerRun } from './run-command.ts';
import { registerFaults } from './faults-command.ts';
import { registerCampaign } from './campaign-command.ts';
import { registerReplay } from './replay-command.ts';
import { registerShrink } from './shrink-command.ts';
import { registerWorker } from './worker-command.ts';
import { registerSignKernel } from './sign-kernel-command.ts';
import { CliError } from './cli-error.ts';

// A closed pipe (`cogsim budget | head`) ends the output, not the process with a trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = new Command();
program.name('cogsim').description('Cognitum tile simulator and hub orchestrator').exitOverride();
registerBudget(program);
registerRun(program);
registerFaults(program);
registerCampaign(program);
registerReplay(program);
registerShrink(program);
registerWorker(program);
registerSignKernel(program);

// One line, whatever the error carries: a multi-line message would read like a crash.
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode; // commander already printed its message
  } else if (err instanceof CliError) {
    console.error(`cogsim: ${oneLine(err.message)}`);
    process.exitCode = err.exitCode;
  } else {
    const e = err as NodeJS.ErrnoException;
    console.error(`cogsim: ${oneLine(e.message ?? String(err))}`);
    if (process.env.COGSIM_DEBUG) console.error(e.stack);
    // A system error (a path that cannot be opened) is the user's to fix, like a bad flag.
    process.exitCode = typeof e.code === 'string' ? 2 : 1;
  }
}
