// `cogsim faults`: a fault-injection experiment (docs/faults.md). Exit 1 when a query is
// lost or answered differently, or an injected fault went undetected.
import type { Command } from 'commander';
import type { InstrumentParts, Instruments, Simulation } from '../run/simulation.ts';
import { buildKernel } from '../../tile/build/build-kernel.ts';
import { DEFAULT_FAULT_KINDS, FAULT_KINDS, parseKinds, parseRate } from '../faults/fault-kinds.ts';
import { readFileSync } from 'node:fs';
import { FAULT_TOLERANT_KERNEL, runFaultExperiment } from '../run/fault-run.ts';
import { readPlan } from '../faults/fault-plan.ts';
import { checkFaultRecords, type FaultRecord } from '../faults/fault-record.ts';
import { capsuleOf, writeCapsule } from '../campaign/capsule.ts';
import { outcomeOf } from '../campaign/run-task.ts';
import { faultReport, faultReportPassed, formatFaultReport } from '../run/fault-report.ts';
import { startStopwatch } from '../wallclock.ts';
import { addRunAndOutputOptions, checkedRun, type RunFlags } from './run-command.ts';
import { withPendingOutput, writeAtomically } from './output-file.ts';
import { RunOutputs } from '../output/output-options.ts';
import { summarize } from '../run/report.ts';
import { progressLine } from './progress.ts';
import { CliError } from './cli-error.ts';
import { checkKernelFile } from './kernel-file.ts';

interface FaultFlags extends RunFlags {
  rate: string;
  kinds: string;
  plan?: string;
  record?: string;
  redundancy: string;
  script?: string;
}

export function registerFaults(program: Command): void {
  const cmd = program
    .command('faults')
    .description('inject faults into a run and compare its answers with the same run without faults; takes the run flags except --compare; exit 1 when an answer differs, a query is lost or a fault goes undetected')
    .option('--rate <r>', 'chance of a fault per message, e.g. 0.1 (at most 0.25)', '0.1')
    .option('--kinds <list>', `comma-separated fault kinds: ${FAULT_KINDS.join(',')} (sdc needs --redundancy 2)`, DEFAULT_FAULT_KINDS.join(','))
    .option('--redundancy <n>', 'tiles that compute each unit: 1, or 2 (partials compared, a third copy breaks a disagreement)', '1')
    .option('--plan <file>', 'time-phased faults in simulated time, beside --rate (docs/faults.md, "Fault plans")')
    .option('--script <file>', 'inject exactly these faults (a JSON list as --record writes under "faults", or a capsule) instead of drawing them')
    .option('--record <file>', 'write the exact faults injected (JSON); `cogsim replay` takes them as a capsule');
  addRunAndOutputOptions(cmd).action(async (flags: FaultFlags, self: Command) => {
    const rate = parseRate(flags.rate);
    const kinds = parseKinds(flags.kinds);
    // The experiment needs the watchdog; a typed build without it would be silently replaced.
    if (self.getOptionValueSource('kernel') === 'cli' && !flags.kernel.includes('fuel')) {
      throw new CliError(`--kernel ${flags.kernel}: cogsim faults runs a fuel build (the watchdog detects hangs); use ${FAULT_TOLERANT_KERNEL}, or drop --kernel`);
    }
    if (flags.redundancy !== '1' && flags.redundancy !== '2') throw new CliError(`--redundancy takes 1 or 2, got '${flags.redundancy}'`);
    const redundancy = Number(flags.redundancy);
    const { config: checked, trace } = checkedRun(flags, self);
    const outputs = new RunOutputs(flags, checked);
    const given = [['--plan', flags.plan], ['--script', flags.script]].filter((g): g is [string, string] => g[1] !== undefined).map(([flag, path]) => ({ flag, path }));
    const recordAvoids = flags.record ? outputs.extraOutput({ flag: '--record', path: flags.record }, given) : [];
    const run = outputs.config;
    const plan = flags.plan ? readPlan(flags.plan, run.tiles) : undefined;
    const script = flags.script ? readScript(flags.script, run.tiles) : undefined;
    await buildKernel();
    // The experiment counts on window checks and the watchdog to detect injected faults: a
    // --kernel-file gets both written into its binary, like every run's kernel.
    await checkKernelFile(run);
    const watch = startStopwatch();
    // The ground truth is checked on the clean run's data, before either run starts.
    const beforeRun = (s: Simulation, phase: string) => {
      outputs.checkGroundTruth(s);
      return progressLine(s, { quiet: flags.json, label: phase, ...(phase === 'faults' ? { retired: outputs.retired } : {}) });
    };
    const observer = { instrument: (parts: InstrumentParts, inner: Instruments) => outputs.instrument(parts, inner), attach: (s: Simulation) => outputs.attach(s) };
    const result = withPendingOutput(trace, () =>
      outputs.guard(() => runFaultExperiment({ run, rate, kinds, observer, beforeRun, ...(plan ? { plan } : {}), ...(script ? { script } : {}), ...(redundancy > 1 ? { hub: { redundancy } } : {}) }, () => watch.elapsedMs() / 1000)),
    );
    const report = faultReport(result, run.seed, flags.rate, kinds);
    if (flags.record) {
      const task = { index: 0, run, rate: flags.rate, kinds, ...(flags.plan ? { plan: JSON.parse(readFileSync(flags.plan, 'utf8')) as unknown } : {}) };
      writeCapsule(flags.record, capsuleOf(task, result.injected, outcomeOf(result)), (path, data) => writeAtomically({ flag: '--record', path }, recordAvoids, data));
    }
    // The outputs are the run with faults: its answers are the ones under test.
    const s = result.faultySimulation;
    const faulty = result.faulty ?? summarize(s, outputs.eventsSeen, watch.elapsedMs() / 1000);
    outputs.finish(s, faulty, { injections: result.ledger.injections, faultReport: report });
    const recall = faulty.groundTruthFile ? { groundTruthFile: faulty.groundTruthFile } : {};
    console.log(flags.json ? JSON.stringify({ ...report, ...recall }, null, 2) : formatFaultReport(report) + (faulty.groundTruthFile ? `\nrecall@${run.k} of the run with faults against ${faulty.groundTruthFile.path}: ${faulty.groundTruthFile.recallAtK.toFixed(4)}` : ''));
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
