// The index's Layer A as a chip holds it (spec section 5, Hot profile: "Layer A in shared
// memory"): every node above layer 0 of every region, its vector (one block stride) and its
// upper-layer lists (4 B a link). The hub's upper-layer tier (hub/hnsw/layer-a.ts) orders
// the nodes; here it is asked for all of them (an unbounded budget).
import type { PullIndex } from '../pull/pull-index.ts';
import type { LayerA } from './chip-memory.ts';

const LINK_BYTES = 4;

export function chipLayerA(index: PullIndex, vectorBytes: number): LayerA {
  const ids = new Set<number>();
  let bytes = 0;
  index.regions.forEach((region, r) => {
    const tier = region.layerA(Number.MAX_SAFE_INTEGER, 1);
    tier.ids.forEach((local, i) => {
      const level = tier.levels[i]!;
      ids.add(index.globalId(r, local));
      bytes += vectorBytes;
      for (let l = 1; l <= level; l++) bytes += LINK_BYTES * region.neighbors(local, l).length;
    });
  });
  return { ids, bytes };
}
