// The Hot image builds the PQ6 tests run on, assembled once per test file
// (tile/build/hot-preview.ts, until the Hot image is built with the other kernels).
import { assembleHotPreview, HOT_PREVIEW_BUILDS, type HotPreviewBuild } from '../../tile/build/hot-preview.ts';
import type { LoadedKernel } from '../../tile/kernel-module.ts';

export const HOT_BUILDS = HOT_PREVIEW_BUILDS;
export type HotBuild = HotPreviewBuild;
export const assembleHot = assembleHotPreview;

const cache = new Map<string, Promise<LoadedKernel>>();

export function hotKernel(build: HotBuild): Promise<LoadedKernel> {
  let k = cache.get(build);
  if (!k) cache.set(build, (k = assembleHotPreview(build)));
  return k;
}
