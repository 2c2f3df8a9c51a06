// A simulation run's settings, checked once with messages that name the flag, the limit
// and the value. Everything random in a run derives from `seed`.
import { checkSearchSpec, type MetricName, type Schedule, type WireDtype } from '../../hub/search-spec.ts';
import { UserError } from './user-error.ts';
import { pullBlockCapacity } from '../../hub/pull/pull-driver.ts';
import { runImage } from './kernel-image.ts';
import { TOPK_MAX } from '../../wat/layout.ts';
import { MAX_MESH_SIDE } from '../mesh.ts';
import { EF_CONSTRUCTION_MAX } from '../../hub/hnsw/params.ts';
import type { ChipLayout } from '../../hub/chip/chip-memory.ts';

/** push: exact scan (hub streams blocks); pull: the tile walks HNSW; push-hnsw: the hub walks HNSW, tiles compute (docs/modes.md). */
export type RunMode = 'push' | 'pull' | 'push-hnsw';

/** Pull mode's settings (docs/pull-mode.md); ignored in push mode. */
export interface PullConfig {
  /** Beam width of one walk: the tile's result buffer, 1..16. */
  ef: number;
  /** Walks per query, one tile each, merged by the hub. */
  walks: number;
  /** shards: walk w searches region w of the data; entries: one index, different entry points. */
  split: 'shards' | 'entries';
  /** hub: the hub routes the upper layers and seeds each walk; tile: the tile descends them from the entry point (rvf_greedy_step). */
  descent: 'hub' | 'tile';
  M: number;
  efConstruction: number;
  /** Save/load the index here instead of the cache. */
  indexPath?: string;
}

/** Push-hnsw's settings (docs/modes.md). */
export interface PushHnswConfig {
  /** Beam width of the hub's layer-0 search (no tile limit: the beam lives on the hub). */
  ef: number;
  /** Its index's links per node, build beam and file; each absent one is the shared flag's
   *  (--M, --ef-construction, --index, kept with pull's settings): see pushHnswIndex. */
  M?: number;
  efConstruction?: number;
  indexPath?: string;
}

/** Push-hnsw's index settings: its own where given, else the shared flags' (the index is pull's with one walk). */
export function pushHnswIndex(c: RunConfig): { M: number; efConstruction: number; indexPath?: string } {
  const h = c.pushHnsw;
  const indexPath = h.indexPath ?? c.pull.indexPath;
  return { M: h.M ?? c.pull.M, efConstruction: h.efConstruction ?? c.pull.efConstruction, ...(indexPath ? { indexPath } : {}) };
}

export interface RunConfig {
  tiles: number;
  meshRows: number;
  meshCols: number;
  vectors: number;
  dim: number;
  dtype: WireDtype;
  metric: MetricName;
  mode: RunMode;
  schedule: Schedule;
  queries: number;
  k: number;
  seed: number;
  concurrency: number;
  kernel: string;
  /** A user's kernel build instead of `kernel`, verified against its signed manifest (docs/kernel-manifest.md). */
  kernelPath?: string;
  manifestPath?: string;
  /** Key files trusted on top of build/keys/trusted-kernel-keys.json. */
  trustKeyPaths?: string[];
  /** Run the plain kernel image, without the window checks and watchdog (set only by --unchecked). */
  unchecked?: boolean;
  verifyCrc: boolean;
  /** --lz4: block streams travel as LZ4 chunks to tiles running the Hot image (docs/protocol.md "LZ4 chunks"). */
  lz4?: boolean;
  clusters: number;
  /** Built-in data: clustered (absent, the default) or gaussian (unclustered standard normal, fp16-exact). */
  distribution?: 'clustered' | 'gaussian';
  dataPath?: string;
  queryPath?: string;
  tracePath?: string;
  pull: PullConfig;
  pushHnsw: PushHnswConfig;
  /** --chips: the tiles grouped into chips with shared memory (absent: the flat mesh). docs/chips.md. */
  chips?: ChipLayout;
}

export const DEFAULT_RUN: RunConfig = {
  tiles: 64,
  meshRows: 8,
  meshCols: 8,
  vectors: 20_000,
  dim: 384,
  dtype: 'fp16',
  metric: 'l2',
  mode: 'push',
  schedule: 'query',
  queries: 100,
  k: 10,
  seed: 1,
  concurrency: 4,
  kernel: 'simd',
  verifyCrc: false,
  clusters: 64,
  pull: { ef: 16, walks: 2, split: 'shards', descent: 'hub', M: 16, efConstruction: 200 },
  pushHnsw: { ef: 64 },
};

