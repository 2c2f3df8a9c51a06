// Shared inputs and one-call runners for the kernel tests (not a test file itself).
import { Prng } from '../hub/prng.ts';
import { DTYPE_BITS, DTYPE_FP16, DTYPE_I8 } from '../wat/layout.ts';
import { OK } from '../wat/status.ts';
import { computeDistances, initTile, loadQuery, mergeIds, placeBlock, readTopK, type TopKEntry } from '../tile/kernel-calls.ts';
import { encodeFp16, encodeI8, packBits, type Dtype } from '../tile/reference/vector-layout.ts';
import { TileInstance } from '../tile/tile-instance.ts';

export const SEED = 20240611;

export interface KernelCase {
  name: string;
  dtype: Dtype;
  dim: number;
  metric: number;
  k: number;
  query: Uint8Array;
  vectors: Uint8Array[];
  firstId: bigint;
}

export interface KernelRun {
  distBits: Uint32Array;
  topk: TopKEntry[];
}

export function randomVector(prng: Prng, dtype: Dtype, dim: number): Uint8Array {
  const values: number[] = [];
  if (dtype === DTYPE_FP16) {
    for (let i = 0; i < dim; i++) values.push(prng.gaussian() * 2);
    return encodeFp16(values);
  }
  if (dtype === DTYPE_I8) {
    for (let i = 0; i < dim; i++) values.push(prng.nextInt(-128, 127));
    return encodeI8(values);
  }
  for (let i = 0; i < dim; i++) values.push(prng.nextInt(0, 1));
  return packBits(values);
}

export function randomCase(prng: Prng, name: string, dtype: Dtype, dim: number, metric: number, count: number, k: number): KernelCase {
  return {
    name,
    dtype,
    dim,
    metric,
    k,
    query: randomVector(prng, dtype, dim),
    vectors: Array.from({ length: count }, () => randomVector(prng, dtype, dim)),
    firstId: BigInt(prng.nextInt(0, 1_000_000)) * 1_000_003n,
  };
}

export function dtypeName(dtype: Dtype): string {
  return dtype === DTYPE_FP16 ? 'fp16' : dtype === DTYPE_I8 ? 'i8' : 'bits';
}

export function ids(c: KernelCase): bigint[] {
  return c.vectors.map((_, i) => c.firstId + BigInt(i));
}

function check(what: string, status: number): void {
  if (status !== OK) throw new Error(`${what} returned status ${status}`);
}

/** init, load query, place block, distances, merge, read: the whole core path on a tile. */
export function runOnTile(tile: TileInstance, c: KernelCase): KernelRun {
  check('rvf_init', initTile(tile, { dtype: c.dtype, dim: c.dim, metric: c.metric, k: c.k }));
  check('rvf_load_query', loadQuery(tile, c.dtype, c.query, c.dim));
  check('rvf_load_block', placeBlock(tile, c.dtype, c.dim, c.vectors));
  const { status, bits } = computeDistances(tile, c.metric, c.vectors.length);
  check('rvf_distances', status);
  check('rvf_topk_merge', mergeIds(tile, ids(c), c.k));
  const read = readTopK(tile);
  check('rvf_topk_read', read.status);
  return { distBits: bits, topk: read.entries };
}

export function runCase(build: string, c: KernelCase): KernelRun {
  return runOnTile(new TileInstance(0, build), c);
}

export const ALL_DTYPES: readonly Dtype[] = [DTYPE_FP16, DTYPE_I8, DTYPE_BITS];
