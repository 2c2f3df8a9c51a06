// The tile's memory map: the one source of truth for every offset the kernel uses.
// The kernel build substitutes `@NAME` in the WAT sources with these values, and the
// TypeScript side imports them, so the two cannot disagree (test/layout.test.ts checks
// that every `@NAME` in wat/ is defined here and no raw window address hides in the WAT).
//
// One linear memory of exactly two 64 KiB pages (it cannot grow). The 8 KB data window
// sits directly below the 64 KB scratch window so that "inside the tile" is one range,
// [DATA_BASE, MEMORY_BYTES): a pointer check is a single compare, and in the strict build
// any access below DATA_BASE traps. Linear memory below DATA_BASE is a hole the kernel
// never uses. See docs/memory-map.md.

export const PAGE_BYTES = 0x10000;
export const MEMORY_PAGES = 2;
export const MEMORY_BYTES = PAGE_BYTES * MEMORY_PAGES; // 131,072

export const DATA_BASE = 0xe000;
export const DATA_BYTES = 0x2000; // 8 KB
export const SCRATCH_BASE = 0x10000;
export const SCRATCH_BYTES = 0x10000; // 64 KB

// ---- data window (absolute addresses = DATA_BASE + spec offset) ----
export const CONFIG_PTR = DATA_BASE + 0x0000; // 64 B tile configuration
export const CONFIG_BYTES = 64;
export const STATE_PTR = DATA_BASE + 0x0040; // 192 B "query scratch": kernel state (see STATE_*)
export const STATE_BYTES = 192;
export const RESULT_PTR = DATA_BASE + 0x0100; // 256 B: 16 top-K entries of 16 B
export const RESULT_BYTES = 256;
export const ROUTING_PTR = DATA_BASE + 0x0200; // 512 B routing table (entry points)
export const ROUTING_BYTES = 512;
export const DECODE_PTR = DATA_BASE + 0x0400; // 1 KB decode workspace
export const DECODE_BYTES = 1024;
export const IO_PTR = DATA_BASE + 0x0800; // 2 KB message I/O buffer
export const IO_BYTES = 2048;
export const NEIGHBOR_PTR = DATA_BASE + 0x1000; // 4 KB neighbor list cache
export const NEIGHBOR_BYTES = 4096;

// ---- scratch window (absolute addresses = SCRATCH_BASE + spec offset) ----
export const BLOCK_PTR = SCRATCH_BASE + 0x0000; // 32 KB vector block
export const BLOCK_BYTES = 0x8000;
export const ACCUM_PTR = SCRATCH_BASE + 0x8000; // 16 KB accumulators / PQ tables
export const ACCUM_BYTES = 0x4000;
export const DIST_PTR = ACCUM_PTR + 0x0000; // MAX_BLOCK_VECTORS f32 distances
export const IDS_PTR = ACCUM_PTR + 0x0200; // MAX_BLOCK_VECTORS u64 ids
export const SQ_PTR = ACCUM_PTR + 0x0600; // per-dimension SQ params: f32 min, f32 scale
export const SQ_BYTES = 0x1a00; // 768 dims x 8 B = 6,144 B, rounded to 6,656
// rvf_load_sq_params keeps the (min, scale) pairs as given at SQ_PTR (3,072 B for 384 dims)
// and a de-interleaved copy the dequantizer reads 4 lanes at a time, padding dims zeroed.
export const SQ_MIN_PTR = SQ_PTR + 0x0c00; // MAX_DIM_FP16 f32 mins
export const SQ_SCALE_PTR = SQ_PTR + 0x1200; // MAX_DIM_FP16 f32 scales (ends at SQ_PTR + 0x1800)
export const PQ_TABLE_PTR = ACCUM_PTR + 0x2000; // 8 KB: M x K f32 asymmetric distance table
export const PQ_TABLE_BYTES = 0x2000;
export const PQ_TABLE_END = PQ_TABLE_PTR + PQ_TABLE_BYTES;
export const HOT_PTR = SCRATCH_BASE + 0xc000; // 12 KB hot cache (PQ codebook lives here)
export const HOT_BYTES = 0x3000;
export const PQ_CODEBOOK_PTR = HOT_PTR; // up to 11 KB of fp16 centroids
export const PQ_CODEBOOK_BYTES = 0x2c00;
export const CRC_TABLE_PTR = HOT_PTR + 0x2c00; // 1 KB CRC32C table, built by rvf_init
export const SPILL_PTR = SCRATCH_BASE + 0xf000; // 4 KB temporary / spill
export const SPILL_BYTES = 0x1000;
export const QUERY_PTR = SPILL_PTR + 0x0000; // the full query, decoded (f32 for fp16, raw for i8/binary)
export const QUERY_BYTES = 0x0800; // 2 KB: 384 fp16 dims as f32 = 1,536 B; 768 i8 = 768 B
export const TEMP_PTR = SPILL_PTR + 0x0800; // 2 KB temporary
export const TEMP_BYTES = 0x0800;

