// The Hot image's builds for the LZ4 tests (the decoder is wat/hot/20-lz4.wat, in no Core
// build): hot-simd, hot-scalar, and hot-simd-strict, whose window checks trap on any access
// outside the tile's windows.
import type { Flavor } from '../../tile/build/preprocess.ts';
import { loadKernel, type LoadedKernel } from '../../tile/kernel-module.ts';

export function lz4Kernel(flavor: Flavor, strict: boolean): { kernel: LoadedKernel } {
  return { kernel: loadKernel(`hot-${flavor}${strict ? '-strict' : ''}`) };
}
