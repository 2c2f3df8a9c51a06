// A fault-injection experiment: the same run twice, once clean and once with the injector
// on, both with the fault-tolerant settings (strict windows + watchdog kernel, sealed
// messages, block CRC checks), then a query-by-query comparison of the answers.
import { FaultInjector } from '../faults/fault-injector.ts';
import type { FaultKind, FaultRate } from '../faults/fault-kinds.ts';
import { FaultLedger } from '../faults/fault-ledger.ts';
import type { FaultPlan } from '../faults/fault-plan.ts';
import { FaultScript, type FaultRecord } from '../faults/fault-record.ts';
import { breakRecoveryRule, type BrokenRule } from '../campaign/broken-rule.ts';
import { answers, summarize, type RunSummary } from './report.ts';
import type { HubOptions } from '../../hub/hub.ts';
import type { RedundancyStats } from '../../hub/core/redundancy.ts';
import type { RunConfig } from './run-config.ts';
import { buildSimulation, HUB_DEFAULTS, runSimulation, SimulationStalledError, type InstrumentParts, type Instruments, type Simulation } from './simulation.ts';

/** Watches the run with faults from outside (the output files, sim/output): it wraps the
 *  fault injector and ledger at build time and binds to the built simulation. */
export interface FaultRunObserver {
  instrument(parts: InstrumentParts, inner: Instruments): Instruments;
  attach(s: Simulation): void;
}

export interface FaultRunConfig {
  run: RunConfig;
  rate: FaultRate;
  kinds: readonly FaultKind[];
  /** Hub policy overrides (e.g. a stricter retirement rule). */
  hub?: Partial<HubOptions>;
  /** Outputs hook into the run with faults here. */
  observer?: FaultRunObserver;
  /** Called on each of the two runs before it starts (checks that need the data); may return a progress callback (the CLI's live line). */
  beforeRun?: (s: Simulation, phase: 'clean' | 'faults') => ((done: number, total: number) => void) | undefined;
  /** Time-phased faults beside the random rate. */
  plan?: FaultPlan;
  /** Exactly these faults and no drawn ones (rate and plan are ignored): a replay. */
  script?: readonly FaultRecord[];
  /** TEST ONLY: a recovery rule broken on purpose (sim/campaign/broken-rule.ts). */
  brokenRule?: BrokenRule;
  /** Simulated cycles after which the run with faults counts as stalled (default FAULT_RUN_MAX_CYCLES). */
  maxCycles?: number;
  /** Events after which the run with faults counts as stalled (default FAULT_RUN_MAX_EVENTS). */
  maxEvents?: number;
}

/** 10 s of simulated time at 1 GHz. Fault runs that finish were seen with query latencies
 *  up to about 5.9 s (pull, rate 0.25, kinds freeze, 8 tiles, 400 vectors; clean: 0.4 ms;
 *  0.45 s p50 at 32 queries since the attempt limit per unit hands failing walks to the hub),
 *  so a freeze run near the cap may be cut short rather than livelocked (not yet told apart).
 *  Past the cap the hub is taken to be retrying forever and the run is reported stalled. */
export const FAULT_RUN_MAX_CYCLES = 10_000_000_000;
/** A hub can also retry forever in small steps (pull, seed 1, rate 0.25, kinds corrupt, before
 *  the attempt limit per unit: 1e8 cycles per 20,000 events, ~1.5 s of wall time each), so
 *  events are capped too: 25 chunks. */
export const FAULT_RUN_MAX_EVENTS = 500_000;

export interface FaultRunResult {
  clean: RunSummary;
  faulty: RunSummary | null;
  ledger: FaultLedger;
  /** Every fault injected, in order: replaying them as a script reproduces the run. */
  injected: FaultRecord[];
  queries: number;
  lost: number;
  differing: number[];
  stalled: string | null;
  /** The run with faults, for outputs (answers, report, trace). */
  faultySimulation: Simulation;
  /** The redundancy votes of the faulty run (null with redundancy 1). */
  redundancy: RedundancyStats | null;
}

interface Executed {
  summary: RunSummary | null;
  ids: number[][];
  stalled: string | null;
}

/** Clean runs by run config: a campaign sweeps rates and kinds over the same clean run. */
export type CleanCache = Map<string, Executed>;

