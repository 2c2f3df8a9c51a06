// A block of chosen vectors with their ids (EXPLICIT_IDS), encoded as LOAD_BLOCK chunks with
// msg_id 0 (stamped when sent). Pull walks send them for the tile's NEED_BLOCK and seeds;
// push-hnsw sends each batch as one with FRESH_TOPK. The vectors travel as fp16, the values
// the tiles compute with; as LZ4 chunks when the dataset says so (Hot tiles).
import { blockStream, padBlockVectors, type BlockChunkOptions } from '../../protocol/block-chunks.ts';
import { streamChunkTemplates } from '../../protocol/block-templates.ts';
import { LoadBlock } from '../../protocol/constants.ts';
import { DTYPE_FP16, MSG_CRC_BYTES } from '../../wat/layout.ts';
import type { EncodedDataset } from '../encoded-dataset.ts';

export interface ExplicitBlockOptions {
  verifyCrc: boolean;
  /** Sealed messages carry a 4 B CRC trailer, so each chunk carries 4 B less. */
  integrity: boolean;
  /** The tile starts a fresh top-K for the block (push-hnsw: READ_TOPK returns exactly these ids). */
  freshTopk: boolean;
}

export function explicitBlockChunks(data: EncodedDataset, ids: readonly number[], o: ExplicitBlockOptions): Uint8Array[] {
  const padded = padBlockVectors(DTYPE_FP16, data.dim, ids.map((id) => data.computeVectorBytes(id)));
  const stream = blockStream(padded, ids.map(BigInt));
  const options: BlockChunkOptions = {
    firstMsgId: 0,
    count: ids.length,
    dtype: DTYPE_FP16,
    explicitIds: true,
    freshTopk: o.freshTopk,
    verifyCrc: o.verifyCrc,
    ...(o.integrity ? { chunkDataBytes: LoadBlock.maxDataBytes - MSG_CRC_BYTES } : {}),
  };
  return streamChunkTemplates(stream, options, data.lz4);
}
