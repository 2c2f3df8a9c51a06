// Shared inputs and one-call runners for the kernel tests (not a test file itself).
import { runOnTile, type KernelCase, type KernelRun } from '../tile/conformance/cases.ts';
import { TileInstance } from '../tile/tile-instance.ts';

export { ALL_DTYPES, dtypeName, ids, randomCase, randomVector, runOnTile, type KernelCase, type KernelRun } from '../tile/conformance/cases.ts';

export const SEED = 20240611;

export function runCase(build: string, c: KernelCase): KernelRun {
  return runOnTile(new TileInstance(0, build), c);
}

