// The chip's part of the hub -> tile path (docs/chips.md): of a message the hub sends to a
// tile, the bytes the tile's chip serves from its shared memory (noted by the hub's driver
// in the chip ledger, by msg_id) do not cross the hub link; the chip reads them out of its
// memory at the cost the cost model states, and the tile receives the whole message.
import { chipReadCycles, type ChipLedger } from '../../hub/chip/chip-memory.ts';

export class ChipLink {
  /**
   * Cycles the chip spent on the message last asked about (`fromChip`): reading its bytes
   * from shared memory, plus its other work on it (chip beam). A field rather than a result
   * object: the transport asks once per message sent.
   */
  cycles = 0;

  constructor(private readonly ledger: ChipLedger) {}

  /** Bytes of message `msgId` the chip fills in (never crossing the hub link); sets `cycles`. */
  fromChip(msgId: number): number {
    const bytes = this.ledger.take(msgId);
    this.cycles = chipReadCycles(bytes) + this.ledger.workOn(msgId);
    return bytes;
  }
}
