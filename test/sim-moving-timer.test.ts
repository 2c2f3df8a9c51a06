// A moving timer (sim/moving-timer.ts) must fire exactly as the timer it replaces: a plain
// timer cancelled and set again per move (the reply deadline's old implementation, kept
// here as the model). Same cycle, same sequence number, same trace record, same events run,
// and the same sequence numbers for every event scheduled after, so a run's trace hash
// cannot tell them apart.
import { describe, expect, it } from 'vitest';
import { Prng } from '../hub/prng.ts';
import type { HubClock, MovableTimer } from '../hub/hub-transport.ts';
import { ReplyDeadline } from '../hub/core/reply-deadline.ts';
import { Simulator } from '../sim/simulator.ts';
import { TraceRecorder } from '../sim/trace.ts';
import { cycleClock } from '../sim/xstate-clock.ts';

type Events = { act: number };
type Kind = 'model' | 'moving' | 'deadline' | 'deadline-timeouts';

/** The old implementation: cancel the timer set last, set a new one. */
function modelTimer(sim: Simulator<Events>, fire: () => void): MovableTimer {
  let id: number | null = null;
  const fired = (): void => {
    id = null;
    fire();
  };
  return {
    set(delay) {
      if (id !== null) sim.cancel(id);
      id = sim.setTimer(delay, 'machine-timer', fired);
    },
    clear() {
      if (id !== null) sim.cancel(id);
      id = null;
    },
  };
}

/** The reply deadline (timeout 0, so arming with a delay sets it that far ahead) on the
 *  simulator's clock, with its movable timer or, without one, its timeouts. */
function deadlineTimer(clock: HubClock, fire: () => void): MovableTimer {
  const deadline = new ReplyDeadline(clock, 0, fire);
  return { set: (delay) => deadline.arm(delay), clear: () => deadline.disarm() };
}

function timerOf(kind: Kind, sim: Simulator<Events>, fire: () => void): MovableTimer {
  switch (kind) {
    case 'model':
      return modelTimer(sim, fire);
    case 'moving':
      return sim.movingTimer('machine-timer', fire);
    case 'deadline':
      return deadlineTimer(cycleClock(sim), fire);
    case 'deadline-timeouts': {
      const { setTimeout, clearTimeout } = cycleClock(sim);
      return deadlineTimer({ setTimeout, clearTimeout }, fire);
    }
  }
}

interface Outcome {
  lines: readonly string[];
  fired: string[];
  events: number;
  now: number;
  /** Sets earlier than the deadline the timer had, while it had one. */
  earlier: number;
  /** Sets while the timer had a deadline (a move). */
  moves: number;
}

/** Random acts (some at the same cycle, at priorities around the timers' 0) set and clear a
 *  few timers with delays from 0 to past the ones set before; a timer that fires may set
 *  itself again, as a reply timeout's retry does. Every random draw happens in event order,
 *  so two implementations that run the same events draw the same numbers. */
function randomWorkload(kind: Kind, seed: number, acts = 3000): Outcome {
  const prng = new Prng(seed);
  const trace = new TraceRecorder({ keepLines: true });
  const fired: string[] = [];
  const due: (number | null)[] = [];
  let actsLeft = acts;
  let earlier = 0;
  let moves = 0;
  const sim = new Simulator<Events>({ trace });
  const set = (i: number, delay: number): void => {
    const at = sim.nowCycles + delay;
    const before = due[i];
    if (before !== null && before !== undefined) {
      moves++;
      if (at < before) earlier++;
    }
    due[i] = at;
    timers[i]!.set(delay);
  };
  const timers = Array.from({ length: 5 }, (_, i) =>
    timerOf(kind, sim, () => {
      due[i] = null;
      fired.push(`${i}@${sim.nowCycles}`);
      if (prng.nextInt(0, 2) === 0) set(i, prng.nextInt(0, 40));
    }),
  );
  sim.on('act', (n) => {
    const i = prng.nextInt(0, timers.length - 1);
    const op = prng.nextInt(0, 9);
    if (op < 6) set(i, [0, prng.nextInt(0, 15), prng.nextInt(10, 120), prng.nextInt(100, 400)][prng.nextInt(0, 3)]!);
    else if (op < 8) {
      timers[i]!.clear();
      due[i] = null;
    }
    if (actsLeft-- > 0) sim.scheduleAfter(prng.nextInt(0, 3) === 0 ? 0 : prng.nextInt(1, 25), 'act', n + 1, prng.nextInt(-1, 1));
  });
  sim.scheduleAt(0, 'act', 0);
  sim.scheduleAt(0, 'act', 0);
  const r = sim.run();
  return { lines: trace.keptLineList, fired, events: r.eventsProcessed, now: r.nowCycles, earlier, moves };
}

