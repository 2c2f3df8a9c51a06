// Events that come one at a time per lane (a tile's message: a tile has at most one message
// in flight, its request or its reply, stop and wait), kept in a tournament tree over the
// lanes instead of the event queue's binary heap (sim/event-queue.ts holds both and always
// hands out the earlier of the two tops, so the order of events is the heap's alone would be).
//
// Why: one event of the default run is one message, and nearly every message's handler
// schedules the next message of the same tile (a request's reply, a reply's next chunk). In
// the heap that was a pop (the last entry sifted down from the root, two compares a level)
// and a push (sifted up from a leaf). Here the popped lane is left marked, and a push into
// the same lane replays that one leaf-to-root path once: one compare a level, log2(lanes)
// levels, no entry moved. Any other operation first replays the marked lane as empty.
//
// A lane holds one event at priority 0; ties at the same time go by sequence number, as in
// the heap. A push into a lane that is already taken is refused (the caller queues it in the
// heap): a duplicate, a re-sent request overtaking a late reply.

/** No lane is waiting for its replay. */
const NONE = -1;

export class LaneTree<K, P> {
  /** Leaves: a power of two >= the lanes asked for (at least 2, so the root is node 1). */
  private leaves = 2;
  /** By lane: its event's time (Infinity: empty) and sequence number. */
  private times = new Float64Array(2).fill(Infinity);
  private sequences = new Float64Array(2);
  /** By lane: kind at 2l, payload at 2l + 1. */
  private items: unknown[] = [undefined, undefined, undefined, undefined];
  /** Internal node n (1 .. leaves - 1): the lane that wins its subtree at 2n + 1 and that
   *  lane's time at 2n; children 2n, 2n + 1, where a child >= leaves is the lane (child -
   *  leaves). The winner's time sits in the node, beside its sibling's: a replay reads one
   *  line a level, where a node holding the lane alone sent each level to that lane's time,
   *  a line of its own, cold at 4,096 lanes (docs/performance.md, "The event path at many
   *  tiles"). */
  private nodes = new Float64Array([0, 0, Infinity, 0]);
  /** The lane popped last whose path still names it as the winner (NONE: every path is right). */
  private pending = NONE;
  /** Events held. */
  count = 0;

  /** The earliest event's time, or Infinity when there is none. */
  topTime(): number {
    if (this.pending !== NONE) this.settle();
    return this.nodes[2]!;
  }

  /** The earliest event's sequence number (only when count > 0). */
  topSequence(): number {
    if (this.pending !== NONE) this.settle();
    return this.sequences[this.nodes[3]!]!;
  }

  /** Queues an event in `lane`; false (nothing queued) when the lane already holds one. */
  put(lane: number, timeCycles: number, sequence: number, kind: K, payload: P): boolean {
    if (lane >= this.leaves) this.grow(lane + 1);
    if (this.times[lane] !== Infinity) return false;
    this.count++;
    this.place(lane, timeCycles, sequence, kind, payload);
    return true;
  }

  /** Queues an event in `lane` in place of the one it holds, if any (a moving timer's
   *  wake-up moved earlier: the one replaced would only have been dropped when it came out). */
  replace(lane: number, timeCycles: number, sequence: number, kind: K, payload: P): void {
    if (lane >= this.leaves) this.grow(lane + 1);
    if (this.times[lane] === Infinity) this.count++;
    this.place(lane, timeCycles, sequence, kind, payload);
  }

  /** Removes the earliest event (count > 0) into the caller's fields; its path is replayed lazily. */
  popInto(out: { timeCycles: number; priority: number; sequence: number; kind: K; payload: P }): void {
    if (this.pending !== NONE) this.settle();
    const lane = this.nodes[3]!;
    const items = this.items;
    out.timeCycles = this.times[lane]!;
    out.priority = 0;
    out.sequence = this.sequences[lane]!;
    out.kind = items[2 * lane] as K;
    out.payload = items[2 * lane + 1] as P;
    items[2 * lane + 1] = undefined;
    this.times[lane] = Infinity;
    this.count--;
    this.pending = lane;
  }

  clear(): void {
    this.times.fill(Infinity);
    this.items.fill(undefined);
    this.count = 0;
    this.pending = NONE;
    this.rebuild();
  }

  private place(lane: number, timeCycles: number, sequence: number, kind: K, payload: P): void {
    this.times[lane] = timeCycles;
    this.sequences[lane] = sequence;
    this.items[2 * lane] = kind;
    this.items[2 * lane + 1] = payload;
    // The lane popped last is replayed with this one when it is this one (the common case).
    const pending = this.pending;
    this.pending = NONE;
    if (pending !== NONE && pending !== lane) this.replay(pending);
    this.replay(lane);
  }

  /** True when lane a's event orders before lane b's (time, then sequence): where two lanes
   *  meet (the bottom level, a rebuild); higher levels compare the nodes' own times. */
  private before(a: number, b: number): boolean {
    const ta = this.times[a]!;
    const tb = this.times[b]!;
    return ta < tb || (ta === tb && this.sequences[a]! < this.sequences[b]!);
  }

  private settle(): void {
    const lane = this.pending;
    this.pending = NONE;
    this.replay(lane);
  }

  /** Recomputes the winners on `lane`'s path to the root (its event changed). */
  private replay(lane: number): void {
    const nodes = this.nodes;
    const sequences = this.sequences;
    // The bottom level: the sibling is a lane (leaves >= 2, so there is one).
    const sibling = lane ^ 1;
    let w = this.before(sibling, lane) ? sibling : lane;
    let t = this.times[w]!;
    let node = (lane + this.leaves) >> 1;
    nodes[2 * node] = t;
    nodes[2 * node + 1] = w;
    while (node > 1) {
      const other = node ^ 1;
      const to = nodes[2 * other]!;
      if (to < t) {
        t = to;
        w = nodes[2 * other + 1]!;
      } else if (to === t) {
        const lo = nodes[2 * other + 1]!;
        if (sequences[lo]! < sequences[w]!) w = lo;
      }
      node >>= 1;
      nodes[2 * node] = t;
      nodes[2 * node + 1] = w;
    }
  }

  private grow(lanes: number): void {
    let leaves = this.leaves;
    while (leaves < lanes) leaves *= 2;
    const times = new Float64Array(leaves).fill(Infinity);
    times.set(this.times);
    const sequences = new Float64Array(leaves);
    sequences.set(this.sequences);
    const items: unknown[] = this.items.slice();
    while (items.length < 2 * leaves) items.push(undefined);
    this.leaves = leaves;
    this.times = times;
    this.sequences = sequences;
    this.items = items;
    this.nodes = new Float64Array(2 * leaves);
    this.pending = NONE;
    this.rebuild();
  }

  private rebuild(): void {
    const leaves = this.leaves;
    const nodes = this.nodes;
    for (let n = leaves - 1; n >= 1; n--) {
      const l = 2 * n >= leaves ? 2 * n - leaves : nodes[4 * n + 1]!;
      const r = 2 * n + 1 >= leaves ? 2 * n + 1 - leaves : nodes[4 * n + 3]!;
      const w = this.before(r, l) ? r : l;
      nodes[2 * n] = this.times[w]!;
      nodes[2 * n + 1] = w;
    }
  }
}
