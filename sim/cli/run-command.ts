// `cogsim run`: one simulation, its summary on stdout (text or --json).
import type { Command } from 'commander';
import { buildSimulation, runSimulation } from '../run/simulation.ts';
import { checkRunConfig, DEFAULT_RUN, parseMesh, type RunConfig } from '../run/run-config.ts';
import { formatSummary, summarize, type RunSummary } from '../run/report.ts';
import type { TileNode } from '../tile-node.ts';
import { formatComparison, runComparison } from '../run/compare.ts';
import { startStopwatch } from '../wallclock.ts';
import { oneOf, wholeNumber } from './options.ts';
import { progressBar } from './progress.ts';
import { buildKernel } from '../../tile/build/build-kernel.ts';
import { KERNEL_VARIANTS } from '../../tile/build/variants.ts';
import { checkKernelFile, collectPaths, kernelFileConfig, type KernelFileFlags } from './kernel-file.ts';

export interface RunFlags extends KernelFileFlags {
  tiles: number;
  mesh?: string;
  vectors: number;
  dim: number;
  dtype: RunConfig['dtype'];
  metric: RunConfig['metric'];
  mode: RunConfig['mode'];
  schedule: RunConfig['schedule'];
  queries: number;
  k: number;
  seed: number;
  concurrency: number;
  kernel: string;
  verifyCrc: boolean;
  clusters: number;
  data?: string;
  queryFile?: string;
  trace?: string;
  json?: boolean;
  /** Unset: the mode's default (pull 16, push-hnsw 64). */
  ef?: number;
  walks: number;
  walkSplit: RunConfig['pull']['split'];
  descent: RunConfig['pull']['descent'];
  M: number;
  efConstruction: number;
  index?: string;
  compare?: boolean;
}

export function addRunOptions(cmd: Command): Command {
  const d = DEFAULT_RUN;
  return cmd
    .option('--tiles <n>', 'tiles in the array', wholeNumber('--tiles'), d.tiles)
    .option('--mesh <RxC>', 'mesh rows x cols (default: the smallest square that holds --tiles)')
    .option('--vectors <n>', 'base vectors (built-in data, or the first n of --data)', wholeNumber('--vectors'), d.vectors)
    .option('--dim <n>', 'dimension of the built-in data', wholeNumber('--dim'), d.dim)
    .option('--dtype <t>', 'vector encoding on the wire: fp16, or i8 (SQ codes dequantized on the tile)', oneOf('--dtype', ['fp16', 'i8'] as const), d.dtype)
    .option('--metric <m>', 'l2 (squared), ip or cosine', oneOf('--metric', ['l2', 'ip', 'cosine'] as const), d.metric)
    .option('--mode <m>', 'push: the hub streams blocks to tiles (exact scan); pull: tiles walk an HNSW index, asking the hub for neighbors and vectors; push-hnsw: the hub walks the index and tiles compute each expansion\'s distances (docs/modes.md)', oneOf('--mode', ['push', 'pull', 'push-hnsw'] as const), d.mode)
    .option('--ef <n>', `beam width: pull, of one walk (1..16, the tile's result buffer; default ${d.pull.ef}); push-hnsw, of the hub's layer-0 search (default ${d.pushHnsw.ef})`, wholeNumber('--ef'))
    .option('--walks <n>', 'pull: walks per query, one tile each, merged by the hub', wholeNumber('--walks'), d.pull.walks)
    .option('--walk-split <s>', 'pull: shards (walk w searches region w of the data) or entries (one index, different entry points)', oneOf('--walk-split', ['shards', 'entries'] as const), d.pull.split)
    .option('--descent <d>', 'pull: hub (the hub routes the upper layers and seeds each walk) or tile (the tile descends them from the entry point with rvf_greedy_step, asking for each list and its vectors)', oneOf('--descent', ['hub', 'tile'] as const), d.pull.descent)
    .option('--M <n>', 'pull: HNSW links per node (layer 0 keeps 2 M)', wholeNumber('--M'), d.pull.M)
    .option('--ef-construction <n>', 'pull: HNSW build beam width', wholeNumber('--ef-construction'), d.pull.efConstruction)
    .option('--index <file>', 'pull: load the HNSW index from this file, or build and save it there (default: cached under .cogsim-cache/hnsw)')
    .option('--schedule <s>', 'query (tiles keep the query) or block (tiles keep a block)', oneOf('--schedule', ['query', 'block'] as const), d.schedule)
    .option('--queries <n>', 'queries to answer', wholeNumber('--queries'), d.queries)
    .option('--k <n>', 'neighbours per query (at most 16)', wholeNumber('--k'), d.k)
    .option('--seed <n>', 'seed of every random choice in the run', wholeNumber('--seed'), d.seed)
    .option('--concurrency <n>', 'queries in flight at once (query schedule)', wholeNumber('--concurrency'), d.concurrency)
    .option('--kernel <build>', `kernel build: ${KERNEL_VARIANTS.map((v) => v.name).join(', ')}`, oneOf('--kernel', KERNEL_VARIANTS.map((v) => v.name)), d.kernel)
    .option('--kernel-file <wasm>', 'run your own kernel build instead of --kernel; it must carry a manifest signed by a trusted key (docs/kernel-manifest.md)')
    .option('--manifest <json>', '--kernel-file\'s signed manifest (default: beside it, <name>.manifest.json)')
    .option('--trust-key <file>', 'also trust this key for --kernel-file: a PEM Ed25519 key, a JSON key entry or trust store; repeatable', collectPaths('--trust-key'), [])
    .option('--verify-crc', 'check each block\'s CRC32C on the tile before computing (detects scratch corruption; ~7 cycles/byte)', d.verifyCrc)
    .option('--clusters <n>', 'clusters in the built-in data', wholeNumber('--clusters'), d.clusters)
    .option('--data <file>', 'base vectors (.fvecs or .npy) instead of the built-in data')
    .option('--query-file <file>', 'queries (.fvecs or .npy) to go with --data')
    .option('--trace <file>', 'write the event trace as JSON lines')
    .option('--json', 'print the summary as JSON');
}

