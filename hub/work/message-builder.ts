// Turns a job step into the message the hub sends, with a fresh msg_id. Block chunks are
// encoded once per block and sent as that template and the new msg_id (Outgoing): the hub
// sends the same 2 KB chunks many times, and re-encoding or even copying them would dominate
// the simulator; the transport writes template and id once, where the message is delivered
// (protocol/stamped-message.ts). The templates are found by integer index (block, staging),
// never by a string key: this runs once per message sent (docs/performance.md). Every template
// sits in a TemplateTable, its facts (type, length, a chunk's figures) made once beside it and
// copied into the Outgoing record as numbers (hub/core/outgoing.ts): the templates kept for the
// whole run (blocks, parameters, COMPUTE, READ_TOPK) in the builder's one table, whose two
// arrays every message reads; a cache's entries in tables of their own, dropped with them.
import { encodeMessage } from '../../protocol/codec.ts';
import { LoadParams, LoadQuery } from '../../protocol/constants.ts';
import { queryChunks } from '../../protocol/messages/query.ts';
import { paramsChunks } from '../../protocol/block-chunks.ts';
import type { HubMessage } from '../../protocol/types.ts';
import { DTYPE_FP16, LB_F_VERIFY_CRC, LQ_F_PULL, LP_KIND_SQ, MSG_CRC_BYTES, METRIC_COSINE, METRIC_IP, METRIC_L2 } from '../../wat/layout.ts';
import { pq6PieceMessages } from '../pq6/pieces.ts';
import type { Outgoing } from '../core/mode-driver.ts';
import { fillOutgoing } from '../core/outgoing.ts';
import { TemplateTable, templateSet, type TemplateSet } from '../../protocol/template-facts.ts';
import type { EncodedDataset } from '../encoded-dataset.ts';
import type { MetricName } from '../search-spec.ts';
import { sqParamsBytes } from '../sq-quantize.ts';
import { explicitBlockChunks } from './explicit-blocks.ts';
import type { HnswBatchUnit, JobStep, StreamStep } from './job.ts';
import { MsgIds, STEP_MSG_IDS_FIRST } from './msg-ids.ts';

const PARAMS_CHUNK_BYTES = LoadParams.maxDataBytes;
/** Push-hnsw batch streams kept encoded (a retry or a reassignment sends them again). */
const BATCH_CACHE_ENTRIES = 512;
/** Queries kept encoded (the queries in flight at once, with room; k is at most TOPK_MAX). */
const QUERY_CACHE_ENTRIES = 256;

export const METRIC_CODES: Readonly<Record<MetricName, number>> = { l2: METRIC_L2, ip: METRIC_IP, cosine: METRIC_COSINE };

export class MessageBuilder {
  private readonly msgIds = new MsgIds(STEP_MSG_IDS_FIRST);
  /** The templates kept for the whole run, by number (blocks, parameters, COMPUTE, READ_TOPK). */
  private readonly kept = new TemplateTable(1024);
  /** Encoded chunk templates (msg_id 0) of each block: index blockId * 2 + (stageOnly ? 1 : 0). */
  private readonly encodedChunks: (TemplateSet | undefined)[] = [];
  private readonly encodedBatches = new Map<string, TemplateSet>();
  /** LOAD_QUERY chunks by query, k and pull flag (queryTemplates); COMPUTE and READ_TOPK, one each. */
  private readonly encodedQueries = new Map<number, TemplateSet>();
  private computeTemplate: TemplateSet | undefined;
  private readTemplate: TemplateSet | undefined;
  private readonly encodedParams: TemplateSet;
  /** --dtype pq6: the codebook's LOAD_PARAMS kind 3 pieces, sent after every LOAD_QUERY. */
  private readonly encodedPieces: TemplateSet;
  readonly verifyCrc: boolean;
  readonly integrity: boolean;
  /** Vector bytes one LOAD_QUERY carries (4 fewer when sealed). */
  private readonly queryChunkBytes: number;
  /** LOAD_QUERY messages of one query: 1, or its chunks when it does not fit one (above 1,016 fp16 dims: Hot data). */
  private readonly queryChunkCount: number;
  /**
   * Messages that carry one query: its LOAD_QUERY chunks, then, for PQ6 data, the codebook
   * pieces that build its table (docs/protocol.md "PQ6 blocks"), so every LOAD_QUERY, resent
   * or not, is followed by them. Fixed by the data and the mode: counted once.
   */
  readonly queryPartCount: number;

