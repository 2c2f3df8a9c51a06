// The summary's tileWork and hubWork: what the tiles' kernels did by their own work
// counters (summed over tiles) and what the hub computed itself, with the cycles each was
// charged (docs/cost-model.md).
import { addWork, zeroWorkCycles, type TileWorkCycles } from '../message-cost.ts';
import type { TileNode } from '../tile-node.ts';

export interface TileWorkSummary {
  distances: number;
  /** Candidates offered to the tiles' top-K merges. */
  merges: number;
  crcBytes: number;
  cycles: TileWorkCycles;
}

export function tileWorkSummary(nodes: readonly TileNode[]): TileWorkSummary {
  const cycles = zeroWorkCycles();
  let distances = 0;
  let merges = 0;
  let crcBytes = 0;
  for (const n of nodes) {
    distances += n.work.counts.distances;
    merges += n.work.counts.merged;
    crcBytes += n.work.counts.crcBytes;
    addWork(cycles, n.work.cycles);
  }
  return { distances, merges, crcBytes, cycles };
}