// ---- kernel state inside STATE_PTR (192 B). Offsets are relative to STATE_PTR. ----
export const ST_QUERY_DIM = 0x00; // u32, 0 = no query loaded
export const ST_QUERY_DTYPE = 0x04; // u32 dtype of the loaded query
export const ST_QUERY_NORM = 0x08; // f32 sqrt(sum q^2) in the kernel's lane order (cosine)
export const ST_QUERY_PADDED = 0x0c; // u32 query elements after zero padding (multiple of LANE_ELEMS)
export const ST_BLOCK_COUNT = 0x10; // u32 vectors in the loaded block, 0 = none
export const ST_BLOCK_DTYPE = 0x14; // u32
export const ST_BLOCK_STRIDE = 0x18; // u32 bytes per vector (padded)
export const ST_BLOCK_PTR = 0x1c; // u32 absolute address of the block
export const ST_TOPK_K = 0x20; // u32 k of the last merge
export const ST_TOPK_LEN = 0x24; // u32 valid entries in the result buffer
export const ST_SQ_DIM = 0x28; // u32 dims of loaded SQ params, 0 = none
export const ST_PQ_M = 0x2c; // u32 PQ subspaces, 0 = no codebook
export const ST_PQ_K = 0x30; // u32 centroids per subspace
export const ST_PQ_TABLES = 0x34; // u32 which table the PQ table area holds for the loaded query: 0 none, PQ_TABLES_CORE, PQ_TABLES_PQ6
export const ST_LAST_STATUS = 0x38; // u32 status of the last export whose result is not a status
export const ST_BLOCK_FIRST_ID = 0x40; // u64 id of the block's first vector (implicit ids)
export const ST_CHUNK_BYTES = 0x48; // u32 bytes of the block staged by LOAD_BLOCK chunks
export const ST_CHUNK_COUNT = 0x4c; // u32 vectors declared by the staged block
export const ST_CHUNK_DTYPE = 0x50; // u32 dtype declared by the staged block
export const ST_CHUNK_CRC = 0x54; // u32 CRC32C the hub declared for the staged block
export const ST_METRIC = 0x58; // u32 metric for COMPUTE/auto-compute (set by LOAD_QUERY)
export const ST_K = 0x5c; // u32 k for COMPUTE/auto-compute (set by LOAD_QUERY)
export const ST_NEIGHBOR_COUNT = 0x60; // u32 ids in the neighbor cache
export const ST_NEIGHBOR_SET = 0x64; // u32 1 when the neighbor cache holds a list
export const ST_NEIGHBOR_NODE = 0x68; // u64 node whose list is cached
export const ST_NEIGHBOR_LAYER = 0x70; // u32 layer of the cached list
export const ST_CUR_DIST = 0x74; // f32 distance of the greedy walk's current node
export const ST_CUR_ID = 0x78; // u64 the greedy walk's current node (valid when ST_CUR_SET = 1)
export const ST_CUR_SET = 0x80; // u32 1 when ST_CUR_ID/ST_CUR_DIST hold a node
export const ST_BLOCK_EXPLICIT_IDS = 0x84; // u32 1 when the block's ids are at IDS_PTR, 0 = first_id + i
export const ST_PULL = 0x88; // u32 1 while the loaded query is walked in pull mode (LOAD_QUERY flag LQ_F_PULL)
export const ST_PULL_LAYER = 0x8c; // u32 pull descent: layer (>= 1) of the list being stepped, 0 = base-layer beam; must follow ST_PULL (LOAD_QUERY clears both with one i64 store)
export const ST_LAST_MSG_ID = 0x90; // u32 msg_id of the last sealed request dispatched (integrity mode)
export const ST_LAST_REPLY_LEN = 0x94; // u32 bytes of its sealed reply, kept at TEMP_PTR; 0 = none
export const ST_QUERY_STAGED = 0x98; // u32 (Hot image) fp16 elements staged by LOAD_QUERY chunks (LQ_F_MORE), 0 = none
// 0x9C (Hot image): ST_LZ4_SEQUENCES, the LZ4 decoder's sequence counter (below).
// The work counters (below) take the state region's last WORK_BYTES: rvf_init zeroes the
// whole region, so they start at 0 with no extra code, and RESET (which clears only query,
// block and stream fields) leaves them counting.
export const ST_WORK = 0xa0;

