// The checked image of a user's kernel: the window checks and the watchdog written into its
// binary (tile/build/binary-instrument.ts), compiled and remembered for loadChosenKernel. It
// is async because binaryen loads asynchronously (and only when a --kernel-file needs it).
import { compileKernel, loadChosenKernel, loadPlainKernel, rememberCheckedImage, type KernelChoice, type LoadedKernel } from './kernel-module.ts';

/** Verifies the chosen kernel, instruments a --kernel-file, and returns what the run will execute. */
export async function prepareCheckedKernel(choice: KernelChoice): Promise<LoadedKernel> {
  const plain = loadPlainKernel(choice);
  if (choice.kernelPath && !choice.unchecked) {
    const { instrumentBinary } = await import('./build/binary-instrument.ts');
    const bytes = instrumentBinary(plain.variant, plain.bytes, { strict: true, fuel: true });
    // Not budgeted: the budget was measured on the plain image above.
    const checked = compileKernel(plain.variant, bytes, false, plain.image);
    rememberCheckedImage(plain, { ...checked, ...(plain.manifest ? { manifest: plain.manifest } : {}) });
  }
  return loadChosenKernel(choice);
}
