// The registry of search modes: a mode's name maps to what builds its driver for the hub
// core (and whatever the report needs of it). A new mode is a driver file under hub/modes/
// and one line here; the hub core does not change.
import type { ModeDriver, ModeOptions } from '../../hub/core/mode-driver.ts';
import type { EncodedDataset } from '../../hub/encoded-dataset.ts';
import { PushScanDriver } from '../../hub/modes/push-scan.ts';
import type { Prng } from '../../hub/prng.ts';
import { setUpPull, type PullSetup } from './pull-setup.ts';
import { setUpPushHnsw, type PushHnswSetup } from './push-hnsw-setup.ts';
import type { RunConfig, RunMode } from './run-config.ts';

export interface ModeSetup {
  driver: ModeDriver;
  /** Pull mode: the index and the walk server. */
  pull?: PullSetup;
  /** Push-hnsw: the index and the hub's search orchestration. */
  pushHnsw?: PushHnswSetup;
}

export type SetUpMode = (config: RunConfig, encoded: EncodedDataset, prng: Prng, options: ModeOptions, opts: { cacheDir?: string | null }) => ModeSetup;

export const MODES: Readonly<Record<RunMode, SetUpMode>> = {
  push: (_config, encoded, _prng, options) => ({ driver: new PushScanDriver(encoded, options) }),
  pull: (config, encoded, prng, options, opts) => {
    const pull = setUpPull(config, encoded, prng, options, opts);
    return { driver: pull.mode, pull };
  },
  'push-hnsw': (config, encoded, prng, options, opts) => {
    const pushHnsw = setUpPushHnsw(config, encoded, prng, options, opts);
    return { driver: pushHnsw.mode, pushHnsw };
  },
};
