// Simulator throughput on real push-mode runs: simulated messages (hub -> tile plus
// tile -> hub) and events handled per wall-clock second, at several array sizes. Every
// tile owns the same number of blocks and runs the real kernel, so the figure includes
// the WASM work, the hub's machines and the event queue. Setup (data, encoding, tile
// instances) and the report's ground truth are timed apart from the run itself.
// Wall time is read only here, at the benchmark edge.
//
// Run: npx tsx sim/bench/sim-throughput.ts
import { DEFAULT_RUN, checkRunConfig } from '../run/run-config.ts';
import { summarize } from '../run/report.ts';
import { buildSimulation, runSimulation } from '../run/simulation.ts';
import { startStopwatch } from '../wallclock.ts';

export interface ThroughputCase {
  tiles: number;
  meshRows: number;
  meshCols: number;
  queries: number;
}

export interface SimThroughput extends ThroughputCase {
  vectors: number;
  blocks: number;
  messages: number;
  events: number;
  setupSeconds: number;
  runSeconds: number;
  messagesPerSecond: number;
  eventsPerSecond: number;
  exactMatches: number;
  traceHash: string;
}

/** 16, 256 and 1,024 tiles; fewer queries on bigger arrays keep each run a few seconds. */
export const THROUGHPUT_CASES: ThroughputCase[] = [
  { tiles: 16, meshRows: 4, meshCols: 4, queries: 96 },
  { tiles: 256, meshRows: 16, meshCols: 16, queries: 8 },
  { tiles: 1024, meshRows: 32, meshCols: 32, queries: 4 },
];

const DIM = 384;
const VECTORS_PER_BLOCK = 42; // 384-dim fp16 in a 32 KB block region
const BLOCKS_PER_TILE = 2;

export function measureSimThroughput(c: ThroughputCase, seed = 1): SimThroughput {
  const vectors = c.tiles * BLOCKS_PER_TILE * VECTORS_PER_BLOCK;
  const config = checkRunConfig({ ...DEFAULT_RUN, ...c, vectors, dim: DIM, seed });
  const setup = startStopwatch();
  const s = buildSimulation(config);
  const setupSeconds = setup.elapsedMs() / 1000;
  const run = startStopwatch();
  const { events } = runSimulation(s);
  const runSeconds = run.elapsedMs() / 1000;
  const summary = summarize(s, events, runSeconds);
  s.trace.close();
  const messages = summary.messagesToTiles + summary.messagesToHub;
  return {
    ...c,
    vectors,
    blocks: s.encoded.blockCount,
    messages,
    events,
    setupSeconds,
    runSeconds,
    messagesPerSecond: messages / runSeconds,
    eventsPerSecond: events / runSeconds,
    exactMatches: summary.exactMatches,
    traceHash: summary.traceHash,
  };
}

export function runSimThroughputBench(cases: ThroughputCase[] = THROUGHPUT_CASES): SimThroughput[] {
  return cases.map((c) => measureSimThroughput(c));
}

const n = (x: number): string => Math.round(x).toLocaleString('en-US');

export function formatSimThroughputBench(rs: SimThroughput[]): string {
  const base = rs[0]!;
  return [
    `simulator throughput: push mode, query-stationary, ${DIM}-dim fp16, ${BLOCKS_PER_TILE} blocks per tile, real kernel (simd)`,
    `  tiles  mesh    queries  messages    events      run s   msgs/s     vs ${base.tiles}   events/s   setup s  exact`,
    ...rs.map(
      (r) =>
        `  ${String(r.tiles).padStart(5)}  ${`${r.meshRows}x${r.meshCols}`.padEnd(6)}  ${String(r.queries).padStart(7)}  ${n(r.messages).padStart(10)}  ${n(r.events).padStart(10)}  ${r.runSeconds.toFixed(2).padStart(6)}  ${n(r.messagesPerSecond).padStart(8)}  ${(r.messagesPerSecond / base.messagesPerSecond).toFixed(2).padStart(6)}x  ${n(r.eventsPerSecond).padStart(8)}  ${r.setupSeconds.toFixed(2).padStart(7)}  ${r.exactMatches}/${r.queries}`,
    ),
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  console.log(formatSimThroughputBench(runSimThroughputBench()));
}
