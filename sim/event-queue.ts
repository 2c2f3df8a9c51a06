// Binary min-heap of events ordered by (time in cycles, priority, insertion sequence).
//
// Why this shape: the simulator must sustain > 500,000 events per wall-clock second, so the
// heap keeps its keys in parallel typed arrays (no object per event, no closure per event)
// and moves entries with the "hole" technique (one write per level instead of a swap). Kinds
// and payloads live in plain arrays indexed the same way; `popInto` fills a caller-owned
// record so the steady state allocates nothing.
//
// The sequence number makes the order total: two events at the same time and priority come
// out in the order they were scheduled, so a run never depends on heap internals. A caller
// may take a sequence number now and push with it later (`reserveSequence`,
// `pushWithSequence`): the event then orders as if it had been pushed when the number was
// taken (the simulator's moving timers, sim/moving-timer.ts).

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
  private times = new Float64Array(INITIAL_CAPACITY);
  private priorities = new Int32Array(INITIAL_CAPACITY);
  private sequences = new Float64Array(INITIAL_CAPACITY);
  // Plain arrays grown by appending, so V8 keeps them packed (fast element access).
  private kinds: (K | undefined)[] = [];
  private payloads: (P | undefined)[] = [];
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
    if (this.count === this.times.length) this.grow();
    const sequence = this.nextSequence++;
    this.siftUp(this.count++, timeCycles, priority | 0, sequence, kind, payload);
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
    if (this.count === this.times.length) this.grow();
    this.siftUp(this.count++, timeCycles, priority | 0, sequence, kind, payload);
  }

  /** Removes the earliest event into `out`; returns false (and leaves `out` alone) when empty. */
  popInto(out: QueuedEvent<K, P>): boolean {
    if (this.count === 0) return false;
    out.timeCycles = this.times[0] as number;
    out.priority = this.priorities[0] as number;
    out.sequence = this.sequences[0] as number;
    out.kind = this.kinds[0] as K;
    out.payload = this.payloads[0] as P;
    const last = --this.count;
    if (last > 0) {
      this.siftDown(
        0,
        this.times[last] as number,
        this.priorities[last] as number,
        this.sequences[last] as number,
        this.kinds[last] as K,
        this.payloads[last] as P,
      );
    }
    // Drop references so popped payloads can be collected.
    this.kinds[last] = undefined;
    this.payloads[last] = undefined;
    return true;
  }

  /** Convenience pop that allocates a record; prefer `popInto` in hot loops. */
  pop(): QueuedEvent<K, P> | undefined {
    const out = { timeCycles: 0, priority: 0, sequence: 0, kind: '' as K, payload: undefined as P };
    return this.popInto(out) ? out : undefined;
  }

  clear(): void {
    this.kinds.fill(undefined, 0, this.count);
    this.payloads.fill(undefined, 0, this.count);
    this.count = 0;
  }

  /** True when entry i orders before the key (t, p, s). */
  private before(i: number, t: number, p: number, s: number): boolean {
    const ti = this.times[i] as number;
    if (ti !== t) return ti < t;
    const pi = this.priorities[i] as number;
    if (pi !== p) return pi < p;
    return (this.sequences[i] as number) < s;
  }

  private place(i: number, t: number, p: number, s: number, k: K, payload: P): void {
    this.times[i] = t;
    this.priorities[i] = p;
    this.sequences[i] = s;
    this.kinds[i] = k;
    this.payloads[i] = payload;
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from] as number;
    this.priorities[to] = this.priorities[from] as number;
    this.sequences[to] = this.sequences[from] as number;
    this.kinds[to] = this.kinds[from];
    this.payloads[to] = this.payloads[from];
  }

  private siftUp(hole: number, t: number, p: number, s: number, k: K, payload: P): void {
    const times = this.times;
    while (hole > 0) {
      const parent = (hole - 1) >> 1;
      const tp = times[parent] as number;
      if (tp < t || (tp === t && this.before(parent, t, p, s))) break;
      this.move(parent, hole);
      hole = parent;
    }
    this.place(hole, t, p, s, k, payload);
  }

  private siftDown(hole: number, t: number, p: number, s: number, k: K, payload: P): void {
    const n = this.count;
    const times = this.times;
    for (;;) {
      let child = 2 * hole + 1;
      if (child >= n) break;
      const right = child + 1;
      // Times decide almost every comparison: priority and sequence are read only on a tie.
      if (right < n) {
        const tr = times[right] as number;
        const tc = times[child] as number;
        if (tr < tc || (tr === tc && this.tieBefore(right, child))) child = right;
      }
      const tc = times[child] as number;
      if (tc > t || (tc === t && !this.before(child, t, p, s))) break;
      this.move(child, hole);
      hole = child;
    }
    this.place(hole, t, p, s, k, payload);
  }

  /** Entries i and j at the same time: true when i orders first. */
  private tieBefore(i: number, j: number): boolean {
    const pi = this.priorities[i] as number;
    const pj = this.priorities[j] as number;
    if (pi !== pj) return pi < pj;
    return (this.sequences[i] as number) < (this.sequences[j] as number);
  }

  private grow(): void {
    const capacity = this.times.length * 2;
    const times = new Float64Array(capacity);
    times.set(this.times);
    const priorities = new Int32Array(capacity);
    priorities.set(this.priorities);
    const sequences = new Float64Array(capacity);
    sequences.set(this.sequences);
    this.times = times;
    this.priorities = priorities;
    this.sequences = sequences;
  }
}