  constructor(
    readonly data: EncodedDataset,
    opts: { verifyCrc: boolean; integrity: boolean },
  ) {
    this.verifyCrc = opts.verifyCrc;
    this.integrity = opts.integrity;
    const sq = data.sq;
    // A sealed message carries 4 more bytes, so its chunks carry 4 fewer.
    const chunkDataBytes = opts.integrity ? PARAMS_CHUNK_BYTES - MSG_CRC_BYTES : PARAMS_CHUNK_BYTES;
    this.encodedParams = this.kept.add(
      sq ? paramsChunks(sqParamsBytes(sq), { firstMsgId: 0, kind: LP_KIND_SQ, a: data.dim, b: 0, chunkDataBytes }).map((m) => encodeMessage(m)) : [],
    );
    this.encodedPieces = this.kept.add(data.pq6 ? pq6PieceMessages(data.pq6.book, opts.integrity).map((m) => encodeMessage(m)) : []);
    this.queryChunkBytes = opts.integrity ? LoadQuery.maxDataBytes - MSG_CRC_BYTES : LoadQuery.maxDataBytes;
    this.queryChunkCount = Math.ceil((data.dim * 2) / this.queryChunkBytes);
    this.queryPartCount = this.queryChunkCount + this.encodedPieces.count;
  }

  get paramsChunkCount(): number {
    return this.encodedParams.count;
  }

  chunkCount(blockId: number): number {
    return this.blockTemplates(blockId, false).count;
  }

  /** The table every block's chunk templates are in (with the other templates kept for the run). */
  get blockTable(): TemplateTable {
    return this.kept;
  }

  /** A block's first chunk template in `blockTable` (its chunks follow it): a step notes it
   *  when it is planned (job-planner.ts), so starting the stream reads no block table here. */
  firstBlockTemplate(blockId: number, stageOnly: boolean): number {
    return this.blockTemplates(blockId, stageOnly).first;
  }

  /** Chunks of a push-hnsw batch stream. */
  batchChunkCount(unit: HnswBatchUnit): number {
    return this.batchChunks(unit).count;
  }

  /**
   * Fills `out` with `step`'s message (chunk `part` of a stream step or of a query's chunks):
   * its template and the fresh msg_id the reply must carry. `out` is the caller's one record
   * (a tile link's), rewritten per message: the hub reads it while it sends and keeps none of
   * it (hub.ts `transmit`). Every template is encoded once with msg_id 0 and shared; the
   * msg_id is stamped where the message is delivered.
   */
  build(step: JobStep, part: number, out: Outgoing): Outgoing {
    if (step.op === 'stream') {
      const chunks = this.streamTemplates(step);
      return this.chunk(chunks.table, chunks.first + part, out);
    }
    const msgId = this.msgIds.take();
    if (step.op === 'params') return this.fill(out, this.encodedParams, step.chunk, msgId, 'LOAD_PARAMS');
    if (step.op === 'query' && part >= this.queryChunkCount) return this.fill(out, this.encodedPieces, part - this.queryChunkCount, msgId, 'LOAD_PARAMS');
    if (step.op === 'query') return this.fill(out, this.queryTemplates(step.queryId, step.k ?? this.data.spec.k, step.pull === true), part, msgId, 'LOAD_QUERY');
    if (step.op === 'compute') return this.fill(out, (this.computeTemplate ??= this.encodeCompute()), 0, msgId, 'COMPUTE');
    return this.fill(out, (this.readTemplate ??= this.kept.add([encodeMessage({ type: 'READ_TOPK', msgId: 0 })])), 0, msgId, 'READ_TOPK');
  }

