// What the hub serves in pull mode: the HNSW index (or one per region), the dataset's
// vectors, and for every walk of a query where it starts.
//
// Width past the tile's 16-entry result buffer comes from several walks per query, one
// per tile, merged by the hub. Two ways to split a query over W walks:
//   'shards'  (default): the data is split into W regions (id mod W), each with its own
//             HNSW index; walk w searches region w from its own upper-layer entry, so W
//             beams of ef cover disjoint candidates and the merged width is W * ef.
//   'entries': one index; walk w starts from the layer-1 nodes ranked w, w + W, ... near
//             the query (different entry points, same graph: the beams mostly converge).
// Node ids on the wire are always the dataset's global ids; a region's local id l is
// global id l * W + w.
import type { HnswIndex } from '../hnsw/index.ts';
import type { Metric } from '../hnsw/metric.ts';
import type { Prng } from '../prng.ts';
import { obtainIndex, obtainIndexBundle, type IndexSource } from './index-cache.ts';
import { planSeeds } from './seeds.ts';

export type WalkSplit = 'shards' | 'entries';
/** hub: the hub routes the upper layers and seeds each walk; tile: the tile descends them (rvf_greedy_step). */
export type Descent = 'hub' | 'tile';

export interface PullSettings {
  ef: number;
  walks: number;
  split: WalkSplit;
  M: number;
  efConstruction: number;
  /** Seeds per walk (layer-1 nodes in the seed block; hub descent). */
  seedsPerWalk: number;
  /** Who descends the upper layers (docs/pull-mode.md "Tile-side descent"); default hub. */
  descent?: Descent;
}

export const DEFAULT_PULL: PullSettings = { ef: 16, walks: 4, split: 'shards', M: 16, efConstruction: 200, seedsPerWalk: 1, descent: 'hub' };

export class UnknownNodeError extends RangeError {
  override name = 'UnknownNodeError';
}

/** A node exists but not on the layer asked for (its top layer is lower). */
export class MissingLayerError extends UnknownNodeError {
  override name = 'MissingLayerError';
  constructor(
    readonly nodeId: number,
    readonly layer: number,
    readonly topLayer: number,
  ) {
    super(`node ${nodeId} on layer ${layer}, which it does not have (its top layer is ${topLayer})`);
  }
}

export class PullIndex {
  readonly regions: HnswIndex[];
  readonly sources: IndexSource[];

  constructor(
    readonly n: number,
    readonly settings: PullSettings,
    sources: IndexSource[],
  ) {
    this.sources = sources;
    this.regions = sources.map((s) => s.index);
  }

  static obtain(
    vectors: Float32Array,
    dim: number,
    metric: Metric,
    settings: PullSettings,
    prng: Prng,
    opts: { indexPath?: string; cacheDir?: string | null; seed: number; now?: () => number },
  ): PullIndex {
    const n = vectors.length / dim;
    const regions = settings.split === 'shards' ? Math.min(settings.walks, n) : 1;
    const params = { M: settings.M, efConstruction: settings.efConstruction, metric };
    const inputs = Array.from({ length: regions }, (_, r) => ({
      vectors: regions === 1 ? vectors : gather(vectors, dim, regionRows(n, regions, r)),
      prng: prng.derive(`region${r}of${regions}`),
    }));
    // The user's --index is one file however many regions (index-bundle.ts); the cache keeps one per region.
    const sources =
      opts.indexPath && regions > 1
        ? obtainIndexBundle(inputs, dim, params, opts.indexPath, opts.now)
        : inputs.map((input) => obtainIndex(input.vectors, dim, params, input.prng, opts));
    // Report the index's own settings: a loaded file's M and efConstruction, not the flags'.
    const own = sources[0]?.index.params;
    if (own) settings = { ...settings, M: own.M, efConstruction: own.efConstruction };
    return new PullIndex(n, settings, sources);
  }

  /** Walks per query actually run (shards: at most one per vector). */
  get walks(): number {
    return this.settings.split === 'shards' ? this.regions.length : this.settings.walks;
  }

  private regionOfWalk(walk: number): number {
    return this.settings.split === 'shards' ? walk : 0;
  }

  /** The global id of region r's local id. */
  globalId(region: number, local: number): number {
    return this.regions.length === 1 ? local : local * this.regions.length + region;
  }

  get descent(): Descent {
    return this.settings.descent ?? 'hub';
  }

  /** Neighbors (global ids) of a node on a layer (default 0), as walk `walk` sees the graph. */
  neighbors(walk: number, globalId: number, layer = 0): number[] {
    const r = this.regionOfWalk(walk);
    const R = this.regions.length;
    if (!Number.isInteger(globalId) || globalId < 0 || globalId >= this.n || (R > 1 && globalId % R !== r)) {
      throw new UnknownNodeError(`node ${globalId} does not exist in ${R > 1 ? `region ${r} of ${R} (ids ${r} + ${R}k < ${this.n})` : `the index (ids 0..${this.n - 1})`}`);
    }
    const local = R > 1 ? Math.floor(globalId / R) : globalId;
    const index = this.regions[r]!;
    const top = index.levelOf(local);
    if (!Number.isInteger(layer) || layer < 0 || layer > top) throw new MissingLayerError(globalId, layer, top);
    return Array.from(index.neighbors(local, layer), (l) => this.globalId(r, l));
  }

  /** Where walk `walk`'s tile-side descent starts: its graph's entry point (global id) and top layer. */
  entry(walk: number): { id: number; layer: number } {
    const r = this.regionOfWalk(walk);
    const index = this.regions[r]!;
    if (index.size === 0) throw new RangeError('pull mode needs a non-empty index');
    return { id: this.globalId(r, index.entryPoint), layer: Math.max(0, index.maxLevel) };
  }

  /** Seed ids of every walk of one query (decoded query as f32), and the hub's routing distances. */
  seeds(query: Float32Array): { seeds: number[][]; hubDistances: number } {
    const s = this.settings;
    if (s.split === 'entries') {
      return planSeeds(this.regions[0]!, query, s.walks, s.seedsPerWalk);
    }
    let hubDistances = 0;
    const seeds = this.regions.map((index, r) => {
      const p = planSeeds(index, query, 1, s.seedsPerWalk);
      hubDistances += p.hubDistances;
      return p.seeds[0]!.map((l) => this.globalId(r, l));
    });
    return { seeds, hubDistances };
  }
}

export function regionRows(n: number, regions: number, r: number): number[] {
  const rows: number[] = [];
  for (let id = r; id < n; id += regions) rows.push(id);
  return rows;
}

function gather(vectors: Float32Array, dim: number, rows: number[]): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((id, i) => out.set(vectors.subarray(id * dim, (id + 1) * dim), i * dim));
  return out;
}
