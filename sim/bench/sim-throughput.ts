// Simulator throughput on real push-mode runs: simulated messages (hub -> tile plus
// tile -> hub) per second, and the same run's deliveries replayed straight into fresh
// tiles with nothing else (replay-ceiling.ts), in one process, side by side. The ratio
// simulator / replay is the share of the design's ceiling the simulator reaches (issue 14
// target: >= 0.5). Both sides count the run's messages, so the ratio is the replay's time
// over the simulator's. Times are given in wall seconds and in CPU seconds of this process:
// on a shared machine the CPU-time ratio is the steadier one. Setup (data, encoding, tile
// instances, ground truth) is timed apart. Wall and CPU time are read only at this edge.
// The timed run records nothing; the deliveries to replay come from a further, untimed run
// of the same configuration, which must match it (trace hash, events) before its replay.
// Both sides are timed the same way: three timed runs of the simulator (each a fresh
// simulation) alternate with three replays, and each side's median is its figure; the first
// run's figures are kept beside them (it also pays the JIT's compile jobs of a process's
// first long run of the case).
//
// Run: npx tsx sim/bench/sim-throughput.ts [--full] [--cases default,256,4096] [--runs N] [--profile DIR | --heap-profile DIR]
// (--profile: a .cpuprofile of each case's simulation run alone, run-profile.ts; --heap-profile: a
// sampling .heapprofile of it, run-heap-profile.ts and heap-profile-top.ts)
import { mkdirSync } from 'node:fs';
import { DEFAULT_RUN, checkRunConfig, type RunConfig } from '../run/run-config.ts';
import { summarize } from '../run/report.ts';
import { buildSimulation, runSimulation } from '../run/simulation.ts';
import { startCpuStopwatch, startStopwatch } from '../wallclock.ts';
import type { TileNode } from '../tile-node.ts';
import { recordDeliveries, replayDeliveries, type DeliveryLog } from './replay-ceiling.ts';
import { countGc, type GcCounts } from './gc-count.ts';
import { heapProfiled } from './run-heap-profile.ts';
import { describeEngine } from './node-flags.ts';
import { profiled } from './run-profile.ts';

export interface ThroughputCase {
  /** 'default' is `npm start`'s run (maybe with fewer queries); others name the tile count. */
  name: string;
  tiles: number;
  meshRows: number;
  meshCols: number;
  queries: number;
  /** Built-in vectors; default: blocksPerTile full blocks per tile. */
  vectors?: number;
  blocksPerTile?: number;
}

export interface SimThroughput extends ThroughputCase {
  vectors: number;
  blocks: number;
  messages: number;
  events: number;
  setupSeconds: number;
  /** The median of the timed runs (wall and CPU each), as the replay's is of its replays. */
  runSeconds: number;
  runCpuSeconds: number;
  /** The first timed run alone (a process's first long run pays the JIT's compile jobs). */
  firstRunSeconds: number;
  firstRunCpuSeconds: number;
  /** How many times the simulation was run and timed (each a fresh simulation), and replayed. */
  timedRuns: number;
  replaySeconds: number;
  replayCpuSeconds: number;
  messagesPerSecond: number;
  messagesPerCpuSecond: number;
  replayMessagesPerSecond: number;
  replayMessagesPerCpuSecond: number;
  /** simulator / replay messages per second, wall and CPU (the median of each side). */
  ceilingRatio: number;
  ceilingRatioCpu: number;
  /** The first timed run over the replays' median. */
  firstCeilingRatio: number;
  firstCeilingRatioCpu: number;
  recall: number;
  traceHash: string;
  /** Resident set after the run, MiB (tiles, data, delivery log). */
  rssMiB: number;
  /** Garbage collections during the run (not setup, not the replay). */
  gc: GcCounts;
}

const DIM = 384;
/** Timed runs and replays of each case: three of each, so a median leaves out one slow minute either way. */
export const DEFAULT_RUNS = 3;
const VECTORS_PER_BLOCK = 42; // 384-dim fp16 in a 32 KB block region

/** The default run's config with `queries` of its 100 queries: each query does the same work. */
export function defaultCase(queries = DEFAULT_RUN.queries): ThroughputCase {
  return { name: 'default', tiles: DEFAULT_RUN.tiles, meshRows: DEFAULT_RUN.meshRows, meshCols: DEFAULT_RUN.meshCols, queries, vectors: DEFAULT_RUN.vectors };
}

