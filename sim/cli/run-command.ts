// `cogsim run`: one simulation, its summary on stdout (text or --json).
import type { Command } from 'commander';
import { buildSimulation, runSimulation } from '../run/simulation.ts';
import { checkRunConfig, DEFAULT_RUN, EF_CONSTRUCTION_MAX, parseMesh, PUSH_HNSW_MAX_EF, type RunConfig } from '../run/run-config.ts';
import { formatSummary, summarize, type RunSummary } from '../run/report.ts';
import type { TileNode } from '../tile-node.ts';
import { formatComparison, runComparison } from '../run/compare.ts';
import { startStopwatch } from '../wallclock.ts';
import { peakMemory } from './peak-memory.ts';
import { oneOf, wholeNumber } from './options.ts';
import { progressLine } from './progress.ts';
import { addOutputOptions, RunOutputs, type OutputFlags } from '../output/output-options.ts';
import { buildKernel } from '../../tile/build/build-kernel.ts';
import { CORE_VARIANTS } from '../../tile/build/variants.ts';
import { checkKernelFile, collectPaths, kernelFileConfig, type KernelFileFlags } from './kernel-file.ts';
import { refuseLz4Conflicts, refuseUnusedFlags, typedFlags } from './flag-scope.ts';
import { withPendingOutput } from './output-file.ts';
import { prepareRunFiles, type RunFiles } from './run-files.ts';
import { CHIP_FLAG_DEFAULTS, chipBeamWalks, chipLayoutFrom, refuseChipFlags, type ChipFlags } from '../chip/chip-flags.ts';
import { MAX_TILES, refuseOverTileCeiling, TRAP_HANDLER_TILES } from './tile-ceiling.ts';
import { addPackRunOptions, formatUpgrade, packRun, type PackRunFlags } from './pack-run.ts';
import type { UpgradeHandle } from '../run/upgrade-run.ts';
import { CliError } from './cli-error.ts';