// ---- work counters (docs/memory-map.md "Work counters"; the simulator charges cycles from
// their deltas across one rvf_on_message call). u32 each, wrapping; offsets from WORK_PTR. ----
export const WORK_PTR = STATE_PTR + ST_WORK; // 0xE0E0
export const WORK_BYTES = 32;
export const WK_DISTANCES = 0x00; // distances computed (one per vector x query)
export const WK_DIST_ELEMS = 0x04; // vector elements those distances covered (padded dims summed)
export const WK_MERGED = 0x08; // candidates offered to the top-K merge
export const WK_CRC_BYTES = 0x0c; // bytes CRC32C ran over (block verify, message check and seal, export)
export const WK_DEQUANT = 0x10; // elements dequantized (i8 -> fp16)
export const WK_IO_BYTES = 0x14; // bytes decoded/copied by message handlers (query decode, chunk copies)
export const WK_MESSAGES = 0x18; // messages dispatched by rvf_on_message
export const WK_PQ_CODES = 0x1c; // PQ code steps: one per Core PQ code looked up, two per 6-bit code (unpack, lookup)

// ---- pull mode (docs/pull-mode.md): the visited filter, a Bloom filter over low32(id) ----
export const PULL_FILTER_PTR = DECODE_PTR; // the 1 KB decode workspace (unused while walking)
export const PULL_FILTER_BYTES = 1024; // 8,192 bits
export const PULL_FILTER_SHIFT = 19; // bit index = (low32(id) * mul) >>> 19: the top 13 bits
export const PULL_HASH_MUL_A = 0x9e3779b1; // golden-ratio multiplier
export const PULL_HASH_MUL_B = 0x85ebca77; // murmur3 fmix constant
export const PULL_HASH_MULS: readonly number[] = [PULL_HASH_MUL_A, PULL_HASH_MUL_B];
export const NB_HEADER_BYTES = 8; // NEED_BLOCK payload: u32 count, u32 0, then count u64 ids
export const NN_BYTES = 16; // NEED_NEIGHBORS payload: u64 node, u32 layer, u32 0

// ---- tile configuration inside CONFIG_PTR (64 B), offsets relative to CONFIG_PTR ----
export const CFG_TILE_ID = 0x00; // u32
export const CFG_PROFILE = 0x04; // u8 1 = core, 2 = hot; others are refused
export const CFG_DTYPE = 0x05; // u8 dtype of queries and blocks (DTYPE_*)
export const CFG_METRIC = 0x06; // u8 default metric (METRIC_*)
export const CFG_K = 0x07; // u8 default k (1..TOPK_MAX)
export const CFG_DIM = 0x08; // u16 vector dimension (elements; bits for DTYPE_BITS)
export const CFG_FLAGS = 0x0a; // u8 CFG_F_*
export const CFG_F_REQUIRE_MSG_CRC = 0x01; // every message must carry a CRC32C trailer (docs/protocol.md)

// ---- result entry (16 B) ----
export const RESULT_ENTRY_BYTES = 16;
export const RESULT_ID = 0; // u64
export const RESULT_DIST = 8; // f32
export const RESULT_AUX = 12; // u32 spare (pull mode: expanded flag)
export const TOPK_MAX = 16;

// ---- profile limits (Core profile, spec section 5) ----
export const MAX_DIM_FP16 = 384;
export const MAX_DIM_I8 = 768;
export const MAX_DIM_BITS = 6144; // packed binary: 768 B, the same byte budget as i8
export const MAX_BLOCK_VECTORS = 128;
export const LANE_ELEMS = 8; // vectors and queries are zero-padded to a multiple of 8 elements
export const BITS_LANE_BYTES = 8; // packed binary codes are padded to a multiple of 8 bytes