  /** A stream step's chunk templates (msg_id 0): its block's, or its push-hnsw batch's. */
  streamTemplates(step: StreamStep): TemplateSet {
    return step.batch ? this.batchChunks(step.batch) : this.blockTemplates(step.blockId, step.stageOnly);
  }

  /** A stream's chunk, template number `n` of `table` (a streamTemplates set's), with a fresh
   *  msg_id, into `out`: a link that keeps the table and first number of the stream it sends
   *  finds the next chunk without reading the step, the set or this builder's caches again
   *  (step-link.ts). */
  chunk(table: TemplateTable, n: number, out: Outgoing): Outgoing {
    return fillOutgoing(out, table, n, this.msgIds.take(), this.integrity, 'LOAD_BLOCK');
  }

  /** Template `index` of `set` sent with `msgId` (sealed in integrity mode), written into `out` with its facts: no copy is made here. */
  private fill(out: Outgoing, set: TemplateSet, index: number, msgId: number, requestType: string): Outgoing {
    return fillOutgoing(out, set.table, set.first + index, msgId, this.integrity, requestType);
  }

  private encodeCompute(): TemplateSet {
    // A dequantized block's i8 codes are overwritten by its expansion: only fp16 blocks re-verify.
    const reverify = this.verifyCrc && this.data.wireDtype === DTYPE_FP16;
    return this.kept.add([encodeMessage({ type: 'COMPUTE', msgId: 0, metric: METRIC_CODES[this.data.spec.metric], k: this.data.spec.k, flags: reverify ? LB_F_VERIFY_CRC : 0 })]);
  }

  /** A query's LOAD_QUERY chunks (msg_id 0), kept for the tiles that load it after the first. */
  private queryTemplates(queryId: number, k: number, pull: boolean): TemplateSet {
    // k fits 12 bits (the protocol caps it at TOPK_MAX); any other k is encoded uncached.
    const key = Number.isInteger(k) && k >= 0 && k < 4096 ? (queryId * 4096 + k) * 2 + (pull ? 1 : 0) : -1;
    let chunks = this.encodedQueries.get(key);
    if (chunks) return chunks;
    const spec = this.data.spec;
    const whole: HubMessage = { type: 'LOAD_QUERY', msgId: 0, dtype: this.data.queryDtype, metric: METRIC_CODES[spec.metric], k, dim: spec.dim, vector: this.data.queryBytes(queryId) };
    if (pull) whole.flags = LQ_F_PULL;
    chunks = templateSet(queryChunks(whole, this.queryChunkBytes).map((m) => encodeMessage(m)));
    if (key < 0) return chunks;
    if (this.encodedQueries.size >= QUERY_CACHE_ENTRIES) this.encodedQueries.delete(this.encodedQueries.keys().next().value!);
    this.encodedQueries.set(key, chunks);
    return chunks;
  }

  /** A batch's vectors (fp16, as the tiles compute with them) and ids as one FRESH_TOPK stream. */
  private batchChunks(unit: HnswBatchUnit): TemplateSet {
    let chunks = this.encodedBatches.get(unit.key);
    if (chunks) return chunks;
    chunks = templateSet(explicitBlockChunks(this.data, unit.ids, { verifyCrc: this.verifyCrc, integrity: this.integrity, freshTopk: true }));
    if (this.encodedBatches.size >= BATCH_CACHE_ENTRIES) this.encodedBatches.delete(this.encodedBatches.keys().next().value!);
    this.encodedBatches.set(unit.key, chunks);
    return chunks;
  }

  /** A block's chunks, encoded the first time the block is planned or sent. */
  private blockTemplates(blockId: number, stageOnly: boolean): TemplateSet {
    const at = blockId * 2 + (stageOnly ? 1 : 0);
    let chunks = this.encodedChunks[at];
    if (chunks === undefined) {
      chunks = this.kept.add(this.data.blockTemplates(blockId, stageOnly, this.verifyCrc, this.integrity));
      this.encodedChunks[at] = chunks;
    }
    return chunks;
  }
}
