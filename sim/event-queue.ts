// Binary min-heap of events ordered by (time in cycles, priority, insertion sequence).
//
// Why this shape: the simulator must sustain > 500,000 events per wall-clock second, so the
// heap keeps no object per event and no closure per event. The heap itself is two typed
// arrays, each entry's time and the number of its record; the record stays put while the
// heap moves its number, so a level of a sift moves two values, not five, and reads the
// record's priority and sequence only when two times tie. Entries move with the "hole"
// technique (one write per level instead of a swap); `popInto` fills a caller-owned record,
// so the steady state allocates nothing.
//
// A record is two pairs side by side: its priority and sequence in one Float64Array, its
// kind and payload in one plain array, whose kind cell, while the record is free, holds the
// next free record's number (the most recently freed, still cached, is reused first).
// Between two of the simulator's events a tile's kernel and a 2 KB message have usually
// evicted the queue from the nearest caches, so what a pop costs is much how many distinct
// lines it touches: four arrays now (times, records, the record's order pair and its
// kind/payload pair), seven before issue 14's fourth round (priorities, sequences, kinds,
// payloads and a free-list array, each its own). Rows of (time, priority, sequence,
// record) in one array were tried too: fewer lines again, but four values moved per level
// cost ~350 instructions per push and pop at the default run's ~130 entries
// (docs/performance.md).
//
// The sequence number makes the order total: two events at the same time and priority come
// out in the order they were scheduled, so a run never depends on heap internals. A caller
// may take a sequence number now and push with it later (`reserveSequence`,
// `pushWithSequence`): the event then orders as if it had been pushed when the number was
// taken (the simulator's moving timers, sim/moving-timer.ts).
//
// Beside the heap, events that come one at a time per lane (a tile's messages) may sit in a
// tournament tree over the lanes (`pushLane`, sim/lane-tree.ts), and the moving timers'
// wake-ups in a second tree, one lane per timer (`putWakeUp`): a pop takes the earliest of
// the heap's top and the trees', by the same (time, priority, sequence) order, so which of
// the three holds an event never changes the order events come out in.

import { doubled } from './typed-grow.ts';
import { LaneTree } from './lane-tree.ts';

