// What decides a run's answers, named by content rather than by path: the kernel image
// that ran (its SHA-256), the dataset as loaded (SHA-256 of its f32 vectors), the
// effective settings (a data file's real rows and dim, the HNSW index's own parameters and
// graph hash). The trace's first line and the summary's `kernel` / `dataset` / `config`
// fields are built from these, so copying a data file elsewhere changes nothing, while
// another kernel, other data or another index always does (docs/determinism.md).
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { HnswIndex } from '../../hub/hnsw/index.ts';
import type { LoadedKernel } from '../../tile/kernel-module.ts';
import type { RunData } from './dataset-source.ts';
import type { RunConfig } from './run-config.ts';

export interface KernelIdentity {
  /** The build's name (a --kernel-file's manifest names it). */
  build: string;
  sha256: string;
}

export interface DatasetIdentity {
  /** 'built-in clustered' or the data file's base name (never its folder). */
  source: string;
  rows: number;
  dim: number;
  queries: number;
  /** SHA-256 of the base vectors as loaded (f32, little-endian, row-major). */
  sha256: string;
  /** SHA-256 of the query vectors as loaded, the same way. */
  queriesSha256: string;
}

/** The HNSW index actually used, read from the index itself (a loaded file's own M, not --M). */
export interface IndexIdentity {
  M: number;
  efConstruction: number;
  metric: string;
  /** Graphs: one per shard in pull mode with --walk-split shards. */
  regions: number;
  /** SHA-256 over every region's graph (levels, entry point, adjacency). */
  sha256: string;
}

export interface EffectiveConfig {
  tiles: number;
  mesh: string;
  metric: RunConfig['metric'];
  mode: RunConfig['mode'];
  schedule: RunConfig['schedule'];
  concurrency: number;
  k: number;
  seed: number;
  dtype: RunConfig['dtype'];
  verifyCrc: boolean;
  /** Pull mode: the walks as run (shards: at most one per vector). */
  pull?: { ef: number; walks: number; split: string; descent: string };
  pushHnsw?: { ef: number };
  index?: IndexIdentity;
}

const kernelHashes = new WeakMap<LoadedKernel, string>();

export function kernelIdentity(kernel: LoadedKernel): KernelIdentity {
  let sha = kernelHashes.get(kernel);
  if (sha === undefined) {
    sha = sha256Hex(kernel.bytes);
    kernelHashes.set(kernel, sha);
  }
  return { build: kernel.manifest?.kernel ?? kernel.variant, sha256: sha };
}

export function datasetIdentity(config: RunConfig, data: RunData): DatasetIdentity {
  return {
    source: config.dataPath ? basename(config.dataPath) : 'built-in clustered',
    rows: data.base.length / data.dim,
    dim: data.dim,
    queries: data.queries.length / data.dim,
    sha256: sha256Hex(data.base),
    queriesSha256: sha256Hex(data.queries),
  };
}

export function indexIdentity(regions: readonly HnswIndex[]): IndexIdentity {
  const first = regions[0]!;
  const h = createHash('sha256');
  for (const index of regions) {
    const g = index.graph;
    h.update(`region n=${g.size} entry=${g.entryPoint} top=${g.maxLevel} layers=${g.layers.length}\n`);
    h.update(g.levels);
    for (const layer of g.layers) {
      h.update(bytesOf(layer.counts));
      h.update(bytesOf(layer.ids));
    }
  }
  return { M: first.params.M, efConstruction: first.params.efConstruction, metric: first.params.metric, regions: regions.length, sha256: h.digest('hex') };
}

/** The settings a run really used; no paths (those are for the human summary only). */
export function effectiveConfig(config: RunConfig, mode: { pull?: EffectiveConfig['pull']; pushHnsw?: EffectiveConfig['pushHnsw']; index?: IndexIdentity }): EffectiveConfig {
  return {
    tiles: config.tiles,
    mesh: `${config.meshRows}x${config.meshCols}`,
    metric: config.metric,
    mode: config.mode,
    schedule: config.schedule,
    concurrency: config.concurrency,
    k: config.k,
    seed: config.seed,
    dtype: config.dtype,
    verifyCrc: config.verifyCrc,
    ...mode,
  };
}

export function sha256Hex(data: ArrayBufferView): string {
  return createHash('sha256').update(bytesOf(data)).digest('hex');
}

function bytesOf(v: ArrayBufferView): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

export interface RunIdentity {
  kernel: KernelIdentity;
  dataset: DatasetIdentity;
  config: EffectiveConfig;
}

/** Pull's and push-hnsw's parts, as far as identity is concerned. */
export interface ModeParts {
  pull?: { index: { settings: { ef: number; split: string }; walks: number; descent: string; regions: readonly HnswIndex[] } };
  pushHnsw?: { index: HnswIndex; driver: { settings: { ef: number } } };
}

export function runIdentity(config: RunConfig, data: RunData, kernel: LoadedKernel, parts: ModeParts): RunIdentity {
  const { pull, pushHnsw } = parts;
  const mode = pull
    ? { pull: { ef: pull.index.settings.ef, walks: pull.index.walks, split: pull.index.settings.split, descent: pull.index.descent }, index: indexIdentity(pull.index.regions) }
    : pushHnsw
      ? { pushHnsw: { ef: pushHnsw.driver.settings.ef }, index: indexIdentity([pushHnsw.index]) }
      : {};
  return { kernel: kernelIdentity(kernel), dataset: datasetIdentity(config, data), config: effectiveConfig(config, mode) };
}

/** The trace's first line: everything above by content (the dataset's source name is left out). */
export function configRecord(id: RunIdentity, derived: { vectorsPerBlock: number; blocks: number }): Record<string, unknown> {
  const { source, ...dataset } = id.dataset;
  void source;
  return { kind: 'config', config: id.config, kernel: id.kernel, dataset, derived };
}
