// Binary min-heap of events ordered by (time in cycles, priority, insertion sequence).
//
// Why this shape: the simulator must sustain > 500,000 events per wall-clock second, and
// between two of its events a tile's kernel and a 2 KB message have usually evicted the
// queue from the nearest caches, so what a push or pop costs is mostly how many distinct
// cache lines it touches. Hence one typed array for the heap, each entry a row of four
// numbers side by side (time, priority, sequence, record number): a sift level reads one
// row pair, never a second array for a tie. The record (kind, payload), which the heap does
// not need to order, stays put in one plain array, kind and payload side by side, while
// the heap moves its number; free records are chained through their kind cell (the most
// recently freed, still cached, is reused first). Entries move with the "hole" technique
// (one row write per level instead of a swap); `popInto` fills a caller-owned record, so the
// steady state allocates nothing. (Until issue 14's fourth round the heap was two arrays
// and the records five: a pop touched seven arrays.)
//
// The sequence number makes the order total: two events at the same time and priority come
// out in the order they were scheduled, so a run never depends on heap internals. A caller
// may take a sequence number now and push with it later (`reserveSequence`,
// `pushWithSequence`): the event then orders as if it had been pushed when the number was
// taken (the simulator's moving timers, sim/moving-timer.ts).

import { doubled } from './typed-grow.ts';

const INITIAL_CAPACITY = 1024;
/** A heap row: time, priority, sequence, record number. */
const ROW = 4;
const PRIORITY = 1;
const SEQUENCE = 2;
const RECORD = 3;
/** End of the free-record chain. */
const NO_RECORD = -1;

/** One event as the queue hands it out. `popInto` reuses the caller's object. */
export interface QueuedEvent<K extends string | number = string, P = unknown> {
  timeCycles: number;
  priority: number;
  sequence: number;
  kind: K;
  payload: P;
}

export class EventQueue<K extends string | number = string, P = unknown> {
  /** The heap: entry i is the row at i * ROW. */
  private heap = new Float64Array(INITIAL_CAPACITY * ROW);
  /** Records by number r: kind at 2r, payload at 2r + 1; a free record's kind cell holds the
   *  next free record's number. Grown by appending, so V8 keeps it packed. */
  private readonly records: unknown[] = [];
  private freeRecord = NO_RECORD;
  private count = 0;
  private nextSequence = 0;

  get size(): number {
    return this.count;
  }

  /** Total events ever pushed; also the sequence number the next push will get. */
  get pushedCount(): number {
    return this.nextSequence;
  }

  /** Time of the earliest event, or Infinity when empty. */
  peekTimeCycles(): number {
    return this.count > 0 ? (this.heap[0] as number) : Infinity;
  }

  /** Adds an event; returns its sequence number. Priority: lower runs first at equal time. */
  push(timeCycles: number, priority: number, kind: K, payload: P): number {
    const sequence = this.nextSequence++;
    this.insert(timeCycles, priority | 0, sequence, kind, payload);
    return sequence;
  }

  /** Takes the next sequence number without pushing anything, as a push would. */
  reserveSequence(): number {
    return this.nextSequence++;
  }

  /** Adds an event under a sequence number taken before (`reserveSequence`); the caller
   *  pushes each reserved number at most once while it is queued. */
  pushWithSequence(timeCycles: number, priority: number, sequence: number, kind: K, payload: P): void {
    if (!(sequence >= 0 && sequence < this.nextSequence)) {
      throw new RangeError(`sequence ${sequence} was never handed out (next is ${this.nextSequence})`);
    }
    this.insert(timeCycles, priority | 0, sequence, kind, payload);
  }

  /** Removes the earliest event into `out`; returns false (and leaves `out` alone) when empty. */
  popInto(out: QueuedEvent<K, P>): boolean {
    if (this.count === 0) return false;
    const heap = this.heap;
    const records = this.records;
    const r = heap[RECORD] as number;
    out.timeCycles = heap[0] as number;
    out.priority = heap[PRIORITY] as number;
    out.sequence = heap[SEQUENCE] as number;
    out.kind = records[2 * r] as K;
    out.payload = records[2 * r + 1] as P;
    // Drop the payload so it can be collected; the record joins the free chain.
    records[2 * r] = this.freeRecord;
    records[2 * r + 1] = undefined;
    this.freeRecord = r;
    const last = --this.count;
    if (last > 0) this.siftDownLast(last * ROW);
    return true;
  }

