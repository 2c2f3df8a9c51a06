// Reference of rvf_greedy_step's choice: given the neighbors' distances (as the kernel's
// rvf_distances wrote them) and ids, and the walk's current node, the next node.
import { f32ToBits } from './sq.ts';

/** The top-K ordering key of an f32 distance: unsigned, canonical NaN after +inf. */
export function distanceKey(dist: number): number {
  const bits = f32ToBits(dist);
  return (bits ^ ((bits >> 31) | 0x80000000)) >>> 0;
}

export interface WalkState {
  curSet: boolean;
  curId: bigint;
  curDist: number;
}

export interface GreedyChoice {
  next: bigint;
  moved: boolean;
  dist?: number;
}

export function greedyChoice(current: bigint, state: WalkState, ids: bigint[], dists: Float32Array): GreedyChoice {
  let best = -1;
  for (let i = 0; i < ids.length; i++) {
    if (best < 0) {
      best = i;
      continue;
    }
    const a = distanceKey(dists[i]!);
    const b = distanceKey(dists[best]!);
    if (a < b || (a === b && ids[i]! < ids[best]!)) best = i;
  }
  if (best < 0) return { next: current, moved: false };
  const known = state.curSet && state.curId === current;
  if (known && distanceKey(dists[best]!) >= distanceKey(state.curDist)) return { next: current, moved: false };
  return { next: ids[best]!, moved: true, dist: dists[best]! };
}
