// Status codes every kernel export returns (0 = ok). Codes 1-6 are the context ADR's
// Appendix B; the rest are the tile's own. The WAT uses them as @ERR_*, the TypeScript
// imports them; docs/protocol.md lists them with their meaning.

export const OK = 0;
export const ERR_INVALID_INPUT = 1;
export const ERR_INVALID_OUTPUT = 2;
export const ERR_INVALID_PARAMS = 3;
export const ERR_OUT_OF_MEMORY = 4;
export const ERR_NOT_IMPLEMENTED = 5;
export const ERR_INTERNAL = 6;
export const ERR_BAD_DIM = 7; // dim is 0 or above the Core profile limit for its dtype
export const ERR_BAD_COUNT = 8; // vector count 0/too large, or the block does not fit its region
export const ERR_BAD_METRIC = 9; // unknown metric, or a metric the dtype does not support
export const ERR_BAD_DTYPE = 10; // unknown dtype, or query and block dtypes differ
export const ERR_NO_QUERY = 11; // computation needs a loaded query
export const ERR_NO_BLOCK = 12; // computation needs a loaded block
export const ERR_BAD_POINTER = 13; // a pointer/length pair leaves the tile's windows
export const ERR_CRC_MISMATCH = 14; // CRC32C of a block or segment payload does not match
export const ERR_BAD_HEADER = 15; // segment header magic/version/type/profile/self-check wrong
export const ERR_BAD_MSG_TYPE = 16; // unknown msg_type
export const ERR_BAD_MSG_LENGTH = 17; // msg_length too large for the buffer or wrong for the type
export const ERR_BAD_OFFSET = 18; // LOAD_BLOCK chunk offset out of order or overrunning scratch
export const ERR_BAD_K = 19; // k = 0 or above TOPK_MAX
export const ERR_NO_PARAMS = 20; // SQ params or PQ codebook needed but not loaded
export const ERR_UNKNOWN_NODE = 21; // neighbor list or vector for a node the tile was not given
export const ERR_BAD_MSG_CRC = 22; // the message's CRC32C trailer does not match its bytes (corrupted in transit)
// LZ4 block decoding (Hot image, wat/hot/20-lz4.wat); the ERROR reply's detail is the
// byte offset, in the LZ4 block, of the sequence at fault.
export const ERR_LZ4_TRUNCATED = 23; // the block ends inside a sequence (or right after a match)
export const ERR_LZ4_BAD_OFFSET = 24; // a match offset of 0, or one reaching before the window
export const ERR_LZ4_OVERFLOW = 25; // the decoded bytes would pass the declared size, or stop short of it
export const ERR_LZ4_END_RULES = 26; // a match within the last 12 bytes or ending within the last 5

export const STATUS_NAMES: Readonly<Record<number, string>> = {
  [OK]: 'OK',
  [ERR_INVALID_INPUT]: 'INVALID_INPUT',
  [ERR_INVALID_OUTPUT]: 'INVALID_OUTPUT',
  [ERR_INVALID_PARAMS]: 'INVALID_PARAMS',
  [ERR_OUT_OF_MEMORY]: 'OUT_OF_MEMORY',
  [ERR_NOT_IMPLEMENTED]: 'NOT_IMPLEMENTED',
  [ERR_INTERNAL]: 'INTERNAL_ERROR',
  [ERR_BAD_DIM]: 'BAD_DIM',
  [ERR_BAD_COUNT]: 'BAD_COUNT',
  [ERR_BAD_METRIC]: 'BAD_METRIC',
  [ERR_BAD_DTYPE]: 'BAD_DTYPE',
  [ERR_NO_QUERY]: 'NO_QUERY',
  [ERR_NO_BLOCK]: 'NO_BLOCK',
  [ERR_BAD_POINTER]: 'BAD_POINTER',
  [ERR_CRC_MISMATCH]: 'CRC_MISMATCH',
  [ERR_BAD_HEADER]: 'BAD_HEADER',
  [ERR_BAD_MSG_TYPE]: 'BAD_MSG_TYPE',
  [ERR_BAD_MSG_LENGTH]: 'BAD_MSG_LENGTH',
  [ERR_BAD_OFFSET]: 'BAD_OFFSET',
  [ERR_BAD_K]: 'BAD_K',
  [ERR_NO_PARAMS]: 'NO_PARAMS',
  [ERR_UNKNOWN_NODE]: 'UNKNOWN_NODE',
  [ERR_BAD_MSG_CRC]: 'BAD_MSG_CRC',
  [ERR_LZ4_TRUNCATED]: 'LZ4_TRUNCATED',
  [ERR_LZ4_BAD_OFFSET]: 'LZ4_BAD_OFFSET',
  [ERR_LZ4_OVERFLOW]: 'LZ4_OVERFLOW',
  [ERR_LZ4_END_RULES]: 'LZ4_END_RULES',
};

export function statusName(code: number): string {
  return STATUS_NAMES[code] ?? `UNKNOWN_STATUS_${code}`;
}