// ---- enums ----
export const DTYPE_FP16 = 1;
export const DTYPE_I8 = 2;
export const DTYPE_BITS = 3;
export const DTYPE_PQ6 = 4; // (Hot image, reserved for the PQ 6-bit work) a block of packed 6-bit PQ codes
export const PQ6_CODE_BITS = 6;
export const PQ6_K = 64; // centroids per subspace with 6-bit codes
// PQ 6-bit: 64 centroids per subspace, codes packed 4 per 3 bytes (little-endian 24-bit
// group, code j in bits 6j..6j+5), an M x 64 f32 table in the PQ table area: M <= 32.
export const PQ6_GROUP_CODES = 4;
export const PQ6_GROUP_BYTES = 3;
export const PQ6_CODE_MASK = 0x3f;
export const PQ6_ROW_BYTES = PQ6_K * 4; // one subspace row of the table: 256 B
export const PQ6_MAX_M = PQ_TABLE_BYTES / PQ6_ROW_BYTES; // 32
export const PQ6_MAX_M_LESS_4 = PQ6_MAX_M - 4; // M - 4 <= this, unsigned: M in 4..32 in one compare
export const PQ6_GROUP_ROW_BYTES = PQ6_GROUP_CODES * PQ6_ROW_BYTES; // the table rows one 3-byte group spans: 1 KB
export const PQ6_GROUP_ROW_MASK = PQ6_GROUP_ROW_BYTES - 1; // PQ_TABLE_PTR is PQ6_GROUP_ROW_BYTES aligned (test/kernel-pq6.test.ts)
export const PQ_TABLES_CORE = 1; // ST_PQ_TABLES: the area holds Core PQ's table for the query
// ST_PQ_TABLES for PQ 6-bit (Hot image, wat/hot/30-pq6.wat, docs/format.md "PQ 6-bit
// codes"): PQ_TABLES_PQ6 | rows built << PQ6_STATE_ROWS_SHIFT | M << PQ6_STATE_M_SHIFT,
// complete when rows = M. LOAD_QUERY and RESET clear ST_PQ_TABLES, which makes the table
// stale with no PQ6 hook in the Core dispatcher, and PQ6 needs no state field of its own.
export const PQ_TABLES_PQ6 = 2;
export const PQ6_STATE_ROWS_SHIFT = 8;
export const PQ6_STATE_M_SHIFT = 16;
export const PQ6_STATE_ROWS_MASK = 0xff; // rows built, after the shift (M <= 32)
export const METRIC_L2 = 0;
export const METRIC_IP = 1;
export const METRIC_COSINE = 2;
export const METRIC_HAMMING = 3;

// ---- IEEE-754 bit masks the kernel's float code uses (bit patterns, not addresses) ----
export const F32_INF_BITS = 0x7f800000; // f32 exponent all ones: +inf, the exponent mask
export const F32_SIGN_BITS = 0x80000000; // f32 sign bit

/** The canonical NaN every float distance is folded to, so builds agree bit for bit. */
export const CANONICAL_NAN_BITS = 0x7fc00000;