function timerLine(t: number, seq: number): string {
  return `{"kind":"$timer","payload":{"label":"machine-timer"},"seq":${seq},"t":${t}}`;
}

describe('moving timer', () => {
  it('runs the same events, firings and trace lines as a timer cancelled and set per move, on random workloads', () => {
    for (const seed of [1, 2, 3, 4]) {
      const model = randomWorkload('model', seed);
      const moving = randomWorkload('moving', seed);
      // The workload exercised what matters: moves later and earlier, clears, firings.
      expect(model.moves).toBeGreaterThan(500);
      expect(model.earlier).toBeGreaterThan(100);
      expect(model.fired.length).toBeGreaterThan(100);
      expect(moving.fired).toEqual(model.fired);
      expect(moving.lines).toEqual(model.lines);
      expect(moving.events).toBe(model.events);
      expect(moving.now).toBe(model.now);
    }
  });

  it('fires once, at the last deadline and with the sequence number of the last set, after a thousand moves', () => {
    const run = (kind: Kind) => {
      const trace = new TraceRecorder({ keepLines: true });
      const sim = new Simulator<Events>({ trace });
      const fired: number[] = [];
      const timer = timerOf(kind, sim, () => fired.push(sim.nowCycles));
      let peakPending = 0;
      sim.on('act', (n) => {
        timer.set(500); // 500 cycles from now: 10 cycles later than the move before
        if (n < 999) sim.scheduleAfter(10, 'act', n + 1);
        peakPending = Math.max(peakPending, sim.pendingCount);
      });
      sim.scheduleAt(0, 'act', 0);
      const r = sim.run();
      return { fired, lines: trace.keptLineList, events: r.eventsProcessed, peakPending };
    };
    const moving = run('moving');
    // The acts take sequence numbers 0, 2, 4, ... 1998 and the sets 1, 3, ... 1999: the last
    // set, at cycle 9,990, is due at 10,490 with number 1,999.
    expect(moving.fired).toEqual([10_490]);
    expect(moving.lines.filter((l) => l.includes('$timer'))).toEqual([timerLine(10_490, 1_999)]);
    expect(moving.events).toBe(1_001);
    const model = run('model');
    expect(moving.lines).toEqual(model.lines);
    // One wake-up and the next act queued, where the model keeps a cancelled timer per move.
    expect(moving.peakPending).toBe(2);
    expect(model.peakPending).toBeGreaterThan(40);
  });

  it('never fires once cleared, however often it was moved', () => {
    const trace = new TraceRecorder({ keepLines: true });
    const sim = new Simulator<Events>({ trace });
    let fired = 0;
    const timer = sim.movingTimer('machine-timer', () => fired++);
    sim.on('act', (n) => {
      timer.set(n % 2 === 0 ? 300 : 50); // later and earlier in turn
      if (n < 99) sim.scheduleAfter(7, 'act', n + 1);
      else timer.clear();
    });
    sim.scheduleAt(0, 'act', 0);
    const r = sim.run();
    expect(fired).toBe(0);
    expect(timer.armed).toBe(false);
    expect(trace.keptLineList.some((l) => l.includes('$timer'))).toBe(false);
    expect(r).toEqual({ stopReason: 'drained', eventsProcessed: 100, nowCycles: 99 * 7 });
    expect(sim.pendingCount).toBe(0);
  });

  it('fires on time when moved earlier than its queued wake-up, which the earlier one replaces', () => {
    const trace = new TraceRecorder({ keepLines: true });
    const sim = new Simulator<Events>({ trace });
    const order: string[] = [];
    const timer = sim.movingTimer('machine-timer', () => {
      order.push(`timer@${sim.nowCycles}`);
      if (order.length === 1) timer.set(2_000); // set again from the firing: due at 2,110
    });
    sim.on('act', (n) => {
      if (n === 0) timer.set(100); // at cycle 10: due at 110, before the wake-up at 1,000
      // The wake-up at 1,000 was replaced by the one at 110 (a lane per timer), so it is not
      // queued at 500 (a heap entry left behind was, until it came out and was dropped).
      else order.push(`act${n}@${sim.nowCycles} pending ${sim.pendingCount}`);
    });
    timer.set(1_000); // sequence 0
    sim.scheduleAt(10, 'act', 0); // sequence 1
    sim.scheduleAt(500, 'act', 1); // sequence 2
    sim.scheduleAt(1_500, 'act', 2); // sequence 3
    sim.run();
    expect(order).toEqual(['timer@110', 'act1@500 pending 2', 'act2@1500 pending 1', 'timer@2110']);
    expect(trace.keptLineList.filter((l) => l.includes('$timer'))).toEqual([timerLine(110, 4), timerLine(2_110, 5)]);
  });

  it('orders a deadline among same-cycle events by the sequence number its set took', () => {
    const trace = new TraceRecorder({ keepLines: true });
    const sim = new Simulator<Events>({ trace });
    const order: string[] = [];
    const timer = sim.movingTimer('machine-timer', () => order.push('timer'));
    sim.on('act', (n) => {
      order.push(`act${n}`);
      if (n === 0) {
        timer.set(90); // due at 100 with sequence 2: the wake-up is queued there
        sim.scheduleAt(100, 'act', 1); // sequence 3
      }
      if (n === 2) timer.set(50); // at cycle 50: due at 100 again, sequence 4, after act1
    });
    sim.scheduleAt(10, 'act', 0); // sequence 0
    sim.scheduleAt(50, 'act', 2); // sequence 1
    sim.run();
    expect(order).toEqual(['act0', 'act2', 'act1', 'timer']);
    expect(trace.keptLineList.at(-1)).toBe(timerLine(100, 4));
  });

  it('rejects a delay that is not a whole number of cycles >= 0, naming the timer', () => {
    const sim = new Simulator<Events>();
    const timer = sim.movingTimer('deadline', () => {});
    expect(() => timer.set(-1)).toThrow(/timer "deadline" delay must be an integer >= 0 cycles, got -1/);
    expect(() => timer.set(1.5)).toThrow(/got 1.5/);
  });
});

