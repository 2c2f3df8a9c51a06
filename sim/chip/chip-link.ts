// The chip's part of the hub -> tile path (docs/chips.md): of a message the hub sends to a
// tile, the bytes the tile's chip serves from its shared memory (noted by the hub's driver
// in the chip ledger, by msg_id) do not cross the hub link; the chip reads them out of its
// memory at the cost the cost model states, and the tile receives the whole message.
import { HEADER } from '../../protocol/constants.ts';
import { chipReadCycles, type ChipLedger } from '../../hub/chip/chip-memory.ts';

export interface ChipServed {
  /** Bytes of the message the chip fills in (never crossing the hub link). */
  bytes: number;
  /** Cycles the chip spends reading them from shared memory, plus its other work on the message (chip beam). */
  cycles: number;
}

export class ChipLink {
  constructor(private readonly ledger: ChipLedger) {}

  fromChip(message: Uint8Array): ChipServed {
    if (message.length < HEADER.id + 4) return { bytes: 0, cycles: 0 };
    const msgId = new DataView(message.buffer, message.byteOffset, message.byteLength).getUint32(HEADER.id, true);
    const bytes = this.ledger.take(msgId);
    return { bytes, cycles: chipReadCycles(bytes) + this.ledger.workOn(msgId) };
  }
}
