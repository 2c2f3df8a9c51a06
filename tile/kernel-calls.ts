// Host-side calls into one tile's core query path: write inputs at the layout's addresses,
// call the export, read the outputs. The hub and the tests share these so every caller
// lays out queries and blocks the same way (tile/reference/vector-layout.ts).
import {
  BLOCK_PTR,
  CFG_DIM,
  CFG_DTYPE,
  CFG_K,
  CFG_METRIC,
  CFG_PROFILE,
  CFG_TILE_ID,
  CONFIG_BYTES,
  CONFIG_PTR,
  DIST_PTR,
  IDS_PTR,
  IO_PTR,
  RESULT_AUX,
  RESULT_DIST,
  RESULT_ENTRY_BYTES,
  RESULT_ID,
  ST_TOPK_LEN,
  STATE_PTR,
  TEMP_PTR,
} from '../wat/layout.ts';
import { OK, statusName } from '../wat/status.ts';
import { f32FromBits } from './reference/fp16.ts';
import { layoutBlock, rawVectorBytes, type Dtype } from './reference/vector-layout.ts';
import type { TileInstance } from './tile-instance.ts';

export class KernelCallError extends Error {
  constructor(
    readonly exportName: string,
    readonly status: number,
  ) {
    super(`${exportName} returned ${statusName(status)} (${status})`);
    this.name = 'KernelCallError';
  }
}

/** Throws KernelCallError unless status is OK; returns it otherwise. */
export function expectOk(exportName: string, status: number): number {
  if (status !== OK) throw new KernelCallError(exportName, status);
  return status;
}

export interface TileConfig {
  tileId?: number;
  profile?: number; // 1 core (default), 2 hot
  dtype: Dtype;
  metric?: number;
  k?: number;
  dim: number;
}

/** rvf_init with a 64 B config staged in the I/O buffer; returns the status. */
export function initTile(tile: TileInstance, config: TileConfig, stagePtr = IO_PTR): number {
  const bytes = new Uint8Array(CONFIG_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint32(CFG_TILE_ID, config.tileId ?? tile.tileId, true);
  view.setUint8(CFG_PROFILE, config.profile ?? 1);
  view.setUint8(CFG_DTYPE, config.dtype);
  view.setUint8(CFG_METRIC, config.metric ?? 0);
  view.setUint8(CFG_K, config.k ?? 10);
  view.setUint16(CFG_DIM, config.dim, true);
  tile.bytes.set(bytes, stagePtr);
  return tile.call('rvf_init', stagePtr);
}

/** Config dtype and dim as the kernel will read them. */
export function tileShape(tile: TileInstance): { dtype: number; dim: number } {
  return { dtype: tile.view.getUint8(CONFIG_PTR + CFG_DTYPE), dim: tile.view.getUint16(CONFIG_PTR + CFG_DIM, true) };
}

/**
 * Writes the raw query (dim*2 B fp16, dim B i8, ceil(dim/8) B bits) at `at` (the I/O
 * buffer by default) and calls rvf_load_query. The kernel takes the dtype from the tile
 * config, so a config with another dtype is a caller bug.
 */
export function loadQuery(tile: TileInstance, dtype: Dtype, vectorBytes: Uint8Array, dim: number, at = IO_PTR): number {
  const configured = tileShape(tile).dtype;
  if (configured !== dtype) throw new RangeError(`tile ${tile.tileId} is configured for dtype ${configured}, not ${dtype}`);
  if (vectorBytes.length !== rawVectorBytes(dtype, dim)) {
    throw new RangeError(`query has ${vectorBytes.length} B, dtype ${dtype} dim ${dim} needs ${rawVectorBytes(dtype, dim)} B`);
  }
  tile.bytes.set(vectorBytes, at);
  return tile.call('rvf_load_query', at, dim);
}

/** Lays the raw vectors out at the block region (stride for the config dim) and calls rvf_load_block. */
export function placeBlock(tile: TileInstance, dtype: Dtype, dim: number, vectors: readonly Uint8Array[], at = BLOCK_PTR): number {
  tile.bytes.set(layoutBlock(dtype, dim, vectors), at);
  return tile.call('rvf_load_block', at, vectors.length, dtype);
}

/** rvf_distances into `resultPtr`; the distances as f32 bits (empty on error). */
export function computeDistances(tile: TileInstance, metric: number, count: number, resultPtr = DIST_PTR): { status: number; bits: Uint32Array } {
  const status = tile.call('rvf_distances', metric, resultPtr);
  if (status !== OK) return { status, bits: new Uint32Array(0) };
  const bits = new Uint32Array(count);
  for (let i = 0; i < count; i++) bits[i] = tile.view.getUint32(resultPtr + i * 4, true);
  return { status, bits };
}

/** Writes ids at IDS_PTR and merges the distances at DIST_PTR (from computeDistances). */
export function mergeIds(tile: TileInstance, ids: readonly bigint[], k: number, distPtr = DIST_PTR, idPtr = IDS_PTR): number {
  ids.forEach((id, i) => tile.view.setBigUint64(idPtr + i * 8, id, true));
  return tile.call('rvf_topk_merge', distPtr, idPtr, ids.length, k);
}

/** Writes candidates (f32 bits, ids) at DIST_PTR/IDS_PTR and merges them. */
export function mergeCandidates(tile: TileInstance, candidates: readonly { id: bigint; distBits: number }[], k: number): number {
  candidates.forEach((c, i) => tile.view.setUint32(DIST_PTR + i * 4, c.distBits >>> 0, true));
  return mergeIds(tile, candidates.map((c) => c.id), k);
}

export interface TopKEntry {
  id: bigint;
  distBits: number;
  distance: number;
  aux: number;
}

/** rvf_topk_read into `outPtr` (TEMP by default); the entries (ST_TOPK_LEN of them). */
export function readTopK(tile: TileInstance, outPtr = TEMP_PTR): { status: number; entries: TopKEntry[] } {
  const status = tile.call('rvf_topk_read', outPtr);
  if (status !== OK) return { status, entries: [] };
  const len = tile.view.getUint32(STATE_PTR + ST_TOPK_LEN, true);
  const entries: TopKEntry[] = [];
  for (let i = 0; i < len; i++) {
    const e = outPtr + i * RESULT_ENTRY_BYTES;
    const distBits = tile.view.getUint32(e + RESULT_DIST, true);
    entries.push({ id: tile.view.getBigUint64(e + RESULT_ID, true), distBits, distance: f32FromBits(distBits), aux: tile.view.getUint32(e + RESULT_AUX, true) });
  }
  return { status, entries };
}
