// Binary min-heap of events ordered by (time in cycles, priority, insertion sequence).
//
// Why this shape: the simulator must sustain > 500,000 events per wall-clock second, so the
// heap keeps no object per event and no closure per event. The heap itself is two typed
// arrays, each entry's time and the number of its record; the record (priority, sequence,
// kind, payload) stays put in parallel arrays while the heap moves its number, so a level
// of a sift moves two values, not five, and reads priority and sequence only when two times
// tie. Entries move with the "hole" technique (one write per level instead of a swap);
// records are reused through a free list; `popInto` fills a caller-owned record so the
// steady state allocates nothing.
//
// The sequence number makes the order total: two events at the same time and priority come
// out in the order they were scheduled, so a run never depends on heap internals. A caller
// may take a sequence number now and push with it later (`reserveSequence`,
// `pushWithSequence`): the event then orders as if it had been pushed when the number was
// taken (the simulator's moving timers, sim/moving-timer.ts).

import { doubled } from './typed-grow.ts';

const INITIAL_CAPACITY = 1024;

/** One event as the queue hands it out. `popInto` reuses the caller's object. */
export interface QueuedEvent<K extends string | number = string, P = unknown> {
  timeCycles: number;
  priority: number;
  sequence: number;
  kind: K;
  payload: P;
}

export class EventQueue<K extends string | number = string, P = unknown> {
  /** The heap: entry i's time, and the record it points at. */
  private times = new Float64Array(INITIAL_CAPACITY);
  private records = new Int32Array(INITIAL_CAPACITY);
  /** Records, by record number (not heap position). */
  private priorities = new Int32Array(INITIAL_CAPACITY);
  private sequences = new Float64Array(INITIAL_CAPACITY);
  // Plain arrays grown by appending, so V8 keeps them packed (fast element access).
  private kinds: (K | undefined)[] = [];
  private payloads: (P | undefined)[] = [];
  /** Record numbers free for reuse (a stack), and how many records were ever made. */
  private freeRecords = new Int32Array(INITIAL_CAPACITY);
  private freeCount = 0;
  private madeRecords = 0;
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
    return this.count > 0 ? (this.times[0] as number) : Infinity;
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
    const r = this.records[0] as number;
    out.timeCycles = this.times[0] as number;
    out.priority = this.priorities[r] as number;
    out.sequence = this.sequences[r] as number;
    out.kind = this.kinds[r] as K;
    out.payload = this.payloads[r] as P;
    // Drop references so popped payloads can be collected; the record is free again.
    this.kinds[r] = undefined;
    this.payloads[r] = undefined;
    this.freeRecords[this.freeCount++] = r;
    const last = --this.count;
    if (last > 0) this.siftDown(0, this.times[last] as number, this.records[last] as number);
    return true;
  }

  /** Convenience pop that allocates a record; prefer `popInto` in hot loops. */
  pop(): QueuedEvent<K, P> | undefined {
    const out = { timeCycles: 0, priority: 0, sequence: 0, kind: '' as K, payload: undefined as P };
    return this.popInto(out) ? out : undefined;
  }

  clear(): void {
    this.kinds.fill(undefined);
    this.payloads.fill(undefined);
    this.count = 0;
    // Every record is free again.
    this.freeCount = 0;
    for (let r = 0; r < this.madeRecords; r++) this.freeRecords[this.freeCount++] = r;
  }

  private insert(t: number, p: number, s: number, k: K, payload: P): void {
    if (this.count === this.times.length) this.grow();
    let r: number;
    if (this.freeCount > 0) {
      r = this.freeRecords[--this.freeCount] as number;
      this.kinds[r] = k;
      this.payloads[r] = payload;
    } else {
      r = this.madeRecords++;
      this.kinds.push(k);
      this.payloads.push(payload);
    }
    this.priorities[r] = p;
    this.sequences[r] = s;
    this.siftUp(this.count++, t, r);
  }

  /** Records a and b, at the same time: true when a orders first (priority, then sequence). */
  private tieBefore(a: number, b: number): boolean {
    const pa = this.priorities[a] as number;
    const pb = this.priorities[b] as number;
    if (pa !== pb) return pa < pb;
    return (this.sequences[a] as number) < (this.sequences[b] as number);
  }

  private siftUp(hole: number, t: number, r: number): void {
    const times = this.times;
    const records = this.records;
    while (hole > 0) {
      const parent = (hole - 1) >> 1;
      const tp = times[parent] as number;
      if (tp < t || (tp === t && this.tieBefore(records[parent] as number, r))) break;
      times[hole] = tp;
      records[hole] = records[parent] as number;
      hole = parent;
    }
    times[hole] = t;
    records[hole] = r;
  }

  private siftDown(hole: number, t: number, r: number): void {
    const n = this.count;
    const times = this.times;
    const records = this.records;
    for (;;) {
      let child = 2 * hole + 1;
      if (child >= n) break;
      let tc = times[child] as number;
      const right = child + 1;
      if (right < n) {
        const tr = times[right] as number;
        if (tr < tc || (tr === tc && this.tieBefore(records[right] as number, records[child] as number))) {
          child = right;
          tc = tr;
        }
      }
      if (tc > t || (tc === t && this.tieBefore(r, records[child] as number))) break;
      times[hole] = tc;
      records[hole] = records[child] as number;
      hole = child;
    }
    times[hole] = t;
    records[hole] = r;
  }

  private grow(): void {
    this.times = doubled(this.times);
    this.records = doubled(this.records);
    this.priorities = doubled(this.priorities);
    this.sequences = doubled(this.sequences);
    this.freeRecords = doubled(this.freeRecords);
  }
}
