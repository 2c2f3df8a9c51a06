// Where work lives: which tile owns which block, and each tile's queue of unit groups
// (one group becomes one job). Blocks are dealt round-robin so every tile gets an equal
// share; a retired tile's share moves to its nearest healthy neighbour.
import type { EncodedDataset } from '../encoded-dataset.ts';
import { probeUnitKey, scanUnitKey, type ProbeUnit, type ScanUnit, type WorkUnit } from './job.ts';

export class WorkPlan {
  private readonly queues: WorkUnit[][][];
  private readonly retired: boolean[];
  private readonly blocksOfTile: number[][];

  constructor(
    private readonly data: EncodedDataset,
    readonly tileCount: number,
  ) {
    this.queues = Array.from({ length: tileCount }, () => []);
    this.retired = new Array<boolean>(tileCount).fill(false);
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

  scanKeys(queryId: number): string[] {
    return this.slots().map((t) => scanUnitKey(queryId, t));
  }

  probeUnit(queryId: number, blockId: number): ProbeUnit {
    return { kind: 'probe', queryId, blockId, key: probeUnitKey(queryId, blockId) };
  }

  probeKeys(queryId: number): string[] {
    return Array.from({ length: this.data.blockCount }, (_, b) => probeUnitKey(queryId, b));
  }

  static queryOfKey(key: string): number {
    return Number(key.slice(1, key.indexOf('/')));
  }

  enqueue(tileId: number, units: WorkUnit[]): void {
    this.queues[tileId]!.push(units);
  }

  dequeue(tileId: number): WorkUnit[] | undefined {
    return this.queues[tileId]!.shift();
  }

  drain(tileId: number): WorkUnit[][] {
    return this.queues[tileId]!.splice(0);
  }

  retire(tileId: number): void {
    this.retired[tileId] = true;
  }

  isRetired(tileId: number): boolean {
    return this.retired[tileId]!;
  }

  get allRetired(): boolean {
    return this.retired.every(Boolean);
  }
}
