// Where a walk starts. The hub routes through the upper layers (Layers A/B, its own
// memory: the Core profile's "hub routes, tile computes"): a greedy descent from the
// entry point to layer 1, then a beam of width `walks * seedsPerWalk` on layer 1. Walk w
// of N is seeded with the layer-1 nodes ranked w, w + N, w + 2N, ... (seedsPerWalk of
// them): every walk starts near the query, each from different nodes. The tile computes
// the seeds' distances itself (the seed block) and walks layer 0.
import type { HnswIndex } from '../hnsw/index.ts';
import { norm } from '../hnsw/metric.ts';

export interface SeedPlan {
  /** seeds[w] = the node ids walk w starts from. */
  seeds: number[][];
  /** Distances the hub computed to route (upper layers). */
  hubDistances: number;
}

export function planSeeds(index: HnswIndex, query: Float32Array, walks: number, seedsPerWalk: number): SeedPlan {
  if (index.size === 0) throw new RangeError('pull mode needs a non-empty index');
  const s = index.createSearcher();
  s.setQuery(query, 0, index.metric === 'cosine' ? norm(query, 0, query.length) : 0);
  s.distanceCount = 0;
  const entry = index.entryPoint;
  if (index.maxLevel < 1) {
    return { seeds: Array.from({ length: walks }, () => [entry]), hubDistances: 0 };
  }
  s.greedyDescend(entry, s.distanceTo(entry), index.maxLevel, 2);
  const want = walks * seedsPerWalk;
  s.outIds[0] = s.greedyId;
  s.outDist[0] = s.greedyDist;
  const n = s.searchLayerInto(s.outIds, s.outDist, 1, want, 1);
  const ranked = Array.from(s.outIds.subarray(0, n));
  const seeds = Array.from({ length: walks }, (_, w) => {
    const mine: number[] = [];
    for (let r = w; r < ranked.length && mine.length < seedsPerWalk; r += walks) mine.push(ranked[r]!);
    // Fewer layer-1 nodes than walks: reuse the nearest ones.
    return mine.length > 0 ? mine : [ranked[w % ranked.length]!];
  });
  return { seeds, hubDistances: s.distanceCount };
}
