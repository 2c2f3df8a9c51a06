// Which tile owns which block in the push scan: blocks are dealt round-robin so every tile
// gets an equal share, and the units a query or a block schedule needs. (A retired owner's
// share moves to its nearest healthy neighbour when the hub core places the work.)
import type { EncodedDataset } from '../encoded-dataset.ts';
import { probeUnitKey, scanUnitKey, type ProbeUnit, type ScanUnit } from './job.ts';

export class WorkPlan {
  private readonly blocksOfTile: number[][];

  constructor(
    private readonly data: EncodedDataset,
    readonly tileCount: number,
  ) {
    this.blocksOfTile = Array.from({ length: tileCount }, () => []);
    for (let b = 0; b < data.blockCount; b++) this.blocksOfTile[this.ownerOf(b)]!.push(b);
  }

  ownerOf(blockId: number): number {
    return blockId % this.tileCount;
  }

  /** Tiles that own at least one block: the slots a query-stationary query is split over. */
  private slots(): number[] {
    const out: number[] = [];
    for (let t = 0; t < this.tileCount; t++) if (this.blocksOfTile[t]!.length > 0) out.push(t);
    return out;
  }

  scanUnits(queryId: number): { tileId: number; units: ScanUnit[] }[] {
    return this.slots().map((t) => ({
      tileId: t,
      units: [{ kind: 'scan', queryId, blockIds: this.blocksOfTile[t]!, key: scanUnitKey(queryId, t) }],
    }));
  }

  probeUnit(queryId: number, blockId: number): ProbeUnit {
    return { kind: 'probe', queryId, blockId, key: probeUnitKey(queryId, blockId) };
  }
}
