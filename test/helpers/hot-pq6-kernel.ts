// Until the Hot image is built with the other kernels (branch hot1024), the PQ6 tests
// assemble it here: the Core sources (wat/*.wat) plus wat/hot/*.wat, through the same
// preprocessor and assembler, and the strict build through the same binary rewriting.
import { join } from 'node:path';
import { kernelSources, moduleText } from '../../tile/build/build-kernel.ts';
import { assembleWat } from '../../tile/build/assemble.ts';
import { instrumentBinary } from '../../tile/build/binary-instrument.ts';
import { WAT_DIR } from '../../tile/build/paths.ts';
import { stripCustomSections } from '../../tile/build/wasm-sections.ts';
import { compileKernel, type LoadedKernel } from '../../tile/kernel-module.ts';

export const HOT_BUILDS = ['hot-simd', 'hot-scalar', 'hot-simd-strict'] as const;
export type HotBuild = (typeof HOT_BUILDS)[number];

const cache = new Map<string, Promise<LoadedKernel>>();

/** `edit` rewrites the hot sources' text (a mutant for a test that must see a check fail). */
export async function assembleHot(build: HotBuild, edit: (text: string) => string = (t) => t): Promise<LoadedKernel> {
  const flavor = build.includes('scalar') ? 'scalar' : 'simd';
  const hot = kernelSources(join(WAT_DIR, 'hot')).map((s) => ({ ...s, text: edit(s.text) }));
  const sources = [...kernelSources(), ...hot];
  const named = await assembleWat(moduleText(flavor, sources), { variant: `hot-${flavor}`, simd: flavor === 'simd', optimize: true });
  const plain = stripCustomSections(named);
  const strict = build.endsWith('-strict');
  const bytes = strict ? instrumentBinary(build, plain, { strict: true, fuel: false }) : plain;
  return compileKernel(build, bytes, false);
}

/** The Hot image of one build, assembled once per test file. */
export function hotKernel(build: HotBuild): Promise<LoadedKernel> {
  let k = cache.get(build);
  if (!k) cache.set(build, (k = assembleHot(build)));
  return k;
}
