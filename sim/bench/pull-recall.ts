// Pull mode: recall@10 against messages and bytes per query over the search-width
// settings (ef = the tile's beam, walks per query, split = shards | entries), each a real
// simulation (tiles running the kernel), next to push mode's bytes on the same data and
// hnswlib-node (the C++ reference HNSW, a dev dependency) at comparable ef on the same
// vectors, so the cost of the tile's 16-entry result buffer is visible.
// Wall time is read only here, at the benchmark edge.
//
// Run: npx tsx sim/bench/pull-recall.ts [--vectors 20000] [--dim 384] [--queries 100]
//      [--data base.fvecs --query-file q.fvecs]
import { createRequire } from 'node:module';
import { DEFAULT_RUN, checkRunConfig, type RunConfig } from '../run/run-config.ts';
import { buildSimulation, runSimulation, type Simulation } from '../run/simulation.ts';
import { groundTruthOverTileValues, summarize } from '../run/report.ts';
import { startStopwatch } from '../wallclock.ts';

interface Setting {
  ef: number;
  walks: number;
  split: 'shards' | 'entries';
}

export const PULL_GRID: Setting[] = [
  { ef: 10, walks: 1, split: 'shards' },
  { ef: 12, walks: 1, split: 'shards' },
  { ef: 16, walks: 1, split: 'shards' },
  { ef: 16, walks: 2, split: 'entries' },
  { ef: 16, walks: 4, split: 'entries' },
  { ef: 10, walks: 2, split: 'shards' },
  { ef: 16, walks: 2, split: 'shards' },
  { ef: 10, walks: 4, split: 'shards' },
  { ef: 16, walks: 4, split: 'shards' },
  { ef: 16, walks: 8, split: 'shards' },
];

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function hnswlibCurve(s: Simulation, efs: number[], k: number): { ef: number; recall: number }[] | string {
  let lib: { HierarchicalNSW: new (space: string, dim: number) => {
    initIndex(max: number, M: number, efc: number, seed: number): void;
    addPoint(v: number[] | Float32Array, label: number): void;
    setEf(ef: number): void;
    searchKnn(q: number[] | Float32Array, k: number): { neighbors: number[] };
  } };
  try {
    lib = createRequire(import.meta.url)('hnswlib-node');
  } catch (err) {
    return `hnswlib-node did not load (${(err as Error).message.split('\n')[0]}); npm install --save-dev hnswlib-node`;
  }
  const { encoded, config } = s;
  const dim = encoded.dim;
  const index = new lib.HierarchicalNSW(config.metric === 'l2' ? 'l2' : config.metric === 'ip' ? 'ip' : 'cosine', dim);
  index.initIndex(encoded.n, config.pull.M, config.pull.efConstruction, 100);
  for (let i = 0; i < encoded.n; i++) index.addPoint(Array.from(encoded.decodedBase.subarray(i * dim, (i + 1) * dim)), i);
  const truth = groundTruthOverTileValues(encoded, k, config.metric); // as the summary's recall@k
  return efs.map((ef) => {
    index.setEf(ef);
    let hits = 0;
    for (let q = 0; q < encoded.queryCount; q++) {
      const got = index.searchKnn(Array.from(encoded.decodedQuery(q)), k).neighbors;
      const t = new Set(Array.from(truth.ids.subarray(q * k, (q + 1) * k)));
      hits += got.filter((id) => t.has(id)).length;
    }
    return { ef, recall: hits / (encoded.queryCount * k) };
  });
}

export function runPullRecallBench(base: Partial<RunConfig>, grid = PULL_GRID, log: (line: string) => void = console.log): void {
  const rows: string[] = [];
  let last: Simulation | null = null;
  let pushBytes = 0;
  log('setting                     recall@10  msgs/query  bytes/query  hops/query  vectors/query  hub routing dist/query  wall s');
  for (const g of grid) {
    const config = checkRunConfig({ ...DEFAULT_RUN, ...base, mode: 'pull', pull: { ...DEFAULT_RUN.pull, ...base.pull, ef: g.ef, walks: g.walks, split: g.split } });
    const watch = startStopwatch();
    const s = buildSimulation(config);
    const { events } = runSimulation(s);
    const r = summarize(s, events, watch.elapsedMs() / 1000);
    s.trace.close();
    pushBytes = r.pull!.pushBytesPerQuery;
    const line = `ef ${String(g.ef).padStart(2)} walks ${g.walks} ${g.split.padEnd(8)}   ${r.recallAtK.toFixed(4)}  ${r.messagesPerQuery.toFixed(1).padStart(10)}  ${Math.round(r.bytesPerQuery).toLocaleString('en-US').padStart(11)}  ${r.pull!.hopsPerQuery.toFixed(1).padStart(10)}  ${r.pull!.vectorsPerQuery.toFixed(1).padStart(13)}  ${r.pull!.hubRoutingDistancesPerQuery.toFixed(1).padStart(22)}  ${r.wallSeconds.toFixed(1).padStart(6)}`;
    rows.push(line);
    log(line);
    last = s;
  }
  log(`push mode on the same data: ${Math.round(pushBytes).toLocaleString('en-US')} bytes/query (every vector to a tile), recall 1.0`);
  if (last) {
    const curve = hnswlibCurve(last, [10, 16, 24, 32, 64], last.config.k);
    if (typeof curve === 'string') log(curve);
    else log(`hnswlib-node (M ${last.config.pull.M}, efConstruction ${last.config.pull.efConstruction}, same fp16-decoded vectors, one index): ${curve.map((c) => `ef ${c.ef}: ${c.recall.toFixed(4)}`).join(', ')}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const data = arg('data');
  const queryFile = arg('query-file');
  runPullRecallBench({
    vectors: Number(arg('vectors', '20000')),
    dim: Number(arg('dim', '384')),
    queries: Number(arg('queries', '100')),
    ...(data ? { dataPath: data } : {}),
    ...(queryFile ? { queryPath: queryFile } : {}),
  });
}
