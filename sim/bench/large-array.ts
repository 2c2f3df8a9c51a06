// The large-array benchmark (issue 14): a 16,384-tile run on a 128x128 mesh, through the
// real command (sim/cli/cogsim.js, which re-runs node with --disable-wasm-trap-handler above
// 8,192 tiles), next to the same run on 1,024 tiles. Each is its own process, so each
// summary's peak resident set (`memory.peakRssBytes`, VmHWM: sim/cli/peak-memory.ts) is that run's alone, and
// the difference over the 15,360 extra tiles is the memory one more tile costs, measured.
// Part of `npm run bench` (10 queries: 21.8 s of CPU for both runs, measured; --quick: 2);
// alone:
//
//   npx tsx sim/bench/large-array.ts [--tiles 16384] [--small 1024] [--vectors 20000] [--queries 10]
import { spawnSync } from 'node:child_process';
import type { RunSummary } from '../run/report.ts';

const ROOT = new URL('../..', import.meta.url).pathname;

export interface LargeArrayOptions {
  tiles: number;
  /** The smaller array the per-tile memory is measured against. */
  small: number;
  vectors: number;
  queries: number;
}

export const LARGE_ARRAY_DEFAULTS: LargeArrayOptions = { tiles: 16_384, small: 1_024, vectors: 20_000, queries: 10 };

export interface ArrayRun {
  tiles: number;
  mesh: string;
  summary: RunSummary;
}

export interface LargeArrayBench {
  options: LargeArrayOptions;
  runs: [ArrayRun, ArrayRun];
  /** Peak RSS difference between the two runs over their tile difference: one more tile. */
  marginalBytesPerTile: number;
}

function meshFor(tiles: number): string {
  const side = Math.ceil(Math.sqrt(tiles));
  return `${side}x${Math.ceil(tiles / side)}`;
}

function runArray(tiles: number, o: LargeArrayOptions): ArrayRun {
  const mesh = meshFor(tiles);
  const args = ['sim/cli/cogsim.js', 'run', '--tiles', String(tiles), '--mesh', mesh, '--vectors', String(o.vectors), '--queries', String(o.queries), '--json'];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`cogsim ${args.slice(1).join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  return { tiles, mesh, summary: JSON.parse(r.stdout) as RunSummary };
}

export function runLargeArrayBench(o: LargeArrayOptions = LARGE_ARRAY_DEFAULTS): LargeArrayBench {
  const small = runArray(o.small, o);
  const large = runArray(o.tiles, o);
  const rss = (a: ArrayRun): number => a.summary.memory?.peakRssBytes ?? Number.NaN;
  return { options: o, runs: [small, large], marginalBytesPerTile: (rss(large) - rss(small)) / (o.tiles - o.small) };
}

export function formatLargeArrayBench(b: LargeArrayBench): string {
  const n = (x: number, d = 0): string => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const head = ' tiles  mesh     recall@10 (tile values / float)  exact    messages  peak RSS MiB  KiB/tile  wall s  trace sha256';
  const rows = b.runs.map(({ tiles, mesh, summary: s }) => {
    const msgs = s.messagesToTiles + s.messagesToHub;
    const rss = s.memory ? n(s.memory.peakRssBytes / 2 ** 20, 1) : '?';
    const perTile = s.memory ? n(s.memory.bytesPerTile / 1024, 1) : '?';
    return `${n(tiles).padStart(6)}  ${mesh.padEnd(7)}  ${`${s.recallAtK.toFixed(4)} / ${s.recallAtKFloat.toFixed(4)}`.padEnd(31)}  ${`${s.exactMatches}/${s.queries}`.padStart(5)}  ${n(msgs).padStart(10)}  ${rss.padStart(12)}  ${perTile.padStart(8)}  ${n(s.wallSeconds, 1).padStart(6)}  ${s.traceHash.slice(0, 16)}`;
  });
  return [
    `built-in clustered data, ${n(b.options.vectors)} x 384 fp16, ${b.options.queries} queries, k 10, seed 1, push (query-stationary), simd kernel`,
    head,
    ...rows,
    `one more tile: ${n(b.marginalBytesPerTile / 1024, 1)} KiB of peak resident set (${n(b.options.tiles)} - ${n(b.options.small)} tiles); KiB/tile above is the whole process over its tiles, data and hub included`,
  ].join('\n');
}

if (process.argv[1]?.endsWith('large-array.ts')) {
  const arg = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const d = LARGE_ARRAY_DEFAULTS;
  console.log(formatLargeArrayBench(runLargeArrayBench({ tiles: arg('tiles', d.tiles), small: arg('small', d.small), vectors: arg('vectors', d.vectors), queries: arg('queries', d.queries) })));
}
