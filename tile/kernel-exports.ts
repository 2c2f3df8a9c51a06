import type { KernelImage } from '../wat/layout.ts';
// The kernel's exports as the host sees them: spec section 3's fourteen plus the
// message entry point. i64 parameters and results cross as BigInt.
export interface KernelExports {
  rvf_init(configPtr: number): number;
  rvf_load_query(queryPtr: number, dim: number): number;
  rvf_load_block(blockPtr: number, count: number, dtype: number): number;
  rvf_distances(metric: number, resultPtr: number): number;
  rvf_topk_merge(distPtr: number, idPtr: number, count: number, k: number): number;
  rvf_topk_read(outPtr: number): number;
  rvf_load_sq_params(paramsPtr: number, dim: number): number;
  rvf_dequant_i8(srcPtr: number, dstPtr: number, count: number): number;
  /**
   * Core image: the whole 8-bit codebook (K centroids a subspace). Hot image: PQ with 6-bit
   * codes (wat/hot/30-pq6.wat), a table piece from `count` subspaces of the 64-centroid
   * codebook starting at subspace `k` (K is 64 by the code width, so the spec's K slot
   * names the first subspace); see pqCodeBits.
   */
  rvf_load_pq_codebook(codebookPtr: number, m: number, k: number, count?: number): number;
  rvf_pq_distances(codesPtr: number, count: number, resultPtr: number): number;
  rvf_load_neighbors(nodeId: bigint, layer: number, outPtr: number): number;
  rvf_greedy_step(currentId: bigint, layer: number): bigint;
  rvf_verify_header(headerPtr: number): number;
  rvf_crc32c(dataPtr: number, len: number): number;
  rvf_on_message(): number;
  /** Hot image only (wat/hot/20-lz4.wat): an LZ4 block at src into exactly dstLen bytes at dst. */
  rvf_lz4_decompress(srcPtr: number, srcLen: number, dstPtr: number, dstLen: number, windowPtr: number): number;
}

/**
 * The width of PQ codes behind rvf_load_pq_codebook / rvf_pq_distances in an image: the Hot
 * image holds PQ with 6-bit codes under the spec's names instead of Core's 8-bit PQ (spec
 * section 5: the Hot profile's quantization is "i8 scalar + PQ (6-bit)"; docs/size-budget.md
 * "Two images"), so both images have all fourteen spec exports and the Hot image fits 8 KB.
 */
export function pqCodeBits(image: KernelImage): 6 | 8 {
  return image === 'hot' ? 6 : 8;
}

export const CORE_EXPORTS = [
  'rvf_init',
  'rvf_load_query',
  'rvf_load_block',
  'rvf_distances',
  'rvf_topk_merge',
  'rvf_topk_read',
] as const;

export const ALL_EXPORTS = [
  ...CORE_EXPORTS,
  'rvf_load_sq_params',
  'rvf_dequant_i8',
  'rvf_load_pq_codebook',
  'rvf_pq_distances',
  'rvf_load_neighbors',
  'rvf_greedy_step',
  'rvf_verify_header',
  'rvf_crc32c',
  'rvf_on_message',
] as const;

/**
 * The exports only the Hot image has (wat/hot/; docs/kernel-authoring.md "The Hot image"):
 * a Hot build missing one is incomplete (`cogsim budget` exits 1).
 */
export const HOT_ONLY_EXPORTS: readonly string[] = ['rvf_lz4_decompress'];