// ---- host-tile protocol (docs/protocol.md; protocol/constants.ts re-exports these) ----
// A message sits at IO_PTR: an 8 B header (u16 type, u16 payload length, u32 id), then the payload.
export const MSG_TYPE = 0x00; // u16
export const MSG_LENGTH = 0x02; // u16 payload bytes
export const MSG_ID = 0x04; // u32 correlation id, echoed by the reply
export const MSG_HEADER_BYTES = 8;
export const MSG_PAYLOAD_PTR = IO_PTR + MSG_HEADER_BYTES; // absolute address of the payload
export const MSG_MAX_PAYLOAD = IO_BYTES - MSG_HEADER_BYTES; // 2,040
// message types: hub -> tile
export const MSG_LOAD_QUERY = 0x01;
export const MSG_LOAD_BLOCK = 0x02;
export const MSG_LOAD_NEIGHBORS = 0x03;
export const MSG_LOAD_PARAMS = 0x04;
export const MSG_COMPUTE = 0x05;
export const MSG_READ_TOPK = 0x06;
export const MSG_RESET = 0x07;
// message types: tile -> hub
export const MSG_TOPK_RESULT = 0x81;
export const MSG_NEED_BLOCK = 0x82;
export const MSG_NEED_NEIGHBORS = 0x83;
export const MSG_DONE = 0x84;
export const MSG_ERROR = 0x85;
// Integrity: a message whose type has this bit carries a u32 CRC32C of its header and
// payload right after the payload (outside msg_length); the reply is sealed the same way.
export const MSG_F_CRC = 0x4000;
export const MSG_TYPE_MASK = 0x3fff; // the type without its flag bits (MSG_F_CRC and bit 15)
export const MSG_HUB_TYPES = 7; // hub -> tile types are MSG_LOAD_QUERY .. MSG_LOAD_QUERY + 6 (MSG_RESET)
export const MSG_CRC_BYTES = 4;
// LOAD_QUERY payload
export const LQ_DTYPE = 0x00; // u8
export const LQ_METRIC = 0x01; // u8
export const LQ_K = 0x02; // u8
export const LQ_FLAGS = 0x03; // u8 LQ_F_*
export const LQ_F_PULL = 0x01; // pull mode: the tile drives an HNSW walk (docs/pull-mode.md)
export const LQ_F_MORE = 0x02; // (Hot image) a chunk of the query: more chunks follow (docs/protocol.md "Query chunks")
export const LQ_DIM = 0x04; // u16
export const LQ_OFFSET = 0x06; // u16 (Hot image) element offset of this chunk's values; 0 in a whole query
export const LQ_HEADER_BYTES = 8; // the vector follows (unpadded: dim*2, dim, ceil(dim/8) bytes)
// LOAD_BLOCK payload (one chunk of a block stream)
export const LB_OFFSET = 0x00; // u32 byte offset of the chunk in the stream
export const LB_COUNT = 0x04; // u16 vectors in the block
export const LB_DTYPE = 0x06; // u8 dtype of the stream
export const LB_FLAGS = 0x07; // u8 LB_F_*
export const LB_FIRST_ID = 0x08; // u64 id of vector 0 (implicit ids)
export const LB_CRC = 0x10; // u32 CRC32C of the whole stream
export const LB_TOTAL_BYTES = 0x14; // u32 bytes of the whole stream
export const LB_HEADER_BYTES = 24; // chunk data follows
export const LB_F_FINAL = 0x01;
export const LB_F_EXPLICIT_IDS = 0x02;
export const LB_F_STAGE_ONLY = 0x04;
export const LB_F_DEQUANT = 0x08;
export const LB_F_VERIFY_CRC = 0x10;
export const LB_F_FRESH_TOPK = 0x20; // on FINAL, empty the top-K before the merge (push-hnsw: READ_TOPK returns exactly this block's distances)
export const LB_F_LZ4 = 0x40; // (Hot image) an LZ4 chunk: {u32 decoded bytes, one LZ4 block} decoded in place (docs/protocol.md "LZ4 chunks")
// The flags every chunk of one stream must agree on: they decide the stream's layout.
export const LB_F_LAYOUT = LB_F_EXPLICIT_IDS | LB_F_DEQUANT;
// FINAL without STAGE_ONLY is a chunk that computed (pull mode marks its ids seen): test (flags & mask) == LB_F_FINAL.
export const LB_F_FINAL_STAGE_MASK = LB_F_FINAL | LB_F_STAGE_ONLY;
// ST_CHUNK_DTYPE holds the stream's shape: dtype | (flags & LB_F_LAYOUT) << CHUNK_LAYOUT_SHIFT.
export const CHUNK_LAYOUT_SHIFT = 8;
export const CHUNK_F_DEQUANT = LB_F_DEQUANT << CHUNK_LAYOUT_SHIFT; // the staged stream was i8 codes to dequantize
export const LB_DEQUANT_STAGE_PTR = BLOCK_PTR + BLOCK_BYTES / 2; // i8 codes wait here for rvf_dequant_i8
// LOAD_NEIGHBORS payload: node, layer, then the record rvf_load_neighbors reads
export const LN_NODE_ID = 0x00; // u64
export const LN_LAYER = 0x08; // u32
export const LN_RECORD = 0x10; // {u32 count, u32 reserved, u64 ids[count]}
export const LN_COUNT = 0x10; // u32
export const LN_HEADER_BYTES = 24; // ids follow
// LOAD_PARAMS payload (one chunk of a parameter stream)
export const LP_KIND = 0x00; // u8 LP_KIND_*
export const LP_FLAGS = 0x01; // u8 bit0 FINAL
export const LP_A = 0x02; // u16 SQ: dim; PQ: M
export const LP_B = 0x04; // u16 PQ: K; SQ: 0
export const LP_OFFSET = 0x08; // u32
export const LP_TOTAL_BYTES = 0x0c; // u32
export const LP_HEADER_BYTES = 16; // chunk data follows
export const LP_KIND_SQ = 1;
export const LP_KIND_PQ = 2;
export const LP_KIND_PQ6 = 3; // (Hot image, reserved for the PQ 6-bit work) a codebook for 6-bit codes (PQ6_K centroids)
export const LP_F_FINAL = 0x01;
// COMPUTE payload
export const CMP_METRIC = 0x00; // u8
export const CMP_K = 0x01; // u8
export const CMP_FLAGS = 0x02; // u8 CMP_F_*
export const CMP_F_VERIFY_CRC = LB_F_VERIFY_CRC; // re-check the resident block's CRC32C first (same bit as LOAD_BLOCK's)
export const CMP_BYTES = 4;
// replies: DONE {u16 request type, u16 0, u32 value}; ERROR {u16 code, u16 request type, u32 detail}
export const REPLY_WORD = 0x00;
export const REPLY_VALUE = 0x04;
export const REPLY_BYTES = 8;
export const TOPK_RESULT_HEADER_BYTES = 8; // u32 count, u32 0, then count x 16 B entries
// Kernel state used by the dispatcher's parameter staging (a u32 in the state region's gap).
export const ST_PARAM_STAGE = 0x3c; // u32 bytes of params staged by LOAD_PARAMS | kind << PARAM_STAGE_KIND_SHIFT
export const PARAM_STAGE_KIND_SHIFT = 16;