/** Largest --ef-construction: the HNSW builder's own bound (hub/hnsw/params.ts). */
export { EF_CONSTRUCTION_MAX } from '../../hub/hnsw/params.ts';

/** Largest push-hnsw --ef: a beam the hub keeps, bounded so a typo cannot ask for a scan. */
export const PUSH_HNSW_MAX_EF = 4096;

export function parseMesh(text: string): { rows: number; cols: number } {
  const m = /^(\d+)x(\d+)$/.exec(text.trim());
  if (!m) throw new UserError(`--mesh '${text}' is not ROWSxCOLS (for example 8x8)`);
  return { rows: Number(m[1]), cols: Number(m[2]) };
}

export function checkRunConfig(c: RunConfig): RunConfig {
  const positive: [string, number][] = [
    ['--tiles', c.tiles],
    ['--vectors', c.vectors],
    ['--dim', c.dim],
    ['--queries', c.queries],
    ['--concurrency', c.concurrency],
    ['--clusters', c.clusters],
  ];
  for (const [flag, v] of positive) {
    if (!Number.isSafeInteger(v) || v < 1) throw new UserError(`${flag} must be a whole number of at least 1, got ${v}`);
  }
  if (!Number.isSafeInteger(c.seed) || c.seed < 0 || c.seed > 0xffffffff) throw new UserError(`--seed must be a whole number in 0..4294967295, got ${c.seed}`);
  if (c.meshRows > MAX_MESH_SIDE || c.meshCols > MAX_MESH_SIDE) {
    throw new UserError(`mesh ${c.meshRows}x${c.meshCols} (for --tiles ${c.tiles}) has a side over the limit of ${MAX_MESH_SIDE} routers`);
  }
  if (c.meshRows * c.meshCols < c.tiles) {
    throw new UserError(`mesh ${c.meshRows}x${c.meshCols} has ${c.meshRows * c.meshCols} tiles, --tiles asks for ${c.tiles}`);
  }
  // The built-in generator refuses more clusters than vectors; say so in terms of the flags.
  if (!c.dataPath && c.distribution !== 'gaussian' && c.clusters > c.vectors) {
    throw new UserError(`--clusters ${c.clusters} is more than --vectors ${c.vectors}: the built-in data needs at least one vector per cluster`);
  }
  if (c.k > c.vectors) throw new UserError(`--k ${c.k} is more than --vectors ${c.vectors}: a query cannot have more neighbours than there are vectors`);
  // A PQ6 block's size comes from the loaded query's table (3M/4 B a vector), so a tile
  // takes PQ6 blocks only after a query's pieces: no block-stationary staging.
  if (c.dtype === 'pq6' && c.schedule !== 'query') throw new UserError(`--dtype pq6 runs --schedule query only (a tile sizes a PQ6 block by the loaded query's table, so blocks cannot be staged before the query); got --schedule ${c.schedule}`);
  // LZ4 decompression is a Hot profile feature (spec section 5: Core has none, the hub
  // decompresses), so --lz4 runs on chips, whose tiles load the Hot image, like Hot data.
  if (c.lz4 && !c.chips) throw new UserError('--lz4 sends LZ4 chunks, a Hot (chip) feature: bare Core tiles take no compression (the hub decompresses); add --chips N (their tiles load the Hot image)');
  if (c.chips) checkChips(c, c.chips);
  if (c.mode === 'pull') checkPullConfig(c);
  if (c.mode === 'push-hnsw') checkPushHnswConfig(c);
  try {
    checkSearchSpec({ dtype: c.dtype, metric: c.metric, k: c.k, dim: c.dim, schedule: c.schedule });
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  return c;
}

function checkChips(c: RunConfig, l: ChipLayout): void {
  // Push on chips only for the Hot features (docs/chips.md "Hot data"): PQ6 data and --lz4;
  // the chips' tiles run the Hot image; push streams every block from the hub, so the shared memory is not used.
  if (c.mode === 'push' && c.dtype !== 'pq6' && !c.lz4) throw new UserError(`--chips serves the HNSW modes (a chip's shared memory holds Layer A and the vectors its tiles ask for), --dtype pq6 push runs and --lz4 push runs; this run is --mode push, so use --mode pull or push-hnsw, --dtype pq6, --lz4, or drop --chips`);
  if (l.chips * l.tilesPerChip !== c.tiles) {
    throw new UserError(`--chips ${l.chips} x --tiles-per-chip ${l.tilesPerChip} is ${l.chips * l.tilesPerChip} tiles, --tiles asks for ${c.tiles}; drop --tiles (chips set it) or make them agree`);
  }
  if (l.beam && c.mode !== 'pull') throw new UserError(`--chip-beam spreads a pull walk's beam over a chip's tiles; this run is --mode ${c.mode}, so drop --chip-beam`);
  if (l.beam && (c.pull.walks % l.tilesPerChip !== 0 || c.pull.split !== 'entries')) {
    throw new UserError(`--chip-beam runs --chip-rounds x --tiles-per-chip ${l.tilesPerChip} walks per query over one index (--walk-split entries); got --walks ${c.pull.walks} --walk-split ${c.pull.split}`);
  }
  if (!Number.isSafeInteger(l.sharedBytes) || l.sharedBytes < 1) throw new UserError(`--chip-memory must be a whole number of bytes of at least 1, got ${l.sharedBytes}`);
}

function checkEfConstruction(efc: number): void {
  if (!Number.isSafeInteger(efc) || efc < 1 || efc > EF_CONSTRUCTION_MAX) {
    throw new UserError(`--ef-construction must be a whole number in 1..${EF_CONSTRUCTION_MAX.toLocaleString('en-US')}, got ${efc}`);
  }
}

function checkPushHnswConfig(c: RunConfig): void {
  const ef = c.pushHnsw.ef;
  if (!Number.isSafeInteger(ef) || ef < 1 || ef > PUSH_HNSW_MAX_EF) throw new UserError(`--ef must be a whole number in 1..${PUSH_HNSW_MAX_EF} for --mode push-hnsw, got ${ef}`);
  if (ef < c.k) throw new UserError(`--ef ${ef} is below --k ${c.k}: the search's beam must hold the k results`);
  const { M, efConstruction } = pushHnswIndex(c);
  checkEfConstruction(efConstruction);
  if (!Number.isSafeInteger(M) || M < 2 || M > 128) throw new UserError(`--M must be a whole number in 2..128, got ${M}`);
  if (c.dtype !== 'fp16') throw new UserError(`--mode push-hnsw serves fp16 vectors; --dtype ${c.dtype} is push-only`);
  if (c.schedule !== 'query') throw new UserError(`--mode push-hnsw has no block schedule; drop --schedule ${c.schedule}`);
}

function checkPullConfig(c: RunConfig): void {
  const p = c.pull;
  if (!Number.isSafeInteger(p.ef) || p.ef < 1 || p.ef > TOPK_MAX) {
    throw new UserError(`--ef must be a whole number in 1..${TOPK_MAX} (the walk's beam is the tile's ${TOPK_MAX}-entry result buffer), got ${p.ef}`);
  }
  if (p.ef < c.k) throw new UserError(`--ef ${p.ef} is below --k ${c.k}: a walk's beam must hold the k results`);
  if (!Number.isSafeInteger(p.walks) || p.walks < 1 || p.walks > 64) throw new UserError(`--walks must be a whole number in 1..64, got ${p.walks}`);
  checkEfConstruction(p.efConstruction);
  const capacity = pullBlockCapacity(c.dim, runImage(c, c.dim));
  if (!Number.isSafeInteger(p.M) || p.M < 2 || 2 * p.M > capacity) {
    throw new UserError(`--M must be a whole number in 2..${Math.floor(capacity / 2)} at dim ${c.dim}: a node's layer-0 list (2 M ids) must fit one block of ${capacity} vectors, got ${p.M}`);
  }
  if (p.descent === 'tile' && p.split === 'entries' && p.walks > 1) {
    throw new UserError(`--descent tile with --walk-split entries and --walks ${p.walks}: every walk would descend from the same entry point to the same node; use --walk-split shards or --descent hub`);
  }
  if (c.dtype !== 'fp16') throw new UserError(`--mode pull serves fp16 vectors; --dtype ${c.dtype} is push-only`);
  if (c.schedule !== 'query') throw new UserError(`--mode pull has no block schedule; drop --schedule ${c.schedule}`);
}
