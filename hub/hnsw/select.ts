// Neighbor selection heuristic (Malkov & Yashunin, Algorithm 4) with
// keepPrunedConnections = true and extendCandidates = false.
//
// Candidates arrive ascending by (distance to the base point, id). A candidate e is kept
// unless some already-kept r is strictly closer to e than the base point is
// (dist(e, r) < dist(e, base)); this is hnswlib's reading of "closer", and it keeps exact
// duplicates of one another connected instead of pruning all but one. Pruned candidates
// then fill the remaining slots in their (distance, id) order.

import type { HnswCore } from './search.ts';
import { metricDistance } from './metric.ts';

export class NeighborSelector {
  private readonly core: HnswCore;
  private prunedIds = new Uint32Array(64);
  private prunedDist = new Float64Array(64);

  constructor(core: HnswCore) {
    this.core = core;
  }

  /**
   * Chooses at most `maxCount` of the `count` sorted candidates into outIds/outDist
   * (which must not alias the candidate arrays). Returns the number chosen.
   */
  select(
    candIds: Uint32Array, candDist: Float64Array, count: number, maxCount: number,
    outIds: Uint32Array, outDist: Float64Array,
  ): number {
    if (count <= maxCount) {
      // With keepPrunedConnections every candidate is kept anyway; skip the distances.
      for (let i = 0; i < count; i++) {
        outIds[i] = candIds[i]!;
        outDist[i] = candDist[i]!;
      }
      return count;
    }
    this.ensurePrunedCapacity(count);
    let kept = 0;
    let pruned = 0;
    for (let i = 0; i < count && kept < maxCount; i++) {
      const e = candIds[i]!;
      const de = candDist[i]!;
      let good = true;
      for (let j = 0; j < kept; j++) {
        if (this.pairDistance(e, outIds[j]!) < de) {
          good = false;
          break;
        }
      }
      if (good) {
        outIds[kept] = e;
        outDist[kept++] = de;
      } else {
        this.prunedIds[pruned] = e;
        this.prunedDist[pruned++] = de;
      }
    }
    for (let j = 0; j < pruned && kept < maxCount; j++) {
      outIds[kept] = this.prunedIds[j]!;
      outDist[kept++] = this.prunedDist[j]!;
    }
    return kept;
  }

  private pairDistance(a: number, b: number): number {
    const c = this.core;
    const norms = c.norms;
    return metricDistance(
      c.metric,
      c.vectors, a * c.dim, norms === null ? 0 : norms[a]!,
      c.vectors, b * c.dim, norms === null ? 0 : norms[b]!,
      c.dim,
    );
  }

  private ensurePrunedCapacity(count: number): void {
    if (this.prunedIds.length >= count) return;
    this.prunedIds = new Uint32Array(count * 2);
    this.prunedDist = new Float64Array(count * 2);
  }
}

/** Insertion sort of a short (id, distance) list into (distance, id) order. */
export function sortByDistanceThenId(ids: Uint32Array, dist: Float64Array, count: number): void {
  for (let i = 1; i < count; i++) {
    const id = ids[i]!;
    const d = dist[i]!;
    let j = i - 1;
    while (j >= 0 && (dist[j]! > d || (dist[j] === d && ids[j]! > id))) {
      ids[j + 1] = ids[j]!;
      dist[j + 1] = dist[j]!;
      j--;
    }
    ids[j + 1] = id;
    dist[j + 1] = d;
  }
}