export function runConfigFrom(f: RunFlags): RunConfig {
  const side = Math.ceil(Math.sqrt(f.tiles));
  const mesh = f.mesh ? parseMesh(f.mesh) : { rows: Math.ceil(f.tiles / side), cols: side };
  return checkRunConfig({
    tiles: f.tiles,
    meshRows: mesh.rows,
    meshCols: mesh.cols,
    vectors: f.vectors,
    dim: f.dim,
    dtype: f.dtype,
    metric: f.metric,
    mode: f.mode,
    schedule: f.schedule,
    queries: f.queries,
    k: f.k,
    seed: f.seed,
    concurrency: f.concurrency,
    kernel: f.kernel,
    ...kernelFileConfig(f),
    verifyCrc: f.verifyCrc,
    clusters: f.clusters,
    ...(f.data ? { dataPath: f.data } : {}),
    ...(f.queryFile ? { queryPath: f.queryFile } : {}),
    ...(f.trace ? { tracePath: f.trace } : {}),
    pull: { ef: f.ef ?? DEFAULT_RUN.pull.ef, walks: f.walks, split: f.walkSplit, descent: f.descent, M: f.M, efConstruction: f.efConstruction, ...(f.index ? { indexPath: f.index } : {}) },
    pushHnsw: { ef: f.ef ?? DEFAULT_RUN.pushHnsw.ef },
  });
}

/**
 * One line on stderr when the run's kernel trapped (a window violation, a watchdog stop):
 * the tile, the export and the address or budget; the summary above shows the recovery.
 */
function reportKernelTraps(nodes: readonly TileNode[], hub: RunSummary['hub']): void {
  const trapped = nodes.filter((n) => n.firstKernelTrap);
  const first = trapped[0]?.firstKernelTrap;
  if (!first) return;
  console.error(
    `cogsim: the kernel trapped on ${trapped.length} of ${nodes.length} tiles, first ${first.message}; recovered by the fault rules: ${hub.restarts} restarts, ${hub.retirements} retirements, ${hub.hubLocalUnits} units answered by the hub`,
  );
}

export function registerRun(program: Command): void {
  const cmd = addRunOptions(program.command('run').description('simulate a tile array answering k-NN queries'))
    .option('--compare', 'run push (exact scan), push-hnsw and pull on the same data, index and seed and print one table (docs/modes.md)')
    .option('--unchecked', 'run the plain kernel image, without the window checks and the watchdog every run has by default (docs/size-budget.md)');
  cmd.action(async (flags: RunFlags & { unchecked?: boolean }) => {
    const config = { ...runConfigFrom(flags), ...(flags.unchecked ? { unchecked: true } : {}) };
    if (flags.unchecked) console.error('cogsim: unchecked run: the kernel runs without the window checks and the watchdog');
    await buildKernel(); // a no-op when the kernel builds are current
    await checkKernelFile(config);
    const watch = startStopwatch();
    if (flags.compare) {
      const c = runComparison(config, () => watch.elapsedMs() / 1000, (label) => process.stderr.write(`running ${label}\n`));
      console.log(flags.json ? JSON.stringify(c.rows.map((r) => ({ mode: r.label, ...r.summary })), null, 2) : formatComparison(c));
      return;
    }
    const s = buildSimulation(config);
    const { events } = runSimulation(s, progressBar('queries'));
    const summary = summarize(s, events, watch.elapsedMs() / 1000);
    s.trace.close();
    console.log(flags.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
    reportKernelTraps(s.nodes, summary.hub);
  });
}