export interface RunFlags extends KernelFileFlags, OutputFlags, PackRunFlags, ChipFlags {
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
  lz4?: boolean;
  clusters: number;
  distribution: 'clustered' | 'gaussian';
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
    .option('--tiles <n>', `tiles in the array, 1..${MAX_TILES.toLocaleString('en-US')} (above ${TRAP_HANDLER_TILES.toLocaleString('en-US')} cogsim re-runs node with --disable-wasm-trap-handler; README "Tile ceiling")`, wholeNumber('--tiles'), d.tiles)
    .option('--mesh <RxC>', 'mesh rows x cols, at most 4,096 a side (default: the smallest square that holds --tiles)')
    .option('--vectors <n>', 'base vectors (built-in data, or the first n of --data), at least --k', wholeNumber('--vectors'), d.vectors)
    .option('--dim <n>', 'dimension of the built-in data: 1..384 on bare Core tiles, up to 1,024 (Hot data) on chips (with --data the file sets it)', wholeNumber('--dim'), d.dim)
    .option('--dtype <t>', 'vector encoding on the wire: fp16, i8 (SQ codes dequantized on the tile; push only), or pq6 (PQ 6-bit codes trained on the hub, Hot data: push on --chips, L2 only); values must be finite with |x| <= 65,504', oneOf('--dtype', ['fp16', 'i8', 'pq6'] as const), d.dtype)
    .option('--metric <m>', 'l2 (squared), ip or cosine', oneOf('--metric', ['l2', 'ip', 'cosine'] as const), d.metric)
    .option('--mode <m>', 'push: the hub streams blocks to tiles (exact scan); pull: tiles walk an HNSW index, asking the hub for neighbors and vectors; push-hnsw: the hub walks the index and tiles compute each expansion\'s distances (docs/modes.md)', oneOf('--mode', ['push', 'pull', 'push-hnsw'] as const), d.mode)
    .option('--ef <n>', `pull and push-hnsw: beam width, at least --k: pull, of one walk (1..16, the tile's result buffer; default ${d.pull.ef}); push-hnsw, of the hub's layer-0 search (1..${PUSH_HNSW_MAX_EF}; default ${d.pushHnsw.ef})`, wholeNumber('--ef'))
    .option('--walks <n>', 'pull: walks per query, one tile each, merged by the hub (1..64)', wholeNumber('--walks'), d.pull.walks)
    .option('--walk-split <s>', 'pull: shards (walk w searches region w of the data) or entries (one index, different entry points)', oneOf('--walk-split', ['shards', 'entries'] as const), d.pull.split)
    .option('--descent <d>', 'pull: hub (the hub routes the upper layers and seeds each walk) or tile (the tile descends them from the entry point with rvf_greedy_step, asking for each list and its vectors)', oneOf('--descent', ['hub', 'tile'] as const), d.pull.descent)
    .option('--M <n>', 'pull and push-hnsw: HNSW links per node (layer 0 keeps 2 M): push-hnsw 2..128; pull 2..64, fewer above dim 120 (2 M ids fit one block: 2..21 at dim 384); with an existing --index, the index\'s own', wholeNumber('--M'), d.pull.M)
    .option('--ef-construction <n>', `pull and push-hnsw: HNSW build beam width, 1..${EF_CONSTRUCTION_MAX.toLocaleString('en-US')}; with an existing --index, the index's own`, wholeNumber('--ef-construction'), d.pull.efConstruction)
    .option('--index <file>', 'pull and push-hnsw: ONE index file, loaded when it exists (its own M and efConstruction are used; its metric and data must be the run\'s), else built and written there; a sharded pull run (--walk-split shards, --walks > 1) keeps every region in it (default: cached under .cogsim-cache/hnsw)')
    .option('--schedule <s>', 'push: query (tiles keep the query) or block (tiles keep a block)', oneOf('--schedule', ['query', 'block'] as const), d.schedule)
    .option('--queries <n>', 'queries to answer, at least 1 (with --query-file, its first n)', wholeNumber('--queries'), d.queries)
    .option('--k <n>', 'neighbours per query, 1..16 (a tile keeps 16 candidates)', wholeNumber('--k'), d.k)
    .option('--seed <n>', 'seed of every random choice in the run, 0..4294967295', wholeNumber('--seed'), d.seed)
    .option('--concurrency <n>', 'push (query schedule) and push-hnsw: queries in flight at once', wholeNumber('--concurrency'), d.concurrency)
    .option('--kernel <build>', `kernel build: ${CORE_VARIANTS.map((v) => v.name).join(', ')} (a run on Hot data, on chips, runs the same build of the Hot image)`, oneOf('--kernel', CORE_VARIANTS.map((v) => v.name)), d.kernel)
    .option('--kernel-file <wasm>', 'run your own kernel build instead of --kernel; it must carry a manifest signed by a trusted key (docs/kernel-manifest.md)')
    .option('--manifest <json>', '--kernel-file\'s signed manifest (default: beside it, <name>.manifest.json)')
    .option('--trust-key <file>', 'also trust this key for --kernel-file: a PEM Ed25519 key, a JSON key entry or trust store; repeatable', collectPaths('--trust-key'), [])
    .option('--verify-crc', 'check each block\'s CRC32C on the tile before computing (detects scratch corruption; ~7 cycles/byte)', d.verifyCrc)
    .option('--lz4', 'with --chips (a Hot chip feature): send block streams as LZ4 chunks, decoded by the chip tiles running the Hot image of --kernel (docs/protocol.md "LZ4 chunks")')
    .option('--clusters <n>', 'clusters in the built-in data, 1..--vectors', wholeNumber('--clusters'), d.clusters)
    .option('--distribution <d>', 'built-in data: clustered (--clusters Gaussian clusters, the default) or gaussian (unclustered standard normal, fp16-exact: hard for HNSW)', oneOf('--distribution', ['clustered', 'gaussian'] as const), 'clustered')
    .option('--data <file>', 'base vectors instead of the built-in data: .fvecs, .bvecs, or .npy (2-D, C order, <f4 or <f2); values finite with |x| <= 65,504 (fp16)')
    .option('--query-file <file>', 'queries to go with --data (same formats and range, same dim, at least 1 row)')
    .option('--trace <file>', 'write the event trace: JSON lines (cogsim trace-hash rebuilds the trace hash from them), or Chrome trace JSON with --trace-format chrome; written beside the target and renamed when the run completes, never over an input or a key')
    .option('--json', 'print the summary as JSON')
    .option('--chips <n>', 'pull and push-hnsw (push with --dtype pq6 or --lz4): organise the tiles as n chips of --tiles-per-chip tiles with shared memory (Layer A and a vector cache; docs/chips.md); sets --tiles', wholeNumber('--chips'))
    .option('--tiles-per-chip <n>', 'with --chips: tiles per chip', wholeNumber('--tiles-per-chip'), CHIP_FLAG_DEFAULTS.tilesPerChip)
    .option('--chip-memory <bytes>', 'with --chips: shared memory per chip in bytes (default 8 MiB: ~10,000 vectors of 384 fp16 dims plus Layer A)', wholeNumber('--chip-memory'), CHIP_FLAG_DEFAULTS.chipMemory)
    .option('--chip-cache <on|off>', 'with --chips: the chip\'s vector cache (Layer A stays either way)', oneOf('--chip-cache', ['on', 'off'] as const), CHIP_FLAG_DEFAULTS.chipCache)
    .option('--chip-beam', 'pull with --chips: spread each query\'s beam over one chip\'s tiles (--chip-rounds x --tiles-per-chip walks over one index, a shared visited set in chip memory; effective beam 16 x walks; docs/pull-mode.md)')
    .option('--chip-rounds <n>', 'with --chip-beam: walks each of the chip\'s tiles runs per query, one after another, seeded from the next layer-1 nodes; rounds x tiles per chip at most 64 (default: 2, or 1 above 32 tiles a chip)', wholeNumber('--chip-rounds'))
}

