// Every protocol message as a typed value. `type` names the message (the wire tag is
// MsgType[type]); every message carries the msg_id that correlates a reply with its request.

export interface LoadQueryMsg {
  type: 'LOAD_QUERY';
  msgId: number;
  dtype: number;
  metric: number;
  k: number;
  dim: number;
  /** LQ_F_* (bit0 PULL: the tile walks HNSW for this query; bit1 MORE: a chunk, more follow); absent = 0. */
  flags?: number;
  /** A chunk's byte offset in the raw vector (Hot image, docs/protocol.md "Query chunks"); absent = 0. */
  offset?: number;
  /** The query as sent: dim*2 bytes (fp16), dim bytes (i8), ceil(dim/8) bytes (bits); a chunk: its part. */
  vector: Uint8Array;
}

export interface LoadBlockMsg {
  type: 'LOAD_BLOCK';
  msgId: number;
  offset: number;
  count: number;
  dtype: number;
  flags: number;
  firstId: bigint;
  crc32c: number;
  totalBytes: number;
  data: Uint8Array;
}

export interface LoadNeighborsMsg {
  type: 'LOAD_NEIGHBORS';
  msgId: number;
  nodeId: bigint;
  layer: number;
  ids: bigint[];
}

export interface LoadParamsMsg {
  type: 'LOAD_PARAMS';
  msgId: number;
  kind: number;
  flags: number;
  /** SQ: dim; PQ: M. */
  a: number;
  /** PQ: K; SQ: 0. */
  b: number;
  offset: number;
  totalBytes: number;
  data: Uint8Array;
}

export interface ComputeMsg {
  type: 'COMPUTE';
  msgId: number;
  metric: number;
  k: number;
  flags: number;
}

export interface ReadTopkMsg {
  type: 'READ_TOPK';
  msgId: number;
}

export interface ResetMsg {
  type: 'RESET';
  msgId: number;
}

export interface TopkEntry {
  id: bigint;
  dist: number;
  aux: number;
}

export interface TopkResultMsg {
  type: 'TOPK_RESULT';
  msgId: number;
  entries: TopkEntry[];
}

export interface NeedBlockMsg {
  type: 'NEED_BLOCK';
  msgId: number;
  ids: bigint[];
}

export interface NeedNeighborsMsg {
  type: 'NEED_NEIGHBORS';
  msgId: number;
  nodeId: bigint;
  layer: number;
}

export interface DoneMsg {
  type: 'DONE';
  msgId: number;
  requestType: number;
  value: number;
}

export interface ErrorMsg {
  type: 'ERROR';
  msgId: number;
  code: number;
  requestType: number;
  detail: number;
}

export type HubMessage = LoadQueryMsg | LoadBlockMsg | LoadNeighborsMsg | LoadParamsMsg | ComputeMsg | ReadTopkMsg | ResetMsg;
export type TileMessage = TopkResultMsg | NeedBlockMsg | NeedNeighborsMsg | DoneMsg | ErrorMsg;
export type Message = HubMessage | TileMessage;
