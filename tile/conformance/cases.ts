// Inputs of the conformance fixture and the one-call runner of the core query path
// (init, query, block, distances, merge, read). Shared by `cogsim conform` and the kernel
// tests (test/kernel-fixtures.ts re-exports them).
import { DTYPE_BITS, DTYPE_FP16, DTYPE_I8 } from '../../wat/layout.ts';
import { computeDistances, expectOk, initTile, loadQuery, mergeIds, placeBlock, readTopK, type TopKEntry } from '../kernel-calls.ts';
import { encodeFp16, encodeI8, packBits, type Dtype } from '../reference/vector-layout.ts';
import type { TileInstance } from '../tile-instance.ts';

/** The seeded generator the fixture needs (hub/prng.ts's Prng satisfies it). */
export interface CaseRandom {
  gaussian(): number;
  nextInt(min: number, max: number): number;
}

export interface KernelCase {
  name: string;
  dtype: Dtype;
  dim: number;
  metric: number;
  k: number;
  query: Uint8Array;
  vectors: Uint8Array[];
  firstId: bigint;
  /** Ids of the vectors when not firstId + i (e.g. descending, so ties must still go low). */
  ids?: bigint[];
}

export interface KernelRun {
  distBits: Uint32Array;
  topk: TopKEntry[];
}

export const ALL_DTYPES: readonly Dtype[] = [DTYPE_FP16, DTYPE_I8, DTYPE_BITS];

export function randomVector(prng: CaseRandom, dtype: Dtype, dim: number): Uint8Array {
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

export function randomCase(prng: CaseRandom, name: string, dtype: Dtype, dim: number, metric: number, count: number, k: number): KernelCase {
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
  return c.ids ?? c.vectors.map((_, i) => c.firstId + BigInt(i));
}

/** init, load query, place block, distances, merge, read: the whole core path on a tile. */
export function runOnTile(tile: TileInstance, c: KernelCase): KernelRun {
  expectOk('rvf_init', initTile(tile, { dtype: c.dtype, dim: c.dim, metric: c.metric, k: c.k }));
  expectOk('rvf_load_query', loadQuery(tile, c.dtype, c.query, c.dim));
  expectOk('rvf_load_block', placeBlock(tile, c.dtype, c.dim, c.vectors));
  const { status, bits } = computeDistances(tile, c.metric, c.vectors.length);
  expectOk('rvf_distances', status);
  expectOk('rvf_topk_merge', mergeIds(tile, ids(c), c.k));
  const read = readTopK(tile);
  expectOk('rvf_topk_read', read.status);
  return { distBits: bits, topk: read.entries };
}
