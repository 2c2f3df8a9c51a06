// The Hot image builds the PQ6 tests run on (build/kernel/hot-*.wasm, built by
// `npm run build:kernel` with the Core ones), and mutants of it: the Hot sources with an
// edit, assembled here, for tests that must see a conformance check fail.
import { assembleWat } from '../../tile/build/assemble.ts';
import { kernelSources, moduleText } from '../../tile/build/build-kernel.ts';
import { WAT_DIR } from '../../tile/build/paths.ts';
import { stripCustomSections } from '../../tile/build/wasm-sections.ts';
import { compileKernel, loadKernel, type LoadedKernel } from '../../tile/kernel-module.ts';

export const HOT_BUILDS = ['hot-simd', 'hot-scalar', 'hot-simd-strict'] as const;
export type HotBuild = (typeof HOT_BUILDS)[number];

export async function hotKernel(build: HotBuild): Promise<LoadedKernel> {
  return loadKernel(build);
}

/** The Hot image of one flavor with `edit` applied to every source file's text. */
export async function assembleHot(build: 'hot-simd' | 'hot-scalar', edit: (text: string) => string): Promise<LoadedKernel> {
  const flavor = build === 'hot-scalar' ? 'scalar' : 'simd';
  const sources = kernelSources(WAT_DIR, 'hot').map((s) => ({ ...s, text: edit(s.text) }));
  const named = await assembleWat(moduleText(flavor, sources, 'hot'), { variant: `${build}-mutant`, simd: flavor === 'simd', optimize: true });
  return compileKernel(`${build}-mutant`, stripCustomSections(named), false, 'hot');
}
