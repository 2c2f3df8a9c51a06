// Bounded max-heap of (distance, id) keeping the k best (smallest) candidates seen. The
// root is the worst kept candidate, so a new candidate needs one compare to be rejected.
// Order is total: larger distance is worse; at equal distance the larger id is worse, which
// is how ground truth breaks ties (lower id wins).

export class BoundedMaxHeap {
  readonly capacity: number;
  private readonly distances: Float64Array;
  private readonly ids: Int32Array;
  private count = 0;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity <= 0) throw new RangeError(`heap capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.distances = new Float64Array(capacity);
    this.ids = new Int32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.count = 0;
  }

  /** Offers a candidate; returns true when it was kept. */
  offer(distance: number, id: number): boolean {
    if (this.count < this.capacity) {
      this.siftUp(this.count++, distance, id);
      return true;
    }
    if (!worse(this.distances[0] as number, this.ids[0] as number, distance, id)) return false;
    this.siftDown(0, distance, id);
    return true;
  }

  /** Writes the kept candidates best-first into the outputs at `offset`, and empties the heap. */
  drainSorted(outIds: Int32Array, outDistances: Float64Array, offset: number): void {
    for (let i = this.count - 1; i >= 0; i--) {
      outDistances[offset + i] = this.distances[0] as number;
      outIds[offset + i] = this.ids[0] as number;
      const last = --this.count;
      if (last > 0) this.siftDown(0, this.distances[last] as number, this.ids[last] as number);
    }
  }

  private siftUp(hole: number, distance: number, id: number): void {
    while (hole > 0) {
      const parent = (hole - 1) >> 1;
      if (!worse(distance, id, this.distances[parent] as number, this.ids[parent] as number)) break;
      this.distances[hole] = this.distances[parent] as number;
      this.ids[hole] = this.ids[parent] as number;
      hole = parent;
    }
    this.distances[hole] = distance;
    this.ids[hole] = id;
  }

  private siftDown(hole: number, distance: number, id: number): void {
    const n = this.count;
    for (;;) {
      let child = 2 * hole + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && worse(this.distances[right] as number, this.ids[right] as number, this.distances[child] as number, this.ids[child] as number)) {
        child = right;
      }
      if (!worse(this.distances[child] as number, this.ids[child] as number, distance, id)) break;
      this.distances[hole] = this.distances[child] as number;
      this.ids[hole] = this.ids[child] as number;
      hole = child;
    }
    this.distances[hole] = distance;
    this.ids[hole] = id;
  }
}

/** True when (da, ia) ranks after (db, ib). */
function worse(da: number, ia: number, db: number, ib: number): boolean {
  return da > db || (da === db && ia > ib);
}
