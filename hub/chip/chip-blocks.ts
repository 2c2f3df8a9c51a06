// What a chip serves of a pull walk's explicit-id block (hub/pull/pull-driver.ts asks): the
// chip of the tile the block goes to is asked which of the block's vectors it holds (Layer A
// or its cache; a missing one is cached as it passes), and each chunk's held vector bytes
// are noted by msg_id in the ledger the simulator's transport reads.
import { chunkRanges } from '../../protocol/block-chunks.ts';
import { LoadBlock } from '../../protocol/constants.ts';
import { strideBytes } from '../../protocol/vector-bytes.ts';
import { DTYPE_FP16, MSG_CRC_BYTES } from '../../wat/layout.ts';
import { heldBytesPerChunk, type ChipLedger, type Chips } from './chip-memory.ts';

export class ChipBlocks {
  private readonly stride: number;

  constructor(
    readonly chips: Chips,
    dim: number,
    /** Blocks travel as LZ4 chunks: each crosses the hub link whole (docs/chips.md "LZ4 chunks"). */
    private readonly lz4 = false,
  ) {
    this.stride = strideBytes(DTYPE_FP16, dim);
  }

  get ledger(): ChipLedger {
    return this.chips.ledger;
  }

  /** Per chunk of the block of `ids` (explicit ids, as explicitBlockChunks splits it): bytes the chip holds. */
  heldChunkBytes(tileId: number, ids: readonly number[], integrity: boolean): number[] {
    // An LZ4 chunk's bytes are the compressed stream, not vectors the chip could fill in, so
    // the chip serves none of it (and is not asked: its cache neither hits nor fills).
    if (this.lz4) return []; // callers read a missing chunk as 0 bytes held
    const held = this.chips.memoryOf(tileId).serve(ids);
    const total = ids.length * (this.stride + 8);
    const size = integrity ? LoadBlock.maxDataBytes - MSG_CRC_BYTES : LoadBlock.maxDataBytes;
    return heldBytesPerChunk(held, this.stride, chunkRanges(total, size));
  }
}