  /** Convenience pop that allocates a record; prefer `popInto` in hot loops. */
  pop(): QueuedEvent<K, P> | undefined {
    const out = { timeCycles: 0, priority: 0, sequence: 0, kind: '' as K, payload: undefined as P };
    return this.popInto(out) ? out : undefined;
  }

  clear(): void {
    // Every record is free again, chained in order.
    const records = this.records;
    const made = records.length / 2;
    for (let r = 0; r < made; r++) {
      records[2 * r] = r + 1 < made ? r + 1 : NO_RECORD;
      records[2 * r + 1] = undefined;
    }
    this.freeRecord = made > 0 ? 0 : NO_RECORD;
    this.count = 0;
  }

  private insert(t: number, p: number, s: number, k: K, payload: P): void {
    if ((this.count + 1) * ROW > this.heap.length) this.heap = doubled(this.heap);
    const records = this.records;
    let r = this.freeRecord;
    if (r !== NO_RECORD) {
      this.freeRecord = records[2 * r] as number;
      records[2 * r] = k;
      records[2 * r + 1] = payload;
    } else {
      r = records.length / 2;
      records.push(k, payload);
    }
    this.siftUp(this.count++ * ROW, t, p, s, r);
  }

  /** Moves the new entry (t, p, s, r) up from the empty row at `hole` to its place. */
  private siftUp(hole: number, t: number, p: number, s: number, r: number): void {
    const heap = this.heap;
    while (hole > 0) {
      const parent = (((hole >> 2) - 1) >> 1) << 2; // ROW = 4
      const tp = heap[parent] as number;
      if (tp < t) break;
      if (tp === t) {
        const pp = heap[parent + PRIORITY] as number;
        if (pp < p || (pp === p && (heap[parent + SEQUENCE] as number) < s)) break;
      }
      heap[hole] = tp;
      heap[hole + PRIORITY] = heap[parent + PRIORITY] as number;
      heap[hole + SEQUENCE] = heap[parent + SEQUENCE] as number;
      heap[hole + RECORD] = heap[parent + RECORD] as number;
      hole = parent;
    }
    heap[hole] = t;
    heap[hole + PRIORITY] = p;
    heap[hole + SEQUENCE] = s;
    heap[hole + RECORD] = r;
  }

  /** The root was taken: moves the last entry (the row at `lastRow`, now outside the heap)
   *  down from the root to its place. */
  private siftDownLast(lastRow: number): void {
    const heap = this.heap;
    const t = heap[lastRow] as number;
    const p = heap[lastRow + PRIORITY] as number;
    const s = heap[lastRow + SEQUENCE] as number;
    const r = heap[lastRow + RECORD] as number;
    let hole = 0;
    for (;;) {
      let child = 2 * hole + ROW;
      if (child >= lastRow) break;
      let tc = heap[child] as number;
      const right = child + ROW;
      if (right < lastRow) {
        const tr = heap[right] as number;
        if (tr < tc || (tr === tc && rowBefore(heap, right, child))) {
          child = right;
          tc = tr;
        }
      }
      if (tc > t) break;
      if (tc === t) {
        const pc = heap[child + PRIORITY] as number;
        if (p < pc || (p === pc && s < (heap[child + SEQUENCE] as number))) break;
      }
      heap[hole] = tc;
      heap[hole + PRIORITY] = heap[child + PRIORITY] as number;
      heap[hole + SEQUENCE] = heap[child + SEQUENCE] as number;
      heap[hole + RECORD] = heap[child + RECORD] as number;
      hole = child;
    }
    heap[hole] = t;
    heap[hole + PRIORITY] = p;
    heap[hole + SEQUENCE] = s;
    heap[hole + RECORD] = r;
  }
}

/** Rows a and b, at the same time: true when a orders first (priority, then sequence). */
function rowBefore(heap: Float64Array, a: number, b: number): boolean {
  const pa = heap[a + PRIORITY] as number;
  const pb = heap[b + PRIORITY] as number;
  if (pa !== pb) return pa < pb;
  return (heap[a + SEQUENCE] as number) < (heap[b + SEQUENCE] as number);
}
