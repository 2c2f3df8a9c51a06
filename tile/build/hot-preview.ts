// The Hot image assembled in memory (Core sources wat/*.wat plus wat/hot/*.wat, the same
// preprocessor, assembler and strict rewriting as the kernel build) for the PQ6 tests and
// its recall bench, until the Hot image is built and signed with the other kernels
// (branch hot1024); then loadKernel('hot-simd') replaces it.
import { join } from 'node:path';
import { compileKernel, type LoadedKernel } from '../kernel-module.ts';
import { assembleWat } from './assemble.ts';
import { instrumentBinary } from './binary-instrument.ts';
import { kernelSources, moduleText } from './build-kernel.ts';
import { WAT_DIR } from './paths.ts';
import { stripCustomSections } from './wasm-sections.ts';

export const HOT_PREVIEW_BUILDS = ['hot-simd', 'hot-scalar', 'hot-simd-strict'] as const;
export type HotPreviewBuild = (typeof HOT_PREVIEW_BUILDS)[number];

/** `edit` rewrites the hot sources' text (a mutant for a test that must see a check fail). */
export async function assembleHotPreview(build: HotPreviewBuild, edit: (text: string) => string = (t) => t): Promise<LoadedKernel> {
  const flavor = build.includes('scalar') ? 'scalar' : 'simd';
  const hot = kernelSources(join(WAT_DIR, 'hot')).map((s) => ({ ...s, text: edit(s.text) }));
  const named = await assembleWat(moduleText(flavor, [...kernelSources(), ...hot]), { variant: `hot-${flavor}`, simd: flavor === 'simd', optimize: true });
  const plain = stripCustomSections(named);
  const bytes = build.endsWith('-strict') ? instrumentBinary(build, plain, { strict: true, fuel: false }) : plain;
  return compileKernel(build, bytes, false);
}