// ---- the Hot image (docs/size-budget.md "Two images", docs/memory-map.md "Hot image") ----
// Chips load a second kernel image built from the same sources plus wat/hot/ (spec section 5,
// "RVF Hot Profile": up to 1,024 dims, PQ 6-bit, LZ4). Its memory is the Core map but for the
// top 4 KB of the block region, which holds the query: 1,024 fp16 dims decoded to f32 do not
// fit the Core query area (2 KB in the spill region, whose other half is TEMP, in use by the
// integrity check and the PQ table build).
export const HOT_IMAGE_MAX_DIM_FP16 = 1024;
export const HOT_IMAGE_BLOCK_BYTES = 0x7000; // 28 KB of block region: 14 vectors of 1,024 fp16 dims, 13 with explicit ids
export const HOT_IMAGE_QUERY_PTR = BLOCK_PTR + HOT_IMAGE_BLOCK_BYTES; // 4 KB: 1,024 f32
export const HOT_IMAGE_QUERY_BYTES = 0x1000;
// LOAD_QUERY chunks (LQ_F_MORE) stage their raw fp16 here, the query area's upper half; the
// last chunk decodes them (through TEMP) into the query area.
export const HOT_IMAGE_QUERY_STAGE_PTR = HOT_IMAGE_QUERY_PTR + 0x0800;

export type KernelImage = 'core' | 'hot';

/** What differs between the two images, as the WAT names it: `@IMG_NAME` takes the image's value. */
export interface ImageLayout {
  IMG_QUERY_PTR: number;
  IMG_QUERY_BYTES: number;
  IMG_BLOCK_BYTES: number;
  IMG_MAX_DIM_FP16: number;
}

export const IMAGE_LAYOUT: Readonly<Record<KernelImage, ImageLayout>> = {
  core: { IMG_QUERY_PTR: QUERY_PTR, IMG_QUERY_BYTES: QUERY_BYTES, IMG_BLOCK_BYTES: BLOCK_BYTES, IMG_MAX_DIM_FP16: MAX_DIM_FP16 },
  hot: { IMG_QUERY_PTR: HOT_IMAGE_QUERY_PTR, IMG_QUERY_BYTES: HOT_IMAGE_QUERY_BYTES, IMG_BLOCK_BYTES: HOT_IMAGE_BLOCK_BYTES, IMG_MAX_DIM_FP16: HOT_IMAGE_MAX_DIM_FP16 },
};

// ---- Hot profile: LZ4 block decompression (docs/protocol.md "LZ4 chunks", wat/hot/20-lz4.wat) ----
// LB_F_LZ4 (above) marks a LOAD_BLOCK chunk whose data is {u32 decoded bytes, one LZ4 block},
// decoded into the stream at LB_OFFSET; its matches may reach back to the stream's first byte.
export const LZ4_CHUNK_HEADER_BYTES = 4; // u32 decoded bytes, then the LZ4 block
// The LZ4 block format's own constants (lz4 doc/lz4_Block_format.md).
export const LZ4_MIN_MATCH = 4; // a match copies at least 4 bytes
export const LZ4_LAST_LITERALS = 5; // the last 5 bytes of a block are always literals
export const LZ4_MFLIMIT = 12; // the last match starts at least 12 bytes before the block's end
export const LZ4_MAX_OFFSET = 0xffff; // a match offset is a u16, 1..65,535
// A Hot-only work counter in the state region's spare bytes (the Core kernel never writes
// it, rvf_init zeroes it): LZ4 sequences decoded, priced per sequence (docs/cost-model.md).
export const ST_LZ4_SEQUENCES = 0x9c;
