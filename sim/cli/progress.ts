// The live line on long runs, on stderr and only when stderr is a terminal (never in
// pipes, CI, tests or with --json): simulated time, messages, queries done, faults the hub
// detected and tiles alive, redrawn at most a few times a second. Wall time is read here,
// at the CLI edge, only to pace the redraws; the simulation never sees it.
import type { Simulation } from '../run/simulation.ts';

/** Redraws at most this often (ms of wall time). */
export const PROGRESS_MIN_INTERVAL_MS = 250;

export interface ProgressFigures {
  simulatedMs: number;
  messages: number;
  queriesDone: number;
  queries: number;
  faults: number;
  tilesAlive: number;
  tiles: number;
}

/** The figures the line shows, read from the running simulation. */
export function progressFigures(s: Simulation, retired: ReadonlySet<number> = new Set()): ProgressFigures {
  let faults = 0;
  for (const n of s.hub.stats.faultsByKind.values()) faults += n;
  let alive = 0;
  for (const node of s.nodes) if (!node.dead && !retired.has(node.tileId)) alive++;
  return {
    simulatedMs: s.sim.clock.cyclesToSeconds(s.sim.nowCycles) * 1e3,
    messages: s.hub.stats.messagesSent + s.transport.messagesToHub,
    queriesDone: s.hub.outcomes.size,
    queries: s.encoded.queryCount,
    faults,
    tilesAlive: alive,
    tiles: s.nodes.length,
  };
}

const n = (x: number) => x.toLocaleString('en-US');

export function formatProgress(label: string, f: ProgressFigures): string {
  return `${label}sim ${f.simulatedMs.toFixed(3)} ms | ${n(f.messages)} messages | queries ${n(f.queriesDone)}/${n(f.queries)} | faults ${n(f.faults)} | tiles alive ${n(f.tilesAlive)}/${n(f.tiles)}`;
}

export interface ProgressOptions {
  label?: string;
  /** --json: the summary is for machines, keep stderr quiet too. */
  quiet?: boolean;
  stream?: NodeJS.WriteStream;
  retired?: ReadonlySet<number>;
  nowMs?: () => number;
}

/** A progress callback for runSimulation, or undefined when the line must stay silent. */
export function progressLine(s: Simulation, opts: ProgressOptions = {}): ((done: number, total: number) => void) | undefined {
  const stream = opts.stream ?? process.stderr;
  if (opts.quiet || !stream.isTTY) return undefined;
  const now = opts.nowMs ?? (() => Date.now());
  const label = opts.label ? `${opts.label}: ` : '';
  let last = -Infinity;
  let ended = false;
  return (done, total) => {
    const finished = done === total;
    if (ended) return;
    ended = finished;
    const t = now();
    if (!finished && t - last < PROGRESS_MIN_INTERVAL_MS) return;
    last = t;
    // \x1b[K clears what a longer earlier line left behind.
    stream.write(`\r${formatProgress(label, progressFigures(s, opts.retired))}\x1b[K${finished ? '\n' : ''}`);
  };
}

/** A bar over whole runs (`cogsim campaign`), under the same terminal-only rule as the line. */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): ((done: number, total: number) => void) | undefined {
  if (!stream.isTTY) return undefined;
  let last = -1;
  return (done, total) => {
    const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
    if (pct === last) return;
    last = pct;
    const width = 30;
    const filled = Math.round((pct / 100) * width);
    stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`);
  };
}
