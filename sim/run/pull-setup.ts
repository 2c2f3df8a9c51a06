// Pull mode's part of a simulation: the HNSW index over what the tiles compute with (the
// fp16 data as decoded), built or loaded (--index, else the .cogsim-cache), the walk server
// that answers the tiles' requests, and the mode's driver for the hub core.
import { IndexFormatError } from '../../hub/hnsw/index.ts';
import type { ModeOptions } from '../../hub/core/mode-driver.ts';
import type { EncodedDataset } from '../../hub/encoded-dataset.ts';
import type { Prng } from '../../hub/prng.ts';
import { PullModeDriver } from '../../hub/modes/pull-mode.ts';
import { PullWalkDriver } from '../../hub/pull/pull-driver.ts';
import { PullIndex, type PullSettings } from '../../hub/pull/pull-index.ts';
import { UserError as CliError } from './user-error.ts';
import { ChipBlocks } from '../../hub/chip/chip-blocks.ts';
import { ChipBeam } from '../../hub/chip/chip-beam.ts';
import { chipLayerA } from '../../hub/chip/chip-layer-a.ts';
import { ChipLayoutError, Chips, type ChipLayout } from '../../hub/chip/chip-memory.ts';
import { strideBytes } from '../../protocol/vector-bytes.ts';
import { DTYPE_FP16 } from '../../wat/layout.ts';
import type { RunConfig } from './run-config.ts';

export interface PullSetup {
  index: PullIndex;
  driver: PullWalkDriver;
  mode: PullModeDriver;
  /** With --chips: every chip's shared memory (Layer A and cache) as the hub mirrors it. */
  chips?: Chips;
}

/** Where the run's HNSW index comes from: its --index file, else the cache (opts.cacheDir). */
export interface IndexSource {
  indexPath?: string;
}

/**
 * The run's HNSW index over the values the tiles compute with, built or loaded (--index,
 * else the cache), for pull mode or push-hnsw; a corrupt --index file is a one-line error.
 */
export function obtainRunIndex(config: RunConfig, source: IndexSource, encoded: EncodedDataset, prng: Prng, settings: PullSettings, opts: { cacheDir?: string | null } = {}): PullIndex {
  try {
    return PullIndex.obtain(encoded.decodedBase, encoded.dim, config.metric, settings, prng.derive('hnsw'), {
      seed: config.seed,
      ...(source.indexPath ? { indexPath: source.indexPath } : {}),
      ...(opts.cacheDir !== undefined ? { cacheDir: opts.cacheDir } : {}),
    });
  } catch (err) {
    if (err instanceof IndexFormatError) throw new CliError(`--index: ${err.message}`);
    throw err;
  }
}

export function setUpPull(config: RunConfig, encoded: EncodedDataset, prng: Prng, options: ModeOptions, opts: { cacheDir?: string | null } = {}): PullSetup {
  const p = config.pull;
  const index = obtainRunIndex(config, p, encoded, prng, { ef: p.ef, walks: p.walks, split: p.split, M: p.M, efConstruction: p.efConstruction, seedsPerWalk: 1, descent: p.descent }, opts);
  const chips = config.chips ? setUpChips(config.chips, index, encoded) : undefined;
  const chipBlocks = chips ? { chips: new ChipBlocks(chips, encoded.dim, encoded.lz4) } : {};
  const beam = config.chips?.beam ? { beam: new ChipBeam() } : {};
  const driver = new PullWalkDriver(encoded, index, { integrity: options.integrity, verifyCrc: config.verifyCrc, ...chipBlocks, ...beam });
  const mode = new PullModeDriver(encoded, options, driver, config.chips?.beam ? config.chips.tilesPerChip : undefined);
  return { index, driver, mode, ...(chips ? { chips } : {}) };
}

/** Every chip's shared memory for the run's index (Layer A pinned); a memory too small is a one-line error. */
export function setUpChips(layout: ChipLayout, index: PullIndex, encoded: EncodedDataset): Chips {
  const stride = strideBytes(DTYPE_FP16, encoded.dim);
  try {
    return new Chips(layout, chipLayerA(index, stride), stride);
  } catch (err) {
    if (err instanceof ChipLayoutError) throw new CliError(err.message);
    throw err;
  }
}
