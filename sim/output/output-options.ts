// The output flags of `cogsim run` and `cogsim faults`: answers in ANN-benchmark files,
// recall against the user's ground truth, the trace in Chrome's format, the HTML report.
// Paths are checked before the run (never an input, never twice), files are written
// through a temporary sibling and a rename.
import type { Command } from 'commander';
import { extname } from 'node:path';
import { CliError } from '../cli/cli-error.ts';
import { oneOf } from '../cli/options.ts';
import type { RunConfig } from '../run/run-config.ts';
import type { RunSummary } from '../run/report.ts';
import type { InstrumentParts, Instruments, Simulation } from '../run/simulation.ts';
import type { Injection } from '../faults/fault-ledger.ts';
import { annDistancesFile, annIdsFile, annResults } from './ann-results.ts';
import { ChromeTraceWriter } from './chrome-trace.ts';
import { RunObserver } from './run-observer.ts';
import { checkOutputPaths, writeFileAtomic, type OutputTarget } from './safe-write.ts';
import { loadUserGroundTruth, recallAgainst, type UserGroundTruth } from './user-ground-truth.ts';
import { ReportCollector } from '../report/report-collector.ts';
import { renderReport, type ReportExtras } from '../report/render-report.ts';

export type TraceFormat = 'jsonl' | 'chrome';

export interface OutputFlags {
  out?: string;
  outDistances?: string;
  groundtruth?: string;
  traceFormat: TraceFormat;
  report?: string;
  trace?: string;
  json?: boolean;
}

export function addOutputOptions(cmd: Command): Command {
  return cmd
    .option('--out <file.ivecs>', 'write the top-k ids of every query, in query order (ANN-benchmark .ivecs)')
    .option('--out-distances <file.fvecs>', 'write the matching distances (.fvecs)')
    .option('--groundtruth <file.ivecs>', 'also measure recall@k against this ground truth (one row of ids per query, at least k per row)')
    .option('--trace-format <f>', 'format of --trace: jsonl (canonical, hashed) or chrome (Chrome trace event JSON for Perfetto; docs/trace.md)', oneOf('--trace-format', ['jsonl', 'chrome'] as const), 'jsonl')
    .option('--report <file.html>', 'write a self-contained HTML report of the run');
}

function requireExt(flag: string, path: string | undefined, ext: string): void {
  if (path !== undefined && extname(path).toLowerCase() !== ext) throw new CliError(`${flag} ${path}: expected a ${ext} file`);
}

/** The inputs and keys a run reads: no output may land on one of them. */
function inputsOf(config: RunConfig, flags: OutputFlags): OutputTarget[] {
  const inputs: (OutputTarget | null)[] = [
    config.dataPath ? { flag: '--data', path: config.dataPath } : null,
    config.queryPath ? { flag: '--query-file', path: config.queryPath } : null,
    flags.groundtruth ? { flag: '--groundtruth', path: flags.groundtruth } : null,
    config.kernelPath ? { flag: '--kernel-file', path: config.kernelPath } : null,
    config.manifestPath ? { flag: '--manifest', path: config.manifestPath } : null,
    config.pull.indexPath ? { flag: '--index', path: config.pull.indexPath } : null,
    ...(config.trustKeyPaths ?? []).map((path) => ({ flag: '--trust-key', path })),
  ];
  return inputs.filter((x): x is OutputTarget => x !== null);
}

export interface FinishExtras extends ReportExtras {
  injections?: readonly Injection[];
}

/** One run's outputs, from the flags to the files. */
export class RunOutputs {
  readonly config: RunConfig;
  private observer: RunObserver | null = null;
  private chrome: ChromeTraceWriter | null = null;
  private collector: ReportCollector | null = null;
  private groundTruth: UserGroundTruth | null = null;
  private readonly outputs: OutputTarget[];
  private readonly inputs: OutputTarget[];

  constructor(private readonly flags: OutputFlags, config: RunConfig) {
    if (flags.traceFormat === 'chrome' && !flags.trace) throw new CliError('--trace-format chrome needs --trace FILE: the file to write the Chrome trace to');
    requireExt('--out', flags.out, '.ivecs');
    requireExt('--out-distances', flags.outDistances, '.fvecs');
    const outputs: OutputTarget[] = [
      ...(flags.out ? [{ flag: '--out', path: flags.out }] : []),
      ...(flags.outDistances ? [{ flag: '--out-distances', path: flags.outDistances }] : []),
      ...(flags.trace ? [{ flag: '--trace', path: flags.trace }] : []),
      ...(flags.report ? [{ flag: '--report', path: flags.report }] : []),
    ];
    this.outputs = outputs;
    this.inputs = inputsOf(config, flags);
    checkOutputPaths(outputs, this.inputs);
    // The Chrome file replaces the JSONL file; the run still hashes the JSONL lines.
    const { tracePath, ...rest } = config;
    this.config = this.chromeTrace() ? rest : config;
    void tracePath;
  }

