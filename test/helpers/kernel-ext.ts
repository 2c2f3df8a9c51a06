// Shared setup for the kernel extension tests (CRC32C, header, SQ, PQ, neighbors):
// fresh tiles per build, config writing, and memory snapshots that prove an error
// wrote nothing outside the intended output.
import { expect } from 'vitest';
import { TileInstance } from '../../tile/tile-instance.ts';
import { CFG_DIM, CFG_DTYPE, CFG_K, CFG_METRIC, CFG_PROFILE, CONFIG_BYTES, DATA_BASE, IO_PTR, MEMORY_BYTES, STATE_PTR, ST_LAST_STATUS, WORK_BYTES, WORK_PTR } from '../../wat/layout.ts';
import { OK } from '../../wat/status.ts';

/** Builds whose results must agree bit for bit. */
export const CONFORMANCE_BUILDS = ['simd', 'scalar'] as const;
/** Builds every bad-input test runs on; simd-strict traps on any access outside the windows. */
export const BAD_INPUT_BUILDS = ['simd', 'scalar', 'simd-strict'] as const;

export interface TileConfig {
  profile?: number;
  dtype?: number;
  metric?: number;
  k?: number;
  dim?: number;
}

/** A tile after rvf_init with the given config (written through the I/O buffer). */
export function initTile(build: string, cfg: TileConfig = {}): TileInstance {
  const tile = new TileInstance(0, build);
  const v = tile.view;
  tile.bytes.fill(0, IO_PTR, IO_PTR + CONFIG_BYTES);
  v.setUint8(IO_PTR + CFG_PROFILE, cfg.profile ?? 1);
  v.setUint8(IO_PTR + CFG_DTYPE, cfg.dtype ?? 1);
  v.setUint8(IO_PTR + CFG_METRIC, cfg.metric ?? 0);
  v.setUint8(IO_PTR + CFG_K, cfg.k ?? 10);
  v.setUint16(IO_PTR + CFG_DIM, cfg.dim ?? 0, true);
  expect(tile.call('rvf_init', IO_PTR)).toBe(OK);
  return tile;
}

export function snapshot(tile: TileInstance): Uint8Array {
  return tile.bytes.slice();
}

/** Every byte of the tile's windows equals the snapshot, except inside the allowed ranges. */
export function expectUnchangedExcept(tile: TileInstance, before: Uint8Array, allowed: [number, number][] = []): void {
  const now = tile.bytes;
  for (let a = DATA_BASE; a < MEMORY_BYTES; a++) {
    if (now[a] === before[a]) continue;
    if (allowed.some(([lo, hi]) => a >= lo && a < hi)) continue;
    throw new Error(`byte 0x${a.toString(16)} changed from 0x${before[a]!.toString(16)} to 0x${now[a]!.toString(16)}`);
  }
}

/** The state region's last-status field. */
export function lastStatus(tile: TileInstance): number {
  return tile.view.getUint32(STATE_PTR + ST_LAST_STATUS, true);
}

/** The last-status field's bytes: an export whose result is not a status may write it. */
export const LAST_STATUS_RANGE: [number, number] = [STATE_PTR + ST_LAST_STATUS, STATE_PTR + ST_LAST_STATUS + 4];
/** The work counters: an export that did work (a CRC it ran, candidates it merged) counts it. */
export const WORK_RANGE: [number, number] = [WORK_PTR, WORK_PTR + WORK_BYTES];

/** Deterministic bytes (xorshift32) for test data. */
export function pseudoRandomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
