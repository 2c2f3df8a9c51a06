// Turns a job step into the bytes the hub sends, with a fresh msg_id. Block chunks are
// encoded once per block and copied with the new msg_id patched in: the hub sends the
// same 2 KB chunks many times, and re-encoding them would dominate the simulator.
import { encodeMessage } from '../../protocol/codec.ts';
import { HEADER, LoadParams } from '../../protocol/constants.ts';
import { sealMessage } from '../../protocol/integrity.ts';
import { paramsChunks } from '../../protocol/block-chunks.ts';
import type { HubMessage } from '../../protocol/types.ts';
import { DTYPE_FP16, LB_F_VERIFY_CRC, LQ_F_PULL, LP_KIND_SQ, MSG_CRC_BYTES, METRIC_COSINE, METRIC_IP, METRIC_L2 } from '../../wat/layout.ts';
import type { EncodedDataset } from '../encoded-dataset.ts';
import type { MetricName } from '../search-spec.ts';
import { sqParamsBytes } from '../sq-quantize.ts';
import type { JobStep } from './job.ts';

const PARAMS_CHUNK_BYTES = LoadParams.maxDataBytes;

export const METRIC_CODES: Readonly<Record<MetricName, number>> = { l2: METRIC_L2, ip: METRIC_IP, cosine: METRIC_COSINE };

export class MessageBuilder {
  private nextMsgId = 1;
  private readonly encodedChunks = new Map<string, Uint8Array>();
  private readonly encodedParams: Uint8Array[];
  readonly verifyCrc: boolean;
  readonly integrity: boolean;
  /** k of a pull-mode LOAD_QUERY: the walk's beam width (set by Hub.submitWalks). */
  pullEf = 0;

  constructor(
    private readonly data: EncodedDataset,
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
  }

  get paramsChunkCount(): number {
    return this.encodedParams.length;
  }

  chunkCount(blockId: number): number {
    return this.data.blockChunks(blockId, false, this.verifyCrc, this.integrity).length;
  }

  /** Encodes `step` (chunk `part` of a stream step); returns the bytes and the msg_id the reply must carry. */
  build(step: JobStep, part = 0): { bytes: Uint8Array; msgId: number; requestType: string } {
    const msgId = this.nextMsgId;
    this.nextMsgId = (this.nextMsgId + 1) >>> 0 || 1;
    if (step.op === 'stream') return { bytes: this.patched(this.chunkBytes(step.blockId, part, step.stageOnly), msgId), msgId, requestType: 'LOAD_BLOCK' };
    if (step.op === 'chunk') return { bytes: this.patched(this.chunkBytes(step.blockId, step.chunk, step.stageOnly), msgId), msgId, requestType: 'LOAD_BLOCK' };
    if (step.op === 'params') return { bytes: this.patched(this.encodedParams[step.chunk]!, msgId), msgId, requestType: 'LOAD_PARAMS' };
    const spec = this.data.spec;
    let m: HubMessage;
    if (step.op === 'query') {
      m = { type: 'LOAD_QUERY', msgId, dtype: this.data.queryDtype, metric: METRIC_CODES[spec.metric], k: step.pull ? this.pullEf : spec.k, dim: spec.dim, vector: this.data.queryBytes(step.queryId) };
      if (step.pull) m.flags = LQ_F_PULL;
    } else if (step.op === 'compute') {
      // A dequantized block's i8 codes are overwritten by its expansion: only fp16 blocks re-verify.
      const reverify = this.verifyCrc && this.data.wireDtype === DTYPE_FP16;
      m = { type: 'COMPUTE', msgId, metric: METRIC_CODES[spec.metric], k: spec.k, flags: reverify ? LB_F_VERIFY_CRC : 0 };
    } else {
      m = { type: 'READ_TOPK', msgId };
    }
    return { bytes: this.sealed(encodeMessage(m)), msgId, requestType: m.type };
  }

  private sealed(bytes: Uint8Array): Uint8Array {
    return this.integrity ? sealMessage(bytes) : bytes;
  }

  private chunkBytes(blockId: number, chunk: number, stageOnly: boolean): Uint8Array {
    const key = `${blockId}/${chunk}/${stageOnly ? 1 : 0}`;
    let bytes = this.encodedChunks.get(key);
    if (!bytes) {
      bytes = encodeMessage(this.data.blockChunks(blockId, stageOnly, this.verifyCrc, this.integrity)[chunk]!);
      this.encodedChunks.set(key, bytes);
    }
    return bytes;
  }

  private patched(template: Uint8Array, msgId: number): Uint8Array {
    const bytes = template.slice();
    new DataView(bytes.buffer).setUint32(HEADER.id, msgId, true);
    return this.sealed(bytes);
  }
}