describe('the reply deadline on the simulator clock', () => {
  it('rounds a deadline up to whole cycles >= 0 itself, as the clock rounds its timeouts, and hands the strict moving timer only whole cycles', () => {
    const sim = new Simulator<Events>();
    const fired: number[] = [];
    const deadline = new ReplyDeadline(cycleClock(sim), 10.2, () => fired.push(sim.nowCycles));
    deadline.arm(0); // 10.2 -> fires at 11
    sim.run();
    deadline.arm(-30); // a departure already past counts as now: 10.2 -> at 11 + 11
    sim.run();
    deadline.arm(3.5); // 13.7 -> at 22 + 14
    sim.run();
    expect(fired).toEqual([11, 22, 36]);
    const negative = new ReplyDeadline(cycleClock(sim), -50, () => fired.push(sim.nowCycles));
    negative.arm(0); // never before now
    sim.run();
    expect(fired).toEqual([11, 22, 36, 36]);
  });

  it('moves the same with the clock\'s movable timer as with a timeout cleared and set per move', () => {
    for (const seed of [5, 6]) {
      const model = randomWorkload('model', seed);
      expect(randomWorkload('deadline', seed)).toEqual(model);
      expect(randomWorkload('deadline-timeouts', seed)).toEqual(model);
    }
  });
});