function square(tiles: number, queries: number, blocksPerTile = 2): ThroughputCase {
  const side = Math.round(Math.sqrt(tiles));
  return { name: String(tiles), tiles, meshRows: side, meshCols: side, queries, blocksPerTile };
}

/** Every case `npm run bench` may run; fewer queries on bigger arrays keep each run short. */
export const THROUGHPUT_CASES: Record<string, ThroughputCase> = {
  default: defaultCase(10),
  // The whole default run (issue 14's target is stated on it): a short run is mostly JIT
  // warm-up and one-time block encoding, which the whole run amortizes.
  'default-full': { ...defaultCase(), name: 'default-full' },
  '16': square(16, 96),
  '256': square(256, 8),
  '1024': square(1024, 4),
  '4096': square(4096, 2, 1),
};

/** A case's run configuration (same-process-ab.ts hands it to both trees it compares). */
export function caseConfig(c: ThroughputCase, seed: number): RunConfig {
  const vectors = c.vectors ?? c.tiles * (c.blocksPerTile ?? 2) * VECTORS_PER_BLOCK;
  return checkRunConfig({ ...DEFAULT_RUN, tiles: c.tiles, meshRows: c.meshRows, meshCols: c.meshCols, queries: c.queries, vectors, dim: DIM, seed });
}

/** Where to write profiles of the run alone: a CPU profile (`--profile`), a sampling heap profile (`--heap-profile`). */
export interface RunProfiles {
  cpuDir?: string;
  heapDir?: string;
}

function runMaybeProfiled(s: ReturnType<typeof buildSimulation>, name: string, profiles: RunProfiles): { events: number } {
  if (profiles.cpuDir !== undefined) return profiled(`${profiles.cpuDir}/run-${name}.cpuprofile`, () => runSimulation(s));
  if (profiles.heapDir !== undefined) return heapProfiled(`${profiles.heapDir}/run-${name}.heapprofile`, () => runSimulation(s));
  return runSimulation(s);
}

/** A further run of a case with every delivery recorded, and its tiles, for the replays. */
export interface RecordedRun {
  nodes: readonly TileNode[];
  log: DeliveryLog;
}

/**
 * Runs `config` again with every delivery recorded (untimed) and checks it is the timed run
 * (same trace hash and events: the trace pins every message and reply) before its
 * deliveries stand for the timed run's (replay-ceiling.ts replays them into fresh tiles).
 */
export function recordRun(config: RunConfig, traceHash: string, events: number): RecordedRun {
  const again = buildSimulation(config);
  const log = recordDeliveries(again.nodes);
  const recorded = runSimulation(again);
  const hash = again.trace.close();
  if (hash !== traceHash || recorded.events !== events) {
    throw new Error(`the recorded run is not the timed run: trace ${hash} with ${recorded.events} events, timed ${traceHash} with ${events} events (the simulation is not deterministic)`);
  }
  return { nodes: again.nodes, log };
}