/** Run's and faults' flags: the run's, then the outputs' (sim/output). */
export function addRunAndOutputOptions(cmd: Command): Command {
  return addOutputOptions(addRunOptions(cmd));
}

export function runConfigFrom(f: RunFlags): RunConfig {
  const chips = chipLayoutFrom(f);
  const tiles = chips ? chips.chips * chips.tilesPerChip : f.tiles;
  const side = Math.ceil(Math.sqrt(tiles));
  const mesh = f.mesh ? parseMesh(f.mesh) : { rows: Math.ceil(tiles / side), cols: side };
  return checkRunConfig({
    tiles,
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
    // Absent unless asked for, so a run's config (and trace hash) is unchanged without it.
    ...(f.lz4 ? { lz4: true } : {}),
    clusters: f.clusters,
    // Absent for the default, so a clustered run's config (and trace hash) is unchanged.
    ...(f.distribution === 'gaussian' ? { distribution: 'gaussian' as const } : {}),
    ...(f.data ? { dataPath: f.data } : {}),
    ...(f.queryFile ? { queryPath: f.queryFile } : {}),
    ...(f.trace ? { tracePath: f.trace } : {}),
    pull: { ef: f.ef ?? DEFAULT_RUN.pull.ef, walks: chips?.beam ? chipBeamWalks(f) : f.walks, split: chips?.beam ? 'entries' : f.walkSplit, descent: f.descent, M: f.M, efConstruction: f.efConstruction, ...(f.index ? { indexPath: f.index } : {}) },
    pushHnsw: { ef: f.ef ?? DEFAULT_RUN.pushHnsw.ef },
    ...(chips ? { chips } : {}),
  });
}