export const FAULT_TOLERANT_KERNEL = 'simd-strict-fuel';

/** The settings every fault run uses (the effective config a capsule records). */
export function tolerant(run: RunConfig): RunConfig {
  return { ...run, kernel: run.kernel.includes('fuel') ? run.kernel : FAULT_TOLERANT_KERNEL, verifyCrc: true };
}

function execute(s: Simulation, wallStart: () => number, onProgress?: (done: number, total: number) => void, limits: { maxCycles?: number; maxEvents?: number } = {}): Executed {
  try {
    const { events } = runSimulation(s, onProgress, limits);
    return { summary: summarize(s, events, wallStart()), ids: answers(s).ids, stalled: null };
  } catch (err) {
    if (!(err instanceof SimulationStalledError)) throw err;
    return { summary: null, ids: answers(s).ids, stalled: err.message };
  } finally {
    s.trace.close();
  }
}

function cleanRun(run: RunConfig, hub: Partial<HubOptions>, wallSeconds: () => number, cache?: CleanCache, beforeRun?: FaultRunConfig['beforeRun']): Executed {
  const key = JSON.stringify({ run, hub });
  const cached = cache?.get(key);
  if (cached) return cached;
  const cleanSim = buildSimulation(run, { hub });
  const clean = execute(cleanSim, wallSeconds, beforeRun?.(cleanSim, 'clean'));
  if (!clean.summary) throw new Error(`the fault-free run did not finish: ${clean.stalled}`);
  cache?.set(key, clean);
  return clean;
}

export function runFaultExperiment(cfg: FaultRunConfig, wallSeconds: () => number, cache?: CleanCache): FaultRunResult {
  const run = tolerant(cfg.run);
  const hub = { ...cfg.hub, integrity: true };
  const clean = cleanRun(run, hub, wallSeconds, cache, cfg.beforeRun);
  let injector: FaultInjector | undefined;
  const s = buildSimulation(run, {
    hub,
    instrument: (parts) => {
      const { sim, prng, nodes, awaits } = parts;
      const ledger = new FaultLedger(() => sim.nowCycles);
      injector = new FaultInjector(
        prng.derive('faults'),
        prng.derive('fault-plan'),
        ledger,
        nodes,
        {
          rate: cfg.rate,
          kinds: cfg.kinds,
          tiles: run.tiles,
          stallCycles: Math.ceil(HUB_DEFAULTS.replyTimeoutCycles * 1.5),
          replyTimeoutCycles: HUB_DEFAULTS.replyTimeoutCycles,
          ...(cfg.plan ? { plan: cfg.plan } : {}),
          ...(cfg.script ? { script: new FaultScript(cfg.script) } : {}),
        },
        (tile, reply, at) => reply.length >= 8 && awaits(tile, new DataView(reply.buffer, reply.byteOffset).getUint32(4, true), at),
        () => sim.nowCycles,
      );
      const inner: Instruments = { listener: ledger, tap: injector };
      return cfg.observer ? cfg.observer.instrument(parts, inner) : inner;
    },
  });
  if (cfg.brokenRule) breakRecoveryRule(s.hub, cfg.brokenRule);
  cfg.observer?.attach(s);
  const ledger = injector!.ledger;
  const faulty = execute(s, wallSeconds, cfg.beforeRun?.(s, 'faults'), {
    maxCycles: cfg.maxCycles ?? FAULT_RUN_MAX_CYCLES,
    maxEvents: cfg.maxEvents ?? FAULT_RUN_MAX_EVENTS,
  });
  let lost = 0;
  const differing: number[] = [];
  for (let q = 0; q < clean.ids.length; q++) {
    const got = faulty.ids[q]!;
    if (!s.hub.outcomes.has(q)) lost++;
    else if (got.length !== clean.ids[q]!.length || got.some((id, i) => id !== clean.ids[q]![i])) differing.push(q);
  }
  return { clean: clean.summary!, faulty: faulty.summary, ledger, injected: injector!.injected, queries: clean.ids.length, lost, differing, stalled: faulty.stalled, faultySimulation: s, redundancy: s.hub.redundancy ? { ...s.hub.redundancy.stats } : null };
}
