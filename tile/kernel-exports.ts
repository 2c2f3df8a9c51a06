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
  rvf_load_pq_codebook(codebookPtr: number, m: number, k: number): number;
  rvf_pq_distances(codesPtr: number, count: number, resultPtr: number): number;
  rvf_load_neighbors(nodeId: bigint, layer: number, outPtr: number): number;
  rvf_greedy_step(currentId: bigint, layer: number): bigint;
  rvf_verify_header(headerPtr: number): number;
  rvf_crc32c(dataPtr: number, len: number): number;
  rvf_on_message(): number;
  /** Hot image only (wat/hot/30-pq6.wat): PQ with 6-bit codes. */
  rvf_pq6_table(codebookPtr: number, m: number, first: number, count: number): number;
  rvf_pq6_distances(codesPtr: number, count: number, resultPtr: number): number;
  /** Hot image only (wat/hot/20-lz4.wat): an LZ4 block at src into exactly dstLen bytes at dst. */
  rvf_lz4_decompress(srcPtr: number, srcLen: number, dstPtr: number, dstLen: number, windowPtr: number): number;
}

/** The Hot image's PQ 6-bit exports; a kernel that has them gets the PQ6 conformance checks. */
export const PQ6_EXPORTS = ['rvf_pq6_table', 'rvf_pq6_distances'] as const;

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
export const HOT_ONLY_EXPORTS: readonly string[] = [...PQ6_EXPORTS, 'rvf_lz4_decompress'];