  /** One more output of the command (faults --record), refused before the run over an input
   *  (the run's and `moreInputs`), a key or another output; returns what its writer avoids. */
  extraOutput(out: OutputTarget, moreInputs: readonly OutputTarget[]): OutputTarget[] {
    const avoid = [...this.inputs, ...moreInputs];
    checkOutputPaths([...this.outputs, out], avoid);
    return [...avoid, ...this.outputs];
  }

  /** Loads --groundtruth and checks it against the run's data, before anything runs. */
  checkGroundTruth(s: Simulation): void {
    if (!this.flags.groundtruth || this.groundTruth) return;
    this.groundTruth = loadUserGroundTruth(this.flags.groundtruth, { queries: s.encoded.queryCount, k: s.config.k, baseCount: s.data.base.length / s.data.dim });
  }

  /** The run's instruments (buildSimulation's `instrument`): the observer, around `inner`. */
  instrument(parts: InstrumentParts, inner: Instruments | null = null): Instruments {
    this.observer = new RunObserver(parts, inner);
    // The observer taps the message path only when a sink will watch it (attach: the Chrome
    // trace, the HTML report). A tap puts every message on the transport's copying path
    // (sim-transport.ts): the default run's `simulator` line read 5.2-5.9 s with it and
    // 3.7-4.2 s without, while the observer only passed each message on. Without sinks the
    // fault injector's tap, if any, is the run's tap as it is (the observer only forwarded).
    const tap = this.watchesLinks() ? this.observer : (inner?.tap ?? null);
    return { tap, listener: this.observer };
  }

  /** Whether an output watches each message on the links: attach subscribes exactly these. */
  private watchesLinks(): boolean {
    return this.chromeTrace() || Boolean(this.flags.report);
  }

  private chromeTrace(): boolean {
    return Boolean(this.flags.trace) && this.flags.traceFormat === 'chrome';
  }

  /** After the build, before the run: checks the ground truth, binds the observer and its sinks. */
  attach(s: Simulation): RunObserver {
    this.checkGroundTruth(s);
    if (!this.observer) throw new Error('RunOutputs.attach: build the simulation with RunOutputs.instrument first');
    this.observer.bind(s);
    const trace = this.flags.trace;
    if (trace !== undefined && this.chromeTrace()) {
      this.chrome = new ChromeTraceWriter(trace, s.config.tiles, s.sim.clock.tileClockHz, { seed: s.config.seed, mode: s.config.mode, data: s.data.name });
      this.observer.subscribe(this.chrome);
    }
    if (this.flags.report) {
      this.collector = new ReportCollector(s);
      this.observer.subscribe(this.collector);
    }
    return this.observer;
  }

  get eventsSeen(): number {
    return this.observer?.eventsSeen ?? 0;
  }

  /** After the run: writes every file asked for; adds the user's recall to the summary. */
  finish(s: Simulation, summary: RunSummary | null, extras: FinishExtras = {}): void {
    const results = annResults(s.encoded.queryCount, s.config.k, (q) => s.hub.outcomes.get(q)?.best);
    if (this.groundTruth && summary) {
      summary.groundTruthFile = { path: this.groundTruth.path, recallAtK: recallAgainst(this.groundTruth, results), rows: this.groundTruth.rows, idsPerRow: this.groundTruth.cols };
    }
    if (this.flags.out) writeFileAtomic({ flag: '--out', path: this.flags.out }, annIdsFile(results));
    if (this.flags.outDistances) writeFileAtomic({ flag: '--out-distances', path: this.flags.outDistances }, annDistancesFile(results));
    this.chrome?.finish(s.hub.outcomes.entries(), extras.injections);
    if (this.collector && this.flags.report && summary) {
      writeFileAtomic({ flag: '--report', path: this.flags.report }, renderReport(this.collector.figures(summary, extras.injections ?? []), extras));
    }
  }

  /** Runs `fn`; if it throws, no half-written trace is left behind. */
  guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      this.chrome?.abandon();
      throw err;
    }
  }

  /** A mode that writes none of these files (`--compare`) refuses them with one line. */
  refuseWith(mode: string): void {
    const given = [this.flags.out && '--out', this.flags.outDistances && '--out-distances', this.flags.groundtruth && '--groundtruth', this.flags.report && '--report', this.flags.trace && this.flags.traceFormat === 'chrome' && '--trace-format chrome'].filter(Boolean);
    if (given.length > 0) throw new CliError(`${given.join(', ')} cannot be used with ${mode} (it runs several modes); run each mode on its own`);
  }

  /** Recall against the user's file, when one was given and the run finished. */
  userRecall(s: Simulation): number | null {
    if (!this.groundTruth) return null;
    return recallAgainst(this.groundTruth, annResults(s.encoded.queryCount, s.config.k, (q) => s.hub.outcomes.get(q)?.best));
  }

  get retired(): ReadonlySet<number> | undefined {
    return this.observer?.retired;
  }
}
