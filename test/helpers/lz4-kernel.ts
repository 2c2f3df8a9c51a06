// A kernel holding the LZ4 decoder (wat/hot/20-lz4.wat) for the LZ4 tests: the Core
// sources plus that file, assembled and optimized as the builds are, and optionally
// rewritten with the strict window checks (an access outside the tile's windows traps).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assembleWat } from '../../tile/build/assemble.ts';
import { instrumentBinary } from '../../tile/build/binary-instrument.ts';
import { kernelSources, moduleText } from '../../tile/build/build-kernel.ts';
import { WAT_DIR } from '../../tile/build/paths.ts';
import type { Flavor } from '../../tile/build/preprocess.ts';
import { stripCustomSections } from '../../tile/build/wasm-sections.ts';
import { compileKernel, type LoadedKernel } from '../../tile/kernel-module.ts';

export const LZ4_WAT = join(WAT_DIR, 'hot', '20-lz4.wat');

const cache = new Map<string, Promise<{ kernel: LoadedKernel; plainBytes: number }>>();

export function lz4Kernel(flavor: Flavor, strict: boolean): Promise<{ kernel: LoadedKernel; plainBytes: number }> {
  const name = `${flavor}-lz4${strict ? '-strict' : ''}`;
  let hit = cache.get(name);
  if (!hit) {
    hit = (async () => {
      const sources = [...kernelSources(), { file: LZ4_WAT, text: readFileSync(LZ4_WAT, 'utf8') }];
      const named = await assembleWat(moduleText(flavor, sources), { variant: name, simd: flavor === 'simd', optimize: true });
      const plain = stripCustomSections(named);
      const bytes = strict ? instrumentBinary(name, plain, { strict: true, fuel: false }) : plain;
      return { kernel: compileKernel(name, bytes, false), plainBytes: plain.length };
    })();
    cache.set(name, hit);
  }
  return hit;
}
