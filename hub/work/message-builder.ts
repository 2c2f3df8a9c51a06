// Turns a job step into the message the hub sends, with a fresh msg_id. Block chunks are
// encoded once per block and sent as that template and the new msg_id (Outgoing): the hub
// sends the same 2 KB chunks many times, and re-encoding or even copying them would dominate
// the simulator; the transport writes template and id once, where the message is delivered
// (protocol/stamped-message.ts). The templates are found by integer index (block, staging),
// never by a string key: this runs once per message sent (docs/performance.md).
import { encodeMessage, encodeMessages } from '../../protocol/codec.ts';
import { LoadParams, LoadQuery } from '../../protocol/constants.ts';
import { queryChunks } from '../../protocol/messages/query.ts';
import { paramsChunks } from '../../protocol/block-chunks.ts';
import type { HubMessage } from '../../protocol/types.ts';
import { DTYPE_FP16, LB_F_VERIFY_CRC, LQ_F_PULL, LP_KIND_SQ, MSG_CRC_BYTES, METRIC_COSINE, METRIC_IP, METRIC_L2 } from '../../wat/layout.ts';
import { pq6PieceMessages } from '../pq6/pieces.ts';
import type { Outgoing } from '../core/mode-driver.ts';
import type { EncodedDataset } from '../encoded-dataset.ts';
import type { MetricName } from '../search-spec.ts';
import { sqParamsBytes } from '../sq-quantize.ts';
import { explicitBlockChunks } from './explicit-blocks.ts';
import type { HnswBatchUnit, JobStep } from './job.ts';
import { MsgIds, STEP_MSG_IDS_FIRST } from './msg-ids.ts';

const PARAMS_CHUNK_BYTES = LoadParams.maxDataBytes;
/** Push-hnsw batch streams kept encoded (a retry or a reassignment sends them again). */
const BATCH_CACHE_ENTRIES = 512;

export const METRIC_CODES: Readonly<Record<MetricName, number>> = { l2: METRIC_L2, ip: METRIC_IP, cosine: METRIC_COSINE };

export class MessageBuilder {
  private readonly msgIds = new MsgIds(STEP_MSG_IDS_FIRST);
  /** Encoded chunk templates (msg_id 0) of each block: index blockId * 2 + (stageOnly ? 1 : 0). */
  private readonly encodedChunks: (Uint8Array[] | undefined)[] = [];
  private readonly encodedBatches = new Map<string, Uint8Array[]>();
  private readonly encodedParams: Uint8Array[];
  /** --dtype pq6: the codebook's LOAD_PARAMS kind 3 pieces, sent after every LOAD_QUERY. */
  private readonly encodedPieces: Uint8Array[];
  readonly verifyCrc: boolean;
  readonly integrity: boolean;

  constructor(
    readonly data: EncodedDataset,
    opts: { verifyCrc: boolean; integrity: boolean },
  ) {
    this.verifyCrc = opts.verifyCrc;
    this.integrity = opts.integrity;
    const sq = data.sq;
    // A sealed message carries 4 more bytes, so its chunks carry 4 fewer.
    const chunkDataBytes = opts.integrity ? PARAMS_CHUNK_BYTES - MSG_CRC_BYTES : PARAMS_CHUNK_BYTES;
    this.encodedParams = sq
      ? paramsChunks(sqParamsBytes(sq), { firstMsgId: 0, kind: LP_KIND_SQ, a: data.dim, b: 0, chunkDataBytes }).map((m) => encodeMessage(m))
      : [];
    this.encodedPieces = data.pq6 ? pq6PieceMessages(data.pq6.book, opts.integrity).map((m) => encodeMessage(m)) : [];
  }

  get paramsChunkCount(): number {
    return this.encodedParams.length;
  }

  /** Vector bytes one LOAD_QUERY carries (4 fewer when sealed). */
  private get queryChunkBytes(): number {
    return this.integrity ? LoadQuery.maxDataBytes - MSG_CRC_BYTES : LoadQuery.maxDataBytes;
  }

