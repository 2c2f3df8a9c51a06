// Spec section 7's size estimates, by the export that implements each row. The spec
// splits rvf_distances by metric and dtype; cogsim has one export for all of them, so its
// estimate is the sum of those rows. Internal functions are the spec's "utility functions".
export const SPEC_ESTIMATE_BYTES: Readonly<Record<string, number>> = {
  rvf_init: 128,
  rvf_load_query: 64,
  rvf_load_block: 256,
  rvf_distances: 512 + 384 + 512 + 256, // L2 fp16, L2 i8, IP fp16, hamming
  rvf_topk_merge: 384,
  rvf_topk_read: 64,
  rvf_load_sq_params: 64,
  rvf_dequant_i8: 256,
  rvf_load_pq_codebook: 128,
  rvf_pq_distances: 512,
  rvf_load_neighbors: 128,
  rvf_greedy_step: 512,
  rvf_verify_header: 128,
  rvf_crc32c: 256,
  rvf_on_message: 384, // "message dispatch loop"
};
export const SPEC_UTILITY_BYTES = 256;
export const SPEC_OVERHEAD_BYTES = 512;
export const SPEC_TOTAL_ESTIMATE_BYTES = 5500;

/**
 * Internal functions that are part of one export's work in the spec's accounting: the
 * budget table adds their bytes to that export's row. Everything else is a utility.
 */
export const INTERNAL_OWNERS: readonly { pattern: RegExp; owner: string }[] = [
  { pattern: /^\$(dispatch_message|msg_reply|seal_reply|pull_.*)$/, owner: 'rvf_on_message' },
  { pattern: /^\$dist_sum$/, owner: 'rvf_distances' },
  { pattern: /^\$crc32c.*$/, owner: 'rvf_crc32c' },
  { pattern: /^\$sq_.*$/, owner: 'rvf_dequant_i8' },
];
