// Small pieces every conformance check shares: the result shape, the sink that feeds the
// same-bytes-twice digest, hex formatting, and the guard that turns a trap or a failed
// call into the check's first difference instead of an exception.
import type { LoadedKernel } from '../kernel-module.ts';
import { TileInstance } from '../tile-instance.ts';
import { initTile, expectOk, KernelCallError } from '../kernel-calls.ts';
import { TileTrap } from '../tile-trap.ts';
import type { Dtype } from '../reference/vector-layout.ts';

export interface CheckResult {
  name: string;
  pass: boolean;
  cases: number;
  /** The first difference: the input, what the reference expects, what the kernel gave. */
  firstDifference?: string;
}

/** Everything a check observed, for the same-bytes-twice check. */
export type Sink = (bytes: Uint8Array | string) => void;

export const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
export const hex16 = (n: number) => `0x${(n & 0xffff).toString(16).padStart(4, '0')}`;

/**
 * Runs body; a returned string is the check's first difference, and so is what a kernel
 * can cause: a trap, a refused call, a reply that does not decode (ProtocolError, a layer
 * above, matched by name). Anything else is a bug in the fixture and is thrown.
 */
export function guardedCheck(name: string, cases: number, body: () => string | undefined): CheckResult {
  let diff: string | undefined;
  try {
    diff = body();
  } catch (err) {
    if (!(err instanceof TileTrap || err instanceof KernelCallError || (err as Error).name === 'ProtocolError')) throw err;
    diff = (err as Error).message;
  }
  return diff ? { name, pass: false, cases, firstDifference: diff } : { name, pass: true, cases };
}

/** A fresh tile after rvf_init (throws KernelCallError when init is refused). */
export function initedTile(kernel: LoadedKernel, dtype: Dtype, dim: number, metric = 0, k = 10): TileInstance {
  const tile = new TileInstance(0, kernel);
  expectOk('rvf_init', initTile(tile, { dtype, dim, metric, k }));
  return tile;
}