  /**
   * Messages that carry one query: 1, or its chunks when it does not fit one (above 1,016
   * fp16 dims: Hot data); then, for PQ6 data, the codebook pieces that build its table
   * (docs/protocol.md "PQ6 blocks"), so every LOAD_QUERY, resent or not, is followed by them.
   */
  get queryPartCount(): number {
    return this.queryChunkCount + this.encodedPieces.length;
  }

  private get queryChunkCount(): number {
    return Math.ceil((this.data.dim * 2) / this.queryChunkBytes);
  }

  chunkCount(blockId: number): number {
    return this.blockTemplates(blockId, false).length;
  }

  /** Chunks of a push-hnsw batch stream. */
  batchChunkCount(unit: HnswBatchUnit): number {
    return this.batchChunks(unit).length;
  }

  /** Encodes `step` (chunk `part` of a stream step or of a query's chunks); returns its template and the msg_id the reply must carry. */
  build(step: JobStep, part = 0): Outgoing {
    const msgId = this.msgIds.take();
    if (step.op === 'stream') {
      const chunk = step.batch ? this.batchChunks(step.batch)[part]! : this.chunkBytes(step.blockId, part, step.stageOnly);
      return this.outgoing(chunk, msgId, 'LOAD_BLOCK');
    }
    if (step.op === 'params') return this.outgoing(this.encodedParams[step.chunk]!, msgId, 'LOAD_PARAMS');
    const spec = this.data.spec;
    let m: HubMessage;
    if (step.op === 'query' && part >= this.queryChunkCount) {
      return this.outgoing(this.encodedPieces[part - this.queryChunkCount]!, msgId, 'LOAD_PARAMS');
    }
    if (step.op === 'query') {
      const whole: HubMessage = { type: 'LOAD_QUERY', msgId, dtype: this.data.queryDtype, metric: METRIC_CODES[spec.metric], k: step.k ?? spec.k, dim: spec.dim, vector: this.data.queryBytes(step.queryId) };
      if (step.pull) whole.flags = LQ_F_PULL;
      m = queryChunks(whole, this.queryChunkBytes)[part]!;
    } else if (step.op === 'compute') {
      // A dequantized block's i8 codes are overwritten by its expansion: only fp16 blocks re-verify.
      const reverify = this.verifyCrc && this.data.wireDtype === DTYPE_FP16;
      m = { type: 'COMPUTE', msgId, metric: METRIC_CODES[spec.metric], k: spec.k, flags: reverify ? LB_F_VERIFY_CRC : 0 };
    } else {
      m = { type: 'READ_TOPK', msgId };
    }
    return this.outgoing(encodeMessage(m), msgId, m.type);
  }

  /** `template` sent with `msgId` (sealed in integrity mode): no copy is made here. */
  private outgoing(template: Uint8Array, msgId: number, requestType: string): Outgoing {
    return { template, msgId, sealed: this.integrity, requestType };
  }

  /** A batch's vectors (fp16, as the tiles compute with them) and ids as one FRESH_TOPK stream. */
  private batchChunks(unit: HnswBatchUnit): Uint8Array[] {
    let chunks = this.encodedBatches.get(unit.key);
    if (chunks) return chunks;
    chunks = explicitBlockChunks(this.data, unit.ids, { verifyCrc: this.verifyCrc, integrity: this.integrity, freshTopk: true });
    if (this.encodedBatches.size >= BATCH_CACHE_ENTRIES) this.encodedBatches.delete(this.encodedBatches.keys().next().value!);
    this.encodedBatches.set(unit.key, chunks);
    return chunks;
  }

  private chunkBytes(blockId: number, chunk: number, stageOnly: boolean): Uint8Array {
    return this.blockTemplates(blockId, stageOnly)[chunk]!;
  }

  /** A block's chunks, encoded the first time the block is planned or sent. */
  private blockTemplates(blockId: number, stageOnly: boolean): Uint8Array[] {
    const at = blockId * 2 + (stageOnly ? 1 : 0);
    let chunks = this.encodedChunks[at];
    if (chunks === undefined) {
      chunks = encodeMessages(this.data.blockChunks(blockId, stageOnly, this.verifyCrc, this.integrity));
      this.encodedChunks[at] = chunks;
    }
    return chunks;
  }
}
