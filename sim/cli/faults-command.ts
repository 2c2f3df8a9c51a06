// `cogsim faults`: a fault-injection experiment (docs/faults.md). Exit 1 when a query is
// lost or answered differently, or an injected fault went undetected.
import type { Command } from 'commander';
import { buildKernel } from '../../tile/build/build-kernel.ts';
import { FAULT_KINDS, parseKinds, parseRate } from '../faults/fault-kinds.ts';
import { readFileSync } from 'node:fs';
import { runFaultExperiment } from '../run/fault-run.ts';
import { readPlan } from '../faults/fault-plan.ts';
import { checkFaultRecords, type FaultRecord } from '../faults/fault-record.ts';
import { capsuleOf, writeCapsule } from '../campaign/capsule.ts';
import { outcomeOf } from '../campaign/run-task.ts';
import { faultReport, faultReportPassed, formatFaultReport } from '../run/fault-report.ts';
import { startStopwatch } from '../wallclock.ts';
import { addRunOptions, runConfigFrom, type RunFlags } from './run-command.ts';
import { CliError } from './cli-error.ts';
import { checkKernelFile } from './kernel-file.ts';

interface FaultFlags extends RunFlags {
  rate: string;
  kinds: string;
  plan?: string;
  record?: string;
  script?: string;
}

export function registerFaults(program: Command): void {
  const cmd = program
    .command('faults')
    .description('inject faults into a run and compare its answers with the same run without faults')
    .option('--rate <r>', 'chance of a fault per message, e.g. 0.1 (at most 0.25)', '0.1')
    .option('--kinds <list>', `comma-separated fault kinds: ${FAULT_KINDS.join(',')}`, FAULT_KINDS.join(','))
    .option('--plan <file>', 'time-phased faults in simulated time, beside --rate (docs/faults.md, "Fault plans")')
    .option('--script <file>', 'inject exactly these faults (a JSON list as --record writes under "faults", or a capsule) instead of drawing them')
    .option('--record <file>', 'write the exact faults injected (JSON); `cogsim replay` takes them as a capsule');
  addRunOptions(cmd).action(async (flags: FaultFlags) => {
    const rate = parseRate(flags.rate);
    const kinds = parseKinds(flags.kinds);
    const run = runConfigFrom(flags);
    const plan = flags.plan ? readPlan(flags.plan, run.tiles) : undefined;
    const script = flags.script ? readScript(flags.script, run.tiles) : undefined;
    await buildKernel();
    const own = checkKernelFile(run);
    // The experiment counts on window checks and the watchdog to detect injected faults.
    if (own && !(own.hasStrict && own.hasFuel)) {
      throw new CliError(`--kernel-file ${run.kernelPath}: cogsim faults needs a strict fuel build (window checks and the watchdog), its manifest says strict ${own.manifest?.features.strict}, fuel ${own.manifest?.features.fuel}`);
    }
    const watch = startStopwatch();
    const result = runFaultExperiment({ run, rate, kinds, ...(plan ? { plan } : {}), ...(script ? { script } : {}) }, () => watch.elapsedMs() / 1000);
    const report = faultReport(result, run.seed, flags.rate, kinds);
    if (flags.record) {
      const task = { index: 0, run, rate: flags.rate, kinds, ...(flags.plan ? { plan: JSON.parse(readFileSync(flags.plan, 'utf8')) as unknown } : {}) };
      writeCapsule(flags.record, capsuleOf(task, result.injected, outcomeOf(result)));
    }
    console.log(flags.json ? JSON.stringify(report, null, 2) : formatFaultReport(report));
    if (!faultReportPassed(report)) process.exitCode = 1;
  });
}

/** A fault list: a JSON array, or an object with "faults" (a capsule, or what --record writes). */
function readScript(path: string, tiles: number): FaultRecord[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CliError(`--script ${path}: ${(err as Error).message}`);
  }
  return checkFaultRecords(Array.isArray(json) ? json : (json as { faults?: unknown })?.faults, tiles, `--script ${path}`);
}
