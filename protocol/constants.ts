// The protocol's one constants table: type tags, offsets, sizes and flags. Everything the
// kernel's dispatch loop also reads comes from wat/layout.ts (the WAT sees it as @NAME), so
// the hub and the tile cannot disagree; this file adds the names and the host-only values.
import * as L from '../wat/layout.ts';

export const HEADER_BYTES = L.MSG_HEADER_BYTES;
export const HEADER = { type: L.MSG_TYPE, length: L.MSG_LENGTH, id: L.MSG_ID } as const;
export const MAX_MESSAGE_BYTES = L.IO_BYTES; // 2,048: the tile's I/O buffer
export const MAX_PAYLOAD_BYTES = L.MSG_MAX_PAYLOAD; // 2,040

export const MsgType = {
  LOAD_QUERY: L.MSG_LOAD_QUERY,
  LOAD_BLOCK: L.MSG_LOAD_BLOCK,
  LOAD_NEIGHBORS: L.MSG_LOAD_NEIGHBORS,
  LOAD_PARAMS: L.MSG_LOAD_PARAMS,
  COMPUTE: L.MSG_COMPUTE,
  READ_TOPK: L.MSG_READ_TOPK,
  RESET: L.MSG_RESET,
  TOPK_RESULT: L.MSG_TOPK_RESULT,
  NEED_BLOCK: L.MSG_NEED_BLOCK,
  NEED_NEIGHBORS: L.MSG_NEED_NEIGHBORS,
  DONE: L.MSG_DONE,
  ERROR: L.MSG_ERROR,
} as const;
export type MsgTypeName = keyof typeof MsgType;
export const MSG_TYPE_NAMES: ReadonlyMap<number, MsgTypeName> = new Map(
  Object.entries(MsgType).map(([name, tag]) => [tag, name as MsgTypeName]),
);

export const LoadQuery = {
  dtype: L.LQ_DTYPE,
  metric: L.LQ_METRIC,
  k: L.LQ_K,
  flags: L.LQ_FLAGS,
  dim: L.LQ_DIM,
  offset: L.LQ_OFFSET, // u16: 0 in a whole query; a chunk's byte offset in the vector (Hot image)
  headerBytes: L.LQ_HEADER_BYTES,
  maxDataBytes: L.MSG_MAX_PAYLOAD - L.LQ_HEADER_BYTES, // 2,032
} as const;

export const LoadBlock = {
  offset: L.LB_OFFSET,
  count: L.LB_COUNT,
  dtype: L.LB_DTYPE,
  flags: L.LB_FLAGS,
  firstId: L.LB_FIRST_ID,
  crc32c: L.LB_CRC,
  totalBytes: L.LB_TOTAL_BYTES,
  headerBytes: L.LB_HEADER_BYTES,
  maxDataBytes: L.MSG_MAX_PAYLOAD - L.LB_HEADER_BYTES, // 2,016
} as const;

export const BlockFlag = {
  FINAL: L.LB_F_FINAL,
  EXPLICIT_IDS: L.LB_F_EXPLICIT_IDS,
  STAGE_ONLY: L.LB_F_STAGE_ONLY,
  DEQUANT: L.LB_F_DEQUANT,
  VERIFY_CRC: L.LB_F_VERIFY_CRC,
  FRESH_TOPK: L.LB_F_FRESH_TOPK,
  /** Hot image only: the chunk's data is {u32 decoded bytes, one LZ4 block} (docs/protocol.md "LZ4 chunks"). */
  LZ4: L.LB_F_LZ4,
} as const;
export const BLOCK_FLAGS_KNOWN = 0x7f;

export const LoadNeighbors = {
  nodeId: L.LN_NODE_ID,
  layer: L.LN_LAYER,
  reserved0: 0x0c, // u32, 0
  count: L.LN_COUNT,
  reserved1: 0x14, // u32, 0
  headerBytes: L.LN_HEADER_BYTES,
  maxIds: Math.floor((L.MSG_MAX_PAYLOAD - L.LN_HEADER_BYTES) / 8), // 252
} as const;

export const LoadParams = {
  kind: L.LP_KIND,
  flags: L.LP_FLAGS,
  a: L.LP_A,
  b: L.LP_B,
  reserved: 0x06, // u16, 0
  offset: L.LP_OFFSET,
  totalBytes: L.LP_TOTAL_BYTES,
  headerBytes: L.LP_HEADER_BYTES,
  maxDataBytes: L.MSG_MAX_PAYLOAD - L.LP_HEADER_BYTES, // 2,024
} as const;
export const ParamsKind = { SQ: L.LP_KIND_SQ, PQ: L.LP_KIND_PQ, PQ6: L.LP_KIND_PQ6 } as const;
export const ParamsFlag = { FINAL: L.LP_F_FINAL } as const;
export const PARAMS_FLAGS_KNOWN = 0x01;

export const Compute = {
  metric: L.CMP_METRIC,
  k: L.CMP_K,
  flags: L.CMP_FLAGS,
  reserved: 0x03, // u8, 0
  bytes: L.CMP_BYTES,
} as const;
export const ComputeFlag = { VERIFY_CRC: L.LB_F_VERIFY_CRC } as const;
export const COMPUTE_FLAGS_KNOWN = L.LB_F_VERIFY_CRC;

export const TopkResult = {
  count: 0x00, // u32
  reserved: 0x04, // u32, 0
  headerBytes: L.TOPK_RESULT_HEADER_BYTES,
  entryBytes: L.RESULT_ENTRY_BYTES,
  entryId: L.RESULT_ID,
  entryDist: L.RESULT_DIST,
  entryAux: L.RESULT_AUX,
  maxEntries: L.TOPK_MAX,
} as const;

export const NeedBlock = {
  count: 0x00, // u32
  reserved: 0x04, // u32, 0
  headerBytes: 8,
  maxIds: Math.floor((L.MSG_MAX_PAYLOAD - 8) / 8), // 254
} as const;

export const NeedNeighbors = { nodeId: 0x00, layer: 0x08, reserved: 0x0c, bytes: 16 } as const;

// DONE {u16 request type, u16 0, u32 value}; ERROR {u16 code, u16 request type, u32 detail}
export const Done = { requestType: 0x00, reserved: 0x02, value: L.REPLY_VALUE, bytes: L.REPLY_BYTES } as const;
export const ErrorReply = { code: 0x00, requestType: 0x02, detail: L.REPLY_VALUE, bytes: L.REPLY_BYTES } as const;