/**
 * The run's config from the flags, every check done before anything runs: flags the run
 * would ignore, the tile ceiling, inputs and outputs (run-files.ts).
 */
export function checkedRun(flags: RunFlags, cmd: Command): RunFiles {
  const typed = typedFlags(cmd);
  refuseUnusedFlags(typed, { mode: flags.mode, schedule: flags.schedule, data: flags.data !== undefined, compare: flags.compare === true, kernelFile: flags.kernelFile !== undefined, shardedPull: !flags.chipBeam && flags.walks > 1 && flags.walkSplit === 'shards', gaussian: flags.distribution === 'gaussian' });
  refuseChipFlags(typed, flags);
  refuseLz4Conflicts(typed);
  const config = runConfigFrom(flags);
  refuseOverTileCeiling(config.tiles);
  // A Chrome trace is written by the run's outputs (sim/output); only a JSONL trace is streamed by the run itself.
  if (flags.traceFormat === 'chrome') {
    const { tracePath: _chrome, ...jsonlFree } = config;
    return prepareRunFiles(jsonlFree, typed);
  }
  return prepareRunFiles(config, typed);
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
  const cmd = addPackRunOptions(addRunAndOutputOptions(program.command('run').description('simulate a tile array answering k-NN queries')), wholeNumber)
    .option('--compare', 'run push (exact scan), push-hnsw and pull on the same data, index and seed and print one table (docs/modes.md); takes every mode\'s flags, not --mode or --trace')
    .option('--unchecked', 'run the plain kernel image, without the window checks and the watchdog every run has by default (docs/size-budget.md)');
  cmd.action(async (flags: RunFlags & { unchecked?: boolean }, self: Command) => {
    const { config: checked, trace } = checkedRun(flags, self);
    const outputs = new RunOutputs(flags, { ...checked, ...(flags.unchecked ? { unchecked: true } : {}) });
    const config = outputs.config;
    if (flags.unchecked) console.error('cogsim: unchecked run: the kernel runs without the window checks and the watchdog');
    await buildKernel(); // a no-op when the kernel builds are current
    await checkKernelFile(config);
    if (flags.compare && (flags.pack || flags.upgradeTo)) throw new CliError('--compare runs the built kernels; --pack and --upgrade-to are for one run');
    const packs = packRun(flags, config.kernel);
    const watch = startStopwatch();
    if (flags.compare) {
      outputs.refuseWith('--compare');
      const c = runComparison(config, () => watch.elapsedMs() / 1000, (label) => process.stderr.write(`running ${label}\n`));
      console.log(flags.json ? JSON.stringify(c.rows.map((r) => ({ mode: r.label, ...r.summary })), null, 2) : formatComparison(c));
      return;
    }
    // Every output is written beside its target and renamed into place only when the run completes.
    let upgrade: UpgradeHandle | null = null;
    const { summary, nodes } = withPendingOutput(trace, () => {
      const s = buildSimulation(config, { ...packs.build, instrument: (parts) => outputs.instrument(parts) });
      const observer = outputs.attach(s);
      upgrade = packs.attach(s);
      const { events } = outputs.guard(() => runSimulation(s, progressLine(s, { quiet: flags.json, retired: observer.retired })));
      const result = { ...summarize(s, events, watch.elapsedMs() / 1000), memory: peakMemory(config.tiles) };
      s.trace.close();
      outputs.finish(s, result);
      return { summary: result, nodes: s.nodes };
    });
    const done = upgrade as UpgradeHandle | null;
    const withUpgrade = done ? { ...summary, upgrade: { outcome: done.outcome, steps: done.steps } } : summary;
    console.log(flags.json ? JSON.stringify(withUpgrade, null, 2) : formatSummary(summary) + (done ? `\n${formatUpgrade(done)}` : ''));
    reportKernelTraps(nodes, summary.hub);
  });
}
