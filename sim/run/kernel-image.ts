// Which kernel image a run's tiles load (docs/size-budget.md "Two images", docs/chips.md
// "Hot data"). Data a Core tile can read runs on the Core image, chips or not, so every run
// of Core data is what it was. Hot data (tile/pack/profile.ts: fp16 above 384 dims) runs
// on chips, whose tiles load the Hot image; on bare Core tiles it is refused with the reason
// (the profile check in simulation.ts), as it is with a --kernel-file (a Core image).
import { hotTwinOf } from '../../tile/build/variants.ts';
import { dataProfile, type DataShape } from '../../tile/pack/profile.ts';
import { PROFILE_CORE, PROFILE_HOT } from '../../tile/reference/segment-header.ts';
import type { KernelImage } from '../../wat/layout.ts';
import type { RunConfig } from './run-config.ts';

export interface TilesChoice {
  image: KernelImage;
  /** The build to load (the run's --kernel, or its Hot twin). */
  kernel: string;
  /** The profile the tiles offer, and how to name them in a refusal. */
  profile: { id: number; source: string };
}

/** The data's shape for the profile rule: PQ6 codes are PQ (a Hot feature) over fp16 queries. */
export function runDataShape(c: Pick<RunConfig, 'dtype'>, dim: number): DataShape {
  return c.dtype === 'pq6' ? { dtype: 'fp16', dim, pq: true } : { dtype: c.dtype, dim };
}

/** The image the run's tiles load for data of `dim` (fp16, i8 or PQ6 on the wire). */
export function runImage(c: Pick<RunConfig, 'chips' | 'kernelPath' | 'dtype' | 'lz4'>, dim: number): KernelImage {
  const hotData = dataProfile(runDataShape(c, dim)).profile === PROFILE_HOT;
  // --lz4: only the Hot image decodes LZ4 chunks (docs/protocol.md "LZ4 chunks"); the run
  // checks refuse it without --chips, the CLI with --kernel-file and --pack.
  if (c.lz4) return 'hot';
  return hotData && c.chips !== undefined && c.kernelPath === undefined ? 'hot' : 'core';
}

export function tilesForRun(c: RunConfig, shape: DataShape): TilesChoice {
  if (runImage(c, shape.dim) === 'hot') {
    return { image: 'hot', kernel: hotTwinOf(c.kernel), profile: { id: PROFILE_HOT, source: `chip tiles running the Hot image ${hotTwinOf(c.kernel)}` } };
  }
  const hotData = dataProfile(shape).profile === PROFILE_HOT;
  const named = c.kernelPath ? `--kernel-file ${c.kernelPath}, a Core image` : `kernel ${c.kernel}`;
  const hint = !hotData ? '' : c.kernelPath ? '; Hot data runs on the Hot image only, without --kernel-file' : c.chips ? '' : '; Hot data runs on chips, add --chips N (their tiles load the Hot image)';
  return { image: 'core', kernel: c.kernel, profile: { id: PROFILE_CORE, source: `bare Core tiles, ${named}${hint}` } };
}
