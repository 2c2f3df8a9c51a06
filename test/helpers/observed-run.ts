// A small push run (and a small fault experiment) with the output flags, in process, for
// the trace and report tests. Each call writes into `dir`.
import { join } from 'node:path';
import { RunOutputs, type OutputFlags } from '../../sim/output/output-options.ts';
import { summarize, type RunSummary } from '../../sim/run/report.ts';
import { buildSimulation, runSimulation, type Simulation } from '../../sim/run/simulation.ts';
import { DEFAULT_RUN, type RunConfig } from '../../sim/run/run-config.ts';
import { runFaultExperiment, type FaultRunResult } from '../../sim/run/fault-run.ts';
import { faultReport } from '../../sim/run/fault-report.ts';
import { parseKinds, parseRate } from '../../sim/faults/fault-kinds.ts';

export const SMALL: RunConfig = { ...DEFAULT_RUN, tiles: 16, meshRows: 4, meshCols: 4, vectors: 2000, dim: 32, queries: 20 };

/** As the CLI does: --trace sets the config's trace path; RunOutputs drops it for chrome. */
function withTrace(config: RunConfig, flags: Partial<OutputFlags>): RunConfig {
  return flags.trace ? { ...config, tracePath: flags.trace } : config;
}

export function observedRun(dir: string, flags: Partial<OutputFlags>, config: RunConfig = SMALL): { s: Simulation; summary: RunSummary } {
  const outputs = new RunOutputs({ traceFormat: 'jsonl', ...flags }, withTrace(config, flags));
  const s = buildSimulation(outputs.config, { cacheDir: join(dir, 'cache'), instrument: (parts) => outputs.instrument(parts) });
  outputs.attach(s);
  const { events } = runSimulation(s);
  const summary = summarize(s, events, 0);
  s.trace.close();
  outputs.finish(s, summary);
  return { s, summary };
}

export function observedFaultRun(dir: string, flags: Partial<OutputFlags>, rate = '0.05'): { result: FaultRunResult; summary: RunSummary } {
  const outputs = new RunOutputs({ traceFormat: 'jsonl', ...flags }, withTrace(SMALL, flags));
  const kinds = parseKinds('trap,hang,corrupt,drop,slow,death,bitflip');
  const result = runFaultExperiment({ run: outputs.config, rate: parseRate(rate), kinds, observer: { instrument: (parts, inner) => outputs.instrument(parts, inner), attach: (s) => outputs.attach(s) } }, () => 0);
  const summary = result.faulty!;
  outputs.finish(result.faultySimulation, summary, { injections: result.ledger.injections, faultReport: faultReport(result, SMALL.seed, rate, kinds) });
  return { result, summary };
}
