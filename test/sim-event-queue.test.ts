import { describe, it, expect } from 'vitest';
import { EventQueue, type QueuedEvent } from '../sim/event-queue.ts';
import { Prng } from '../hub/prng.ts';

function drain<K extends string, P>(queue: EventQueue<K, P>): QueuedEvent<K, P>[] {
  const out: QueuedEvent<K, P>[] = [];
  for (let e = queue.pop(); e !== undefined; e = queue.pop()) out.push(e);
  return out;
}

describe('EventQueue', () => {
  it('pops events in time order', () => {
    const queue = new EventQueue<string, number>();
    for (const t of [50, 10, 30, 20, 40]) queue.push(t, 0, 'e', t);
    expect(drain(queue).map((e) => e.timeCycles)).toEqual([10, 20, 30, 40, 50]);
  });

  it('breaks time ties by lower priority first', () => {
    const queue = new EventQueue<string, string>();
    queue.push(5, 2, 'e', 'low');
    queue.push(5, -1, 'e', 'urgent');
    queue.push(5, 0, 'e', 'normal');
    expect(drain(queue).map((e) => e.payload)).toEqual(['urgent', 'normal', 'low']);
  });

  it('breaks time and priority ties by insertion order', () => {
    const queue = new EventQueue<string, number>();
    for (let i = 0; i < 100; i++) queue.push(7, 1, 'e', i);
    expect(drain(queue).map((e) => e.payload)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('hands out sequence numbers in push order', () => {
    const queue = new EventQueue();
    expect(queue.push(3, 0, 'a', null)).toBe(0);
    expect(queue.push(1, 0, 'b', null)).toBe(1);
    expect(queue.pushedCount).toBe(2);
    expect(drain(queue).map((e) => e.sequence)).toEqual([1, 0]);
  });

  it('orders an event pushed under a reserved sequence number as if pushed when the number was taken', () => {
    const queue = new EventQueue<string, string>();
    queue.push(5, 0, 'e', 'first'); // 0
    const reserved = queue.reserveSequence(); // 1
    queue.push(5, 0, 'e', 'third'); // 2
    expect(queue.pushedCount).toBe(3);
    queue.pushWithSequence(5, 0, reserved, 'e', 'second');
    expect(queue.pushedCount).toBe(3);
    expect(drain(queue).map((e) => [e.payload, e.sequence])).toEqual([['first', 0], ['second', 1], ['third', 2]]);
  });

  it('refuses a sequence number it never handed out', () => {
    const queue = new EventQueue();
    queue.reserveSequence();
    expect(() => queue.pushWithSequence(1, 0, 1, 'e', null)).toThrow(/sequence 1 was never handed out \(next is 1\)/);
    expect(() => queue.pushWithSequence(1, 0, -1, 'e', null)).toThrow(/sequence -1 was never handed out/);
    queue.pushWithSequence(1, 0, 0, 'e', null);
    expect(queue.size).toBe(1);
  });

  it('matches a sort by (time, priority, sequence) on random input, across growth', () => {
    const prng = new Prng(21);
    const queue = new EventQueue<string, number>();
    const expected: [number, number, number][] = [];
    for (let i = 0; i < 5000; i++) {
      const t = prng.nextInt(0, 200);
      const p = prng.nextInt(-2, 2);
      queue.push(t, p, 'e', i);
      expected.push([t, p, i]);
    }
    expected.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
    expect(drain(queue).map((e) => e.payload)).toEqual(expected.map((e) => e[2]));
  });

  type Entry = [number, number, number, number]; // time, priority, sequence, payload
  const order = (e: Entry, t: number, p: number, s: number): number => e[0] - t || e[1] - p || e[2] - s;
  /** A new queue and the record popInto fills. */
  const fresh = (): { queue: EventQueue<string, number>; out: QueuedEvent<string, number> } => ({
    queue: new EventQueue<string, number>(),
    out: { timeCycles: 0, priority: 0, sequence: 0, kind: '', payload: 0 },
  });

  it('matches a sorted model when pushes and pops interleave (records reused, across growth and clear)', () => {
    const prng = new Prng(8);
    const { queue, out } = fresh();
    let model: Entry[] = [];
    let now = 0;
    for (let i = 0; i < 20_000; i++) {
      if (i === 12_000) {
        queue.clear();
        model = [];
      }
      // Grow to ~3,000 entries, then drain towards empty: records are freed and reused.
      const pushing = i % 10_000 < 6_000 ? prng.nextInt(0, 3) > 0 : prng.nextInt(0, 3) === 0;
      if (pushing || model.length === 0) {
        const t = now + prng.nextInt(0, 40);
        const p = prng.nextInt(-1, 1);
        const reserve = prng.nextInt(0, 4) === 0;
        const seq = reserve ? queue.reserveSequence() : queue.pushedCount;
        if (reserve) queue.pushWithSequence(t, p, seq, 'e', i);
        else queue.push(t, p, 'e', i);
        // Kept sorted by (time, priority, sequence): inserted after every entry that orders first.
        let at = model.length;
        while (at > 0 && order(model[at - 1]!, t, p, seq) > 0) at--;
        model.splice(at, 0, [t, p, seq, i]);
        continue;
      }
      const [t, p, seq, payload] = model.shift()!;
      expect(queue.popInto(out)).toBe(true);
      expect([out.timeCycles, out.priority, out.sequence, out.payload]).toEqual([t, p, seq, payload]);
      now = t;
    }
    expect(queue.size).toBe(model.length);
  });

  it('orders lane events, wake-ups and heap events as one queue: taken lanes, replaced wake-ups, priorities, reserved numbers, growth and clear', () => {
    const prng = new Prng(14);
    const { queue, out } = fresh();
    let model: Entry[] = [];
    let now = 0;
    let lanes = 4;
    // Moving timers' lanes: a wake-up put in one replaces the one it holds (by its payload).
    const wakeUpLanes = Array.from({ length: 5 }, () => queue.wakeUpLane());
    const heldBy = new Map<number, number>(); // wake-up lane -> payload queued there
    const laneOf = new Map<number, number>(); // payload -> its wake-up lane
    for (let i = 0; i < 30_000; i++) {
      if (i === 20_000) {
        queue.clear();
        model = [];
        heldBy.clear();
        laneOf.clear();
      }
      if (i === 8_000) lanes = 300; // the tree grows while holding events
      const pushing = model.length === 0 || prng.nextInt(0, 2) > 0 || (i % 10_000 < 5_000 && prng.nextInt(0, 1) === 0);
      if (pushing) {
        // Few distinct times, so ties between lanes and the heap are common.
        const t = now + prng.nextInt(0, 6);
        const form = prng.nextInt(0, 6);
        let p = 0;
        let seq: number;
        if (form === 6) {
          const lane = wakeUpLanes[prng.nextInt(0, wakeUpLanes.length - 1)]!;
          seq = queue.reserveSequence();
          queue.putWakeUp(lane, t, seq, 'w', i);
          const replaced = heldBy.get(lane);
          if (replaced !== undefined) model = model.filter((e) => e[3] !== replaced);
          heldBy.set(lane, i);
          laneOf.set(i, lane);
        } else if (form <= 2) {
          // A lane event: most go to a lane that may be free or taken (then the heap holds it).
          seq = queue.pushLane(prng.nextInt(0, lanes - 1), t, 'l', i);
        } else if (form === 3) {
          seq = queue.reserveSequence();
          queue.pushWithSequence(t, 0, seq, 'r', i);
        } else {
          p = prng.nextInt(-1, 1);
          seq = queue.push(t, p, 'h', i);
        }
        let at = model.length;
        while (at > 0 && order(model[at - 1]!, t, p, seq) > 0) at--;
        model.splice(at, 0, [t, p, seq, i]);
        expect(queue.size).toBe(model.length);
        continue;
      }
      const [t, p, seq, payload] = model.shift()!;
      const wakeUpLane = laneOf.get(payload);
      if (wakeUpLane !== undefined) heldBy.delete(wakeUpLane);
      expect(queue.peekTimeCycles()).toBe(t);
      expect(queue.popInto(out)).toBe(true);
      expect([out.timeCycles, out.priority, out.sequence, out.payload]).toEqual([t, p, seq, payload]);
      now = t;
    }
    while (model.length > 0) {
      const [t, p, seq, payload] = model.shift()!;
      expect(queue.popInto(out)).toBe(true);
      expect([out.timeCycles, out.priority, out.sequence, out.payload]).toEqual([t, p, seq, payload]);
    }
    expect(queue.popInto(out)).toBe(false);
    expect(queue.peekTimeCycles()).toBe(Infinity);
  });

  it('gives a popped lane to the next event of the same lane, and refuses none', () => {
    const queue = new EventQueue<string, string>();
    queue.pushLane(3, 10, 'deliver', 'a');
    queue.pushLane(3, 5, 'reply', 'b'); // lane 3 is taken: the heap holds it
    queue.pushLane(0, 7, 'deliver', 'c');
    expect(queue.size).toBe(3);
    expect(queue.pop()?.payload).toBe('b');
    expect(queue.pop()?.payload).toBe('c');
    queue.pushLane(0, 8, 'reply', 'd'); // lane 0 again, right after its pop
    expect(queue.pop()?.payload).toBe('d');
    expect(queue.pop()?.payload).toBe('a');
    expect(queue.pop()).toBeUndefined();
  });

  it('interleaves pushes and pops correctly', () => {
    const queue = new EventQueue<string, number>();
    queue.push(10, 0, 'e', 1);
    queue.push(5, 0, 'e', 2);
    expect(queue.pop()?.payload).toBe(2);
    queue.push(7, 0, 'e', 3);
    queue.push(12, 0, 'e', 4);
    expect(drain(queue).map((e) => e.payload)).toEqual([3, 1, 4]);
  });

  it('reports empty with Infinity peek and a false popInto that leaves the record alone', () => {
    const queue = new EventQueue<string, number>();
    const out: QueuedEvent<string, number> = { timeCycles: -1, priority: 0, sequence: 0, kind: 'x', payload: 0 };
    expect(queue.peekTimeCycles()).toBe(Infinity);
    expect(queue.popInto(out)).toBe(false);
    expect(out.timeCycles).toBe(-1);
    queue.push(4, 0, 'k', 9);
    expect(queue.size).toBe(1);
    expect(queue.popInto(out)).toBe(true);
    expect(out).toEqual({ timeCycles: 4, priority: 0, sequence: 0, kind: 'k', payload: 9 });
    expect(queue.size).toBe(0);
  });

  it('empties on clear', () => {
    const queue = new EventQueue();
    queue.push(1, 0, 'a', null);
    queue.clear();
    expect(queue.size).toBe(0);
    expect(queue.pop()).toBeUndefined();
  });
});