/** The median of `xs` (the mean of the middle two when there is an even number). */
export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The timed run: the simulator as `cogsim run` runs it, nothing recorded. Recording wraps
 * every tile's handler (a closure call, a push and three stores per delivery, and a log of
 * ~775,000 references for the GC to carry): the bench's cost, not the simulator's (~2% self
 * time of the whole default run, with the wrapper on the deliver path's call). Its
 * simulation is dropped on return: the recorded run's tiles, kept for the replays, are the
 * only other array of tiles alive beside a timed run.
 */
function timedRun(c: ThroughputCase, config: RunConfig, profiles: RunProfiles) {
  const setup = startStopwatch();
  const s = buildSimulation(config);
  const setupSeconds = setup.elapsedMs() / 1000;
  const wall = startStopwatch();
  const cpu = startCpuStopwatch();
  const { result: { events }, gc } = countGc(() => runMaybeProfiled(s, c.name, profiles));
  const runSeconds = wall.elapsedMs() / 1000;
  const runCpuSeconds = cpu.elapsedCpuSeconds();
  const summary = summarize(s, events, runSeconds);
  s.trace.close();
  return { setupSeconds, runSeconds, runCpuSeconds, events, gc, summary, blocks: s.encoded.blockCount };
}

/**
 * Times `runs` fresh simulations of `config` and `runs` replays of its recorded deliveries,
 * alternating (timed run, replay, timed run, replay, ...), so both sides meet the same
 * minutes of a shared machine whose speed moves by a quarter from one minute to the next;
 * the figures are each side's median (wall and CPU each). Every timed run must give the
 * first one's trace hash and events. The first timed run is kept apart too: a process's
 * first long run of a case also pays the JIT's compile jobs. The profilers, if asked,
 * watch the last timed run.
 */
function alternatingRuns(c: ThroughputCase, config: RunConfig, profiles: RunProfiles, runs: number) {
  const unprofiled: RunProfiles = {};
  const first = timedRun(c, config, runs === 1 ? profiles : unprofiled);
  globalThis.gc?.();
  const recorded = recordRun(config, first.summary.traceHash, first.events);
  const sims = [first];
  const replays = [replayDeliveries(recorded.nodes, recorded.log)];
  for (let i = 1; i < runs; i++) {
    globalThis.gc?.();
    const again = timedRun(c, config, i === runs - 1 ? profiles : unprofiled);
    if (again.summary.traceHash !== first.summary.traceHash || again.events !== first.events) {
      throw new Error(`timed run ${i + 1} is not timed run 1: trace ${again.summary.traceHash} with ${again.events} events, run 1 ${first.summary.traceHash} with ${first.events} events (the simulation is not deterministic)`);
    }
    sims.push(again);
    replays.push(replayDeliveries(recorded.nodes, recorded.log));
  }
  return {
    ...first,
    gc: sims[sims.length - 1]!.gc,
    runSeconds: median(sims.map((r) => r.runSeconds)),
    runCpuSeconds: median(sims.map((r) => r.runCpuSeconds)),
    firstRunSeconds: first.runSeconds,
    firstRunCpuSeconds: first.runCpuSeconds,
    replay: { messages: replays[0]!.messages, wallSeconds: median(replays.map((r) => r.wallSeconds)), cpuSeconds: median(replays.map((r) => r.cpuSeconds)) },
  };
}

/** What is wrong with `runs` (given as `given`) as a count of timed runs, or null. */
function runsProblem(runs: number, given: string): string | null {
  return Number.isInteger(runs) && runs >= 1 ? null : `--runs: a whole number of timed runs, at least 1; got ${given}`;
}

export function measureSimThroughput(c: ThroughputCase, seed = 1, profiles: RunProfiles = {}, runs = DEFAULT_RUNS): SimThroughput {
  const problem = runsProblem(runs, String(runs));
  if (problem !== null) throw new Error(problem);
  const config = caseConfig(c, seed);
  const { setupSeconds, runSeconds, runCpuSeconds, firstRunSeconds, firstRunCpuSeconds, events, gc, summary, blocks, replay } = alternatingRuns(c, config, profiles, runs);
  const rssMiB = process.memoryUsage().rss / 2 ** 20;
  const messages = summary.messagesToTiles + summary.messagesToHub;
  return {
    ...c,
    vectors: config.vectors,
    blocks,
    messages,
    events,
    setupSeconds,
    runSeconds,
    runCpuSeconds,
    firstRunSeconds,
    firstRunCpuSeconds,
    timedRuns: runs,
    replaySeconds: replay.wallSeconds,
    replayCpuSeconds: replay.cpuSeconds,
    messagesPerSecond: messages / runSeconds,
    messagesPerCpuSecond: messages / runCpuSeconds,
    replayMessagesPerSecond: messages / replay.wallSeconds,
    replayMessagesPerCpuSecond: messages / replay.cpuSeconds,
    ceilingRatio: replay.wallSeconds / runSeconds,
    ceilingRatioCpu: replay.cpuSeconds / runCpuSeconds,
    firstCeilingRatio: replay.wallSeconds / firstRunSeconds,
    firstCeilingRatioCpu: replay.cpuSeconds / firstRunCpuSeconds,
    recall: summary.recallAtK,
    traceHash: summary.traceHash,
    rssMiB,
    gc,
  };
}

export function runSimThroughputBench(cases: ThroughputCase[], profiles: RunProfiles = {}, runs = DEFAULT_RUNS): SimThroughput[] {
  return cases.map((c) => {
    const r = measureSimThroughput(c, 1, profiles, runs);
    globalThis.gc?.(); // the delivery log of one case should not weigh on the next
    return r;
  });
}

const n = (x: number): string => Math.round(x).toLocaleString('en-US');

export function formatSimThroughputBench(rs: SimThroughput[]): string {
  return [
    `simulator throughput: push mode, query schedule, ${DIM}-dim fp16, the default (checked) kernel image; messages = hub->tile + tile->hub`,
    `  ${describeEngine()}; gc during the last timed run: scavenges (their pause ms) / mark-compacts, all pauses ms`,
    `  sim s, msgs/s, replay, ratio: the median of ${rs[0]?.timedRuns ?? DEFAULT_RUNS} timed runs and of as many replays, alternating (wall and CPU each); "first run": the first timed run alone`,
    `  case          tiles  mesh     queries   messages   sim s  sim cpu s   msgs/s  msgs/cpu-s  replay msgs/s  replay msgs/cpu-s  ratio  ratio(cpu)  first run: msgs/s  ratio  ratio(cpu)  recall  gc`,
    ...rs.map(
      (r) =>
        `  ${r.name.padEnd(12)} ${String(r.tiles).padStart(6)}  ${`${r.meshRows}x${r.meshCols}`.padEnd(7)} ${String(r.queries).padStart(8)} ${n(r.messages).padStart(10)} ${r.runSeconds.toFixed(2).padStart(7)} ${r.runCpuSeconds.toFixed(2).padStart(10)} ${n(r.messagesPerSecond).padStart(8)} ${n(r.messagesPerCpuSecond).padStart(11)} ${n(r.replayMessagesPerSecond).padStart(14)} ${n(r.replayMessagesPerCpuSecond).padStart(18)} ${r.ceilingRatio.toFixed(2).padStart(6)} ${r.ceilingRatioCpu.toFixed(2).padStart(11)} ${n(r.messages / r.firstRunSeconds).padStart(18)} ${r.firstCeilingRatio.toFixed(2).padStart(6)} ${r.firstCeilingRatioCpu.toFixed(2).padStart(11)}  ${r.recall.toFixed(3)}  ${r.gc.scavenges} (${r.gc.scavengeMs.toFixed(0)} ms) / ${r.gc.markCompacts}, ${r.gc.pauseMs.toFixed(0)} ms`,
    ),
  ].join('\n');
}

/** The bench's command line (`--cases`, `--full`, `--profile DIR`, `--heap-profile DIR`); also the entry of line-profile.ts's bundle. */
export function throughputMain(argv: readonly string[]): void {
  const at = argv.indexOf('--cases');
  const names = at > 0 ? argv[at + 1]!.split(',') : ['default', '256', '4096'];
  const cases = names.map((name) => (name === 'default' && argv.includes('--full') ? defaultCase() : THROUGHPUT_CASES[name]));
  if (cases.some((c) => c === undefined)) {
    console.error(`--cases: each of ${Object.keys(THROUGHPUT_CASES).join(', ')}; got ${names.join(',')}`);
    process.exit(2);
  }
  const dirAfter = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    const dir = at > 0 ? argv[at + 1] : undefined;
    if (dir !== undefined) mkdirSync(dir, { recursive: true });
    return dir;
  };
  if (argv.includes('--profile') && argv.includes('--heap-profile')) {
    console.error('--profile and --heap-profile: one at a time (each profiler would be measured by the other)');
    process.exit(2);
  }
  const profiles: RunProfiles = { cpuDir: dirAfter('--profile'), heapDir: dirAfter('--heap-profile') };
  const runsAt = argv.indexOf('--runs');
  const runs = runsAt > 0 ? Number(argv[runsAt + 1]) : DEFAULT_RUNS;
  const problem = runsProblem(runs, argv[runsAt + 1] ?? 'nothing');
  if (problem !== null) {
    console.error(problem);
    process.exit(2);
  }
  console.log(formatSimThroughputBench(runSimThroughputBench(cases as ThroughputCase[], profiles, runs)));
}

if (process.argv[1]?.endsWith('sim-throughput.ts')) throughputMain(process.argv);
