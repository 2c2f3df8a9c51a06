// Binary heap of (distance, id) pairs on typed arrays; no per-push allocation.
// Order is the total order (distance, id): ties go to the lower id, so the contents never
// depend on the order in which equal-distance nodes were pushed.
//   'nearest-first'  : top is the smallest (distance, id)   — the candidate queue C.
//   'farthest-first' : top is the largest  (distance, id)   — the bounded result set W;
//                      popping it evicts the worst, and among equals the higher id.

export type HeapOrder = 'nearest-first' | 'farthest-first';

export class DistIdHeap {
  private dist: Float64Array;
  private ids: Uint32Array;
  private count = 0;
  private readonly farthestFirst: boolean;

  constructor(order: HeapOrder, initialCapacity = 64) {
    this.farthestFirst = order === 'farthest-first';
    this.dist = new Float64Array(Math.max(2, initialCapacity));
    this.ids = new Uint32Array(Math.max(2, initialCapacity));
  }

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.count = 0;
  }

  topDistance(): number {
    return this.dist[0]!;
  }

  topId(): number {
    return this.ids[0]!;
  }

  push(distance: number, id: number): void {
    if (this.count === this.dist.length) this.grow();
    let i = this.count++;
    // Sift up.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.above(distance, id, this.dist[parent]!, this.ids[parent]!)) break;
      this.dist[i] = this.dist[parent]!;
      this.ids[i] = this.ids[parent]!;
      i = parent;
    }
    this.dist[i] = distance;
    this.ids[i] = id;
  }

  /** Removes the top; read it first with topDistance()/topId(). */
  pop(): void {
    const last = --this.count;
    if (last <= 0) return;
    const distance = this.dist[last]!;
    const id = this.ids[last]!;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= last) break;
      const right = left + 1;
      let child = left;
      if (right < last && this.above(this.dist[right]!, this.ids[right]!, this.dist[left]!, this.ids[left]!)) child = right;
      if (!this.above(this.dist[child]!, this.ids[child]!, distance, id)) break;
      this.dist[i] = this.dist[child]!;
      this.ids[i] = this.ids[child]!;
      i = child;
    }
    this.dist[i] = distance;
    this.ids[i] = id;
  }

  /** Drains the heap into the arrays, ascending by (distance, id). Returns the count. */
  drainAscending(outIds: Uint32Array, outDist: Float64Array): number {
    const n = this.count;
    if (this.farthestFirst) {
      for (let i = n - 1; i >= 0; i--) {
        outIds[i] = this.ids[0]!;
        outDist[i] = this.dist[0]!;
        this.pop();
      }
    } else {
      for (let i = 0; i < n; i++) {
        outIds[i] = this.ids[0]!;
        outDist[i] = this.dist[0]!;
        this.pop();
      }
    }
    return n;
  }

  /** True when (da, ia) belongs nearer the top than (db, ib). */
  private above(da: number, ia: number, db: number, ib: number): boolean {
    if (this.farthestFirst) return da > db || (da === db && ia > ib);
    return da < db || (da === db && ia < ib);
  }

  private grow(): void {
    const dist = new Float64Array(this.dist.length * 2);
    const ids = new Uint32Array(this.ids.length * 2);
    dist.set(this.dist);
    ids.set(this.ids);
    this.dist = dist;
    this.ids = ids;
  }
}

/** (da, ia) strictly before (db, ib) in the (distance, id) order. */
export function closerThan(da: number, ia: number, db: number, ib: number): boolean {
  return da < db || (da === db && ia < ib);
}
