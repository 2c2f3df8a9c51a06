// Push-hnsw's part of a simulation: the HNSW index over what the tiles compute with (the
// fp16 data as decoded) -- the very index pull mode uses with one walk (same PRNG path, so
// the same cache entry or --index file) -- the search orchestration, and the mode's driver.
import type { ModeOptions } from '../../hub/core/mode-driver.ts';
import type { EncodedDataset } from '../../hub/encoded-dataset.ts';
import type { HnswIndex } from '../../hub/hnsw/index.ts';
import { PushHnswModeDriver } from '../../hub/modes/push-hnsw-mode.ts';
import type { Prng } from '../../hub/prng.ts';
import { PushHnswDriver } from '../../hub/push-hnsw/push-hnsw-driver.ts';
import { TOPK_MAX } from '../../wat/layout.ts';
import { obtainRunIndex, setUpChips } from './pull-setup.ts';
import { ChipBlocks } from '../../hub/chip/chip-blocks.ts';
import type { Chips } from '../../hub/chip/chip-memory.ts';
import { pushHnswIndex, type RunConfig } from './run-config.ts';

export interface PushHnswSetup {
  index: HnswIndex;
  /** 'built' | 'cache' | 'file', and the path. */
  indexFrom: string;
  driver: PushHnswDriver;
  mode: PushHnswModeDriver;
  /** With --chips: every chip's shared memory as the hub mirrors it. */
  chips?: Chips;
}

export function setUpPushHnsw(config: RunConfig, encoded: EncodedDataset, prng: Prng, options: ModeOptions, opts: { cacheDir?: string | null } = {}): PushHnswSetup {
  const h = pushHnswIndex(config);
  // One walk over one index: exactly pull mode's index with --walks 1.
  const pulled = obtainRunIndex(config, h, encoded, prng, { ef: TOPK_MAX, walks: 1, split: 'entries', M: h.M, efConstruction: h.efConstruction, seedsPerWalk: 1 }, opts);
  const source = pulled.sources[0]!;
  const driver = new PushHnswDriver(source.index.graph, {
    ef: config.pushHnsw.ef,
    k: config.k,
    batchSize: TOPK_MAX,
    tileCount: config.tiles,
    concurrency: config.concurrency,
  });
  const chips = config.chips ? setUpChips(config.chips, pulled, encoded) : undefined;
  const mode = new PushHnswModeDriver(encoded, options, driver, chips ? new ChipBlocks(chips, encoded.dim, encoded.lz4) : null);
  return { index: source.index, indexFrom: `${source.from}${source.path ? ` (${source.path})` : ''}`, driver, mode, ...(chips ? { chips } : {}) };
}