const INITIAL_CAPACITY = 1024;
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
  /** The heap: entry i's time, and the record it points at. */
  private times = new Float64Array(INITIAL_CAPACITY);
  private records = new Int32Array(INITIAL_CAPACITY);
  /** Records, by record number r: priority at 2r, sequence at 2r + 1. */
  private order = new Float64Array(INITIAL_CAPACITY * 2);
  /** Records, by record number r: kind at 2r, payload at 2r + 1 (a free record's kind cell:
   *  the next free record's number). Grown by appending, so V8 keeps it packed. */
  private readonly items: unknown[] = [];
  /** The free record reused next (NO_RECORD: make one). */
  private freeRecord = NO_RECORD;
  private count = 0;
  private nextSequence = 0;
  /** Events pushed by lane (at priority 0), while their lane was free. */
  private readonly lanes = new LaneTree<K, P>();
  /** Moving timers' wake-ups (at priority 0), one lane per timer (`wakeUpLane`). */
  private readonly wakeUps = new LaneTree<K, P>();
  private wakeUpLanes = 0;

  /** Events queued. */
  get size(): number {
    return this.count + this.lanes.count + this.wakeUps.count;
  }

  /** Total events ever pushed; also the sequence number the next push will get. */
  get pushedCount(): number {
    return this.nextSequence;
  }

  /** Time of the earliest event, or Infinity when empty. */
  peekTimeCycles(): number {
    let t = this.count > 0 ? (this.times[0] as number) : Infinity;
    if (this.lanes.count > 0) {
      const lane = this.lanes.topTime();
      if (lane < t) t = lane;
    }
    if (this.wakeUps.count > 0) {
      const wakeUp = this.wakeUps.topTime();
      if (wakeUp < t) t = wakeUp;
    }
    return t;
  }

  /**
   * Adds an event at priority 0 that is one of `lane`'s (a lane: a small integer, e.g. a
   * tile; it mostly holds one event at a time): the same order as `push(timeCycles, 0, ...)`,
   * kept in the lanes' tree while the lane is free, in the heap when it is not. Returns the
   * sequence number.
   */
  pushLane(lane: number, timeCycles: number, kind: K, payload: P): number {
    const sequence = this.nextSequence++;
    if (!this.lanes.put(lane, timeCycles, sequence, kind, payload)) this.insert(timeCycles, 0, sequence, kind, payload);
    return sequence;
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

  /** A lane of its own for a moving timer's wake-up (`putWakeUp`). */
  wakeUpLane(): number {
    return this.wakeUpLanes++;
  }

  /**
   * Queues a moving timer's wake-up in its lane (`wakeUpLane`) at priority 0, under a sequence
   * number taken before (`reserveSequence`), in place of the wake-up the lane holds: the
   * timer drops a replaced wake-up when it comes out, untraced and uncounted, so it need not
   * come out at all. A timer's wake-ups were heap entries: at 4,096 tiles ~4,100 of them, and
   * ~0.45 re-queued per message, a pop and a push each through ~12 levels (docs/performance.md,
   * "The event path at many tiles").
   */
  putWakeUp(lane: number, timeCycles: number, sequence: number, kind: K, payload: P): void {
    if (!(sequence >= 0 && sequence < this.nextSequence)) {
      throw new RangeError(`sequence ${sequence} was never handed out (next is ${this.nextSequence})`);
    }
    this.wakeUps.replace(lane, timeCycles, sequence, kind, payload);
  }

  /** Removes the earliest event into `out`; returns false (and leaves `out` alone) when empty. */
  popInto(out: QueuedEvent<K, P>): boolean {
    // The earlier of the two trees' tops (both at priority 0: by time, then sequence).
    let tree: LaneTree<K, P> | null = this.lanes.count > 0 ? this.lanes : null;
    const wakeUps = this.wakeUps;
    if (wakeUps.count > 0 && (tree === null || treeBefore(wakeUps, tree))) tree = wakeUps;
    if (tree !== null && (this.count === 0 || this.treeFirst(tree))) {
      tree.popInto(out);
      return true;
    }
    if (this.count === 0) return false;
    const r = this.records[0] as number;
    const items = this.items;
    out.timeCycles = this.times[0] as number;
    out.priority = this.order[2 * r] as number;
    out.sequence = this.order[2 * r + 1] as number;
    out.kind = items[2 * r] as K;
    out.payload = items[2 * r + 1] as P;
    // Drop the payload so it can be collected; the record heads the free chain.
    items[2 * r] = this.freeRecord;
    items[2 * r + 1] = undefined;
    this.freeRecord = r;
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
    this.lanes.clear();
    this.wakeUps.clear();
    // Every record is free again, chained in order.
    const items = this.items;
    const made = items.length >> 1;
    for (let r = 0; r < made; r++) {
      items[2 * r] = r + 1 < made ? r + 1 : NO_RECORD;
      items[2 * r + 1] = undefined;
    }
    this.freeRecord = made > 0 ? 0 : NO_RECORD;
    this.count = 0;
  }

  /** Both hold events: true when the tree's earliest orders before the heap's (a lane's priority is 0). */
  private treeFirst(tree: LaneTree<K, P>): boolean {
    const lane = tree.topTime();
    const heap = this.times[0] as number;
    if (lane !== heap) return lane < heap;
    const r = this.records[0] as number;
    const priority = this.order[2 * r] as number;
    if (priority !== 0) return priority > 0;
    return tree.topSequence() < (this.order[2 * r + 1] as number);
  }

  private insert(t: number, p: number, s: number, k: K, payload: P): void {
    if (this.count === this.times.length) this.grow();
    const items = this.items;
    let r = this.freeRecord;
    if (r !== NO_RECORD) {
      this.freeRecord = items[2 * r] as number;
      items[2 * r] = k;
      items[2 * r + 1] = payload;
    } else {
      r = items.length >> 1;
      items.push(k, payload);
      if (2 * r === this.order.length) this.order = doubled(this.order);
    }
    this.order[2 * r] = p;
    this.order[2 * r + 1] = s;
    this.siftUp(this.count++, t, r);
  }

  /** Records a and b, at the same time: true when a orders first (priority, then sequence). */
  private tieBefore(a: number, b: number): boolean {
    const order = this.order;
    const pa = order[2 * a] as number;
    const pb = order[2 * b] as number;
    if (pa !== pb) return pa < pb;
    return (order[2 * a + 1] as number) < (order[2 * b + 1] as number);
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
  }
}

/** Both trees hold events: true when a's earliest orders before b's (time, then sequence). */
function treeBefore<K, P>(a: LaneTree<K, P>, b: LaneTree<K, P>): boolean {
  const ta = a.topTime();
  const tb = b.topTime();
  return ta < tb || (ta === tb && a.topSequence() < b.topSequence());
}
