// Runs the kernel's LZ4 decoder on one tile: the block in the scratch window's upper half,
// the output (after its dictionary) in the lower half, and a snapshot of all memory so a
// test can prove which bytes the call changed.
import { expect } from 'vitest';
import { TileInstance } from '../../tile/tile-instance.ts';
import type { LoadedKernel } from '../../tile/kernel-module.ts';
import { BLOCK_PTR, STATE_PTR, ST_LZ4_SEQUENCES, WK_IO_BYTES, WORK_PTR } from '../../wat/layout.ts';
import { OK } from '../../wat/status.ts';

export const LZ4_SRC_PTR = BLOCK_PTR + 0x8000;
export const LZ4_DST_PTR = BLOCK_PTR;

export interface KernelLz4Run {
  status: number;
  /** The output region after the call. */
  bytes: Uint8Array;
  ioBytes: number;
  sequences: number;
}

export function freshTile(kernel: LoadedKernel): TileInstance {
  return new TileInstance(0, kernel);
}

/**
 * Decodes `block` into `size` bytes after `dict` (the window starts at the dictionary).
 * Checks that a refusal changed no byte of memory and that a success changed only the
 * output, the I/O counter and the sequence counter.
 */
export function kernelLz4(tile: TileInstance, block: Uint8Array, size: number, dictionary?: Uint8Array): KernelLz4Run {
  const dict = dictionary ?? new Uint8Array(0);
  const window = LZ4_DST_PTR;
  const dst = window + dict.length;
  tile.bytes.set(block, LZ4_SRC_PTR);
  tile.bytes.set(dict, window);
  const before = tile.bytes.slice();
  const io0 = tile.view.getUint32(WORK_PTR + WK_IO_BYTES, true);
  const seq0 = tile.view.getUint32(STATE_PTR + ST_LZ4_SEQUENCES, true);
  const status = tile.call('rvf_lz4_decompress', LZ4_SRC_PTR, block.length, dst, size, window);
  const allowed: [number, number][] =
    status === OK ? [[dst, dst + size], [WORK_PTR + WK_IO_BYTES, WORK_PTR + WK_IO_BYTES + 4], [STATE_PTR + ST_LZ4_SEQUENCES, STATE_PTR + ST_LZ4_SEQUENCES + 4]] : [];
  const changed = tile.bytes.findIndex((b, a) => b !== before[a] && !allowed.some(([lo, hi]) => a >= lo && a < hi));
  expect(changed, changed >= 0 ? `byte 0x${changed.toString(16)} changed (status ${status})` : '').toBe(-1);
  return {
    status,
    bytes: tile.bytes.slice(dst, dst + size),
    ioBytes: (tile.view.getUint32(WORK_PTR + WK_IO_BYTES, true) - io0) >>> 0,
    sequences: (tile.view.getUint32(STATE_PTR + ST_LZ4_SEQUENCES, true) - seq0) >>> 0,
  };
}
