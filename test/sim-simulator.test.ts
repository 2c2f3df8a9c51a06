import { describe, it, expect } from 'vitest';
import { createActor, createMachine } from 'xstate';
import { Simulator, SimulatorError } from '../sim/simulator.ts';
import { TraceRecorder } from '../sim/trace.ts';
import { cycleClock } from '../sim/xstate-clock.ts';
import { Prng } from '../hub/prng.ts';

type PingEvents = { send: { tile: number; hop: number }; arrive: { tile: number; hop: number } };

/** A small random workload: messages bounce between tiles with seeded delays. */
function runPingWorkload(seed: number): { hash: string; events: number; now: number } {
  const root = new Prng(seed);
  const delays = root.derive('delays');
  const trace = new TraceRecorder();
  const sim = new Simulator<PingEvents>({
    trace,
    handlers: {
      send: ({ tile, hop }, s) => s.scheduleAfter(delays.nextInt(1, 50), 'arrive', { tile, hop }),
      arrive: ({ tile, hop }, s) => {
        if (hop < 20) s.scheduleAfter(delays.nextInt(0, 5), 'send', { tile: delays.nextInt(0, 15), hop: hop + 1 }, tile % 3);
      },
    },
  });
  const starts = root.derive('starts');
  for (let i = 0; i < 16; i++) sim.scheduleAt(starts.nextInt(0, 100), 'send', { tile: i, hop: 0 });
  const result = sim.run();
  return { hash: trace.close(), events: result.eventsProcessed, now: result.nowCycles };
}

describe('Simulator', () => {
  it('gives the same trace hash when a seed is run twice', () => {
    const a = runPingWorkload(1234);
    const b = runPingWorkload(1234);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a).toEqual(b);
    expect(a.events).toBe(16 * 21 * 2);
  });

  it('gives a different trace hash for a different seed', () => {
    expect(runPingWorkload(1234).hash).not.toBe(runPingWorkload(1235).hash);
  });

  it('advances time only by taking events, never backwards', () => {
    const times: number[] = [];
    const sim = new Simulator<{ tick: number }>({ handlers: { tick: (n, s) => times.push(s.nowCycles + 0 * n) } });
    for (const t of [30, 10, 20, 10]) sim.scheduleAt(t, 'tick', t);
    expect(sim.nowCycles).toBe(0);
    sim.run();
    expect(times).toEqual([10, 10, 20, 30]);
    expect(sim.nowCycles).toBe(30);
  });

  it('accepts an event at the current cycle and rejects one in the past', () => {
    const sim = new Simulator<{ tick: null }>({ handlers: { tick: () => {} } });
    sim.scheduleAt(10, 'tick', null);
    sim.run();
    expect(() => sim.scheduleAt(10, 'tick', null)).not.toThrow();
    expect(() => sim.scheduleAt(9, 'tick', null)).toThrow(/at cycle 9 is not an integer >= now \(cycle 10\)/);
    expect(() => sim.scheduleAfter(-1, 'tick', null)).toThrow(SimulatorError);
    expect(() => sim.scheduleAt(10.5, 'tick', null)).toThrow(SimulatorError);
  });

  it('schedules by a kind id in a lane exactly as by the kind name: same order, trace and checks, a handler added after the id', () => {
    const runBoth = (byId: boolean): string[] => {
      const trace = new TraceRecorder({ keepLines: true });
      const sim = new Simulator<{ a: number; b: number }>({ trace });
      const idA = sim.kindId('a'); // resolved before its handler exists
      const seen: string[] = [];
      sim.on('a', (n, s) => {
        seen.push(`a${n}@${s.nowCycles}`);
        if (n < 6) {
          if (byId) s.scheduleLaneAt(s.nowCycles + (n % 2), idA, n + 2, n % 3);
          else s.scheduleAt(s.nowCycles + (n % 2), 'a', n + 2);
        }
      });
      sim.on('b', (n, s) => {
        seen.push(`b${n}@${s.nowCycles}`);
        if (n < 5) s.scheduleAt(s.nowCycles + 1, 'b', n + 2);
      });
      if (byId) sim.scheduleLaneAt(3, idA, 0, 0);
      else sim.scheduleAt(3, 'a', 0);
      sim.scheduleAt(3, 'b', 1);
      sim.run();
      if (byId) expect(() => sim.scheduleLaneAt(sim.nowCycles - 1, idA, 9, 0)).toThrow(/"a" at cycle \d+ is not an integer >= now/);
      return [...seen, trace.close(), ...trace.keptLineList];
    };
    const byName = runBoth(false);
    expect(runBoth(true)).toEqual(byName);
    expect(byName.slice(0, 3)).toEqual(['a0@3', 'b1@3', 'a2@3']);
  });

  it('schedules by absolute cycle or by delay through one schedule call', () => {
    const seen: string[] = [];
    const sim = new Simulator<{ mark: string }>({ handlers: { mark: (m, s) => seen.push(`${m}@${s.nowCycles}`) } });
    sim.scheduleAt(5, 'mark', 'first');
    sim.run();
    sim.schedule({ delayCycles: 3 }, 'mark', 'delayed');
    sim.schedule({ atCycle: 6 }, 'mark', 'absolute');
    sim.run();
    expect(seen).toEqual(['first@5', 'absolute@6', 'delayed@8']);
  });

  it('calls a kind tracer, not the generic record, just before its handler; other kinds and timers get the generic record', () => {
    type Ev = { msg: number; plain: { n: number } };
    const log: string[] = [];
    const trace = new TraceRecorder({ keepLines: true });
    const sim = new Simulator<Ev>({ trace });
    sim.on('msg', (slot, s) => log.push(`handle ${slot} at ${s.nowCycles}`), (tr, t, seq, slot) => {
      expect(tr).toBe(trace);
      log.push(`trace ${slot} t=${t} seq=${seq}`);
    });
    sim.on('plain', ({ n }) => log.push(`plain ${n}`));
    const msg = sim.kindId('msg');
    sim.scheduleLaneAt(7, msg, 3, 0);
    sim.scheduleAt(5, 'plain', { n: 1 });
    sim.setTimer(6, 'tick', () => log.push('timer'));
    sim.scheduleLaneAt(7, msg, 4, 0); // lane 0 is taken: the heap holds it, and it still runs second
    expect(sim.run().eventsProcessed).toBe(4);
    expect(log).toEqual(['plain 1', 'timer', 'trace 3 t=7 seq=0', 'handle 3 at 7', 'trace 4 t=7 seq=3', 'handle 4 at 7']);
    // The traced kind wrote nothing itself: only the plain event and the timer are in the trace.
    expect(trace.keptLineList).toEqual([
      '{"kind":"plain","payload":{"n":1},"seq":1,"t":5}',
      '{"kind":"$timer","payload":{"label":"tick"},"seq":2,"t":6}',
    ]);
    // Without a trace the handlers run and no tracer is called.
    const bare = new Simulator<Ev>();
    const seen: number[] = [];
    bare.on('msg', (slot) => seen.push(slot), () => seen.push(-1));
    bare.scheduleLaneAt(1, bare.kindId('msg'), 9, 2);
    bare.run();
    expect(seen).toEqual([9]);
  });

  it('processes events at exactly untilCycle, leaves later ones, and sets the clock to untilCycle', () => {
    const seen: number[] = [];
    const sim = new Simulator<{ t: number }>({ handlers: { t: (t) => seen.push(t) } });
    for (const t of [5, 10, 11]) sim.scheduleAt(t, 't', t);
    const result = sim.run({ untilCycle: 10 });
    expect(result).toEqual({ stopReason: 'until', eventsProcessed: 2, nowCycles: 10 });
    expect(seen).toEqual([5, 10]);
    expect(sim.run()).toEqual({ stopReason: 'drained', eventsProcessed: 1, nowCycles: 11 });
    expect(sim.run({ untilCycle: 100 })).toEqual({ stopReason: 'drained', eventsProcessed: 0, nowCycles: 100 });
  });

  it('stops after the current event when a handler calls stop', () => {
    const sim = new Simulator<{ t: number }>({ handlers: { t: (t, s) => t === 2 && s.stop() } });
    for (const t of [1, 2, 3]) sim.scheduleAt(t, 't', t);
    expect(sim.run()).toEqual({ stopReason: 'stopped', eventsProcessed: 2, nowCycles: 2 });
    expect(sim.pendingCount).toBe(1);
  });

  it('stops at maxEvents', () => {
    const sim = new Simulator<{ loop: null }>({ handlers: { loop: (_, s) => s.scheduleAfter(1, 'loop', null) } });
    sim.scheduleAt(0, 'loop', null);
    expect(sim.run({ maxEvents: 1000 })).toEqual({ stopReason: 'max-events', eventsProcessed: 1000, nowCycles: 999 });
  });

  it('skips cancelled events and leaves them out of the trace', () => {
    const trace = new TraceRecorder({ keepLines: true });
    const seen: number[] = [];
    const sim = new Simulator<{ t: number }>({ trace, handlers: { t: (t) => seen.push(t) } });
    sim.scheduleAt(1, 't', 1);
    const id = sim.scheduleAt(2, 't', 2);
    sim.scheduleAt(3, 't', 3);
    sim.cancel(id);
    sim.run();
    expect(seen).toEqual([1, 3]);
    expect(trace.keptLineList).toEqual(['{"kind":"t","payload":1,"seq":0,"t":1}', '{"kind":"t","payload":3,"seq":2,"t":3}']);
  });

  it('treats cancelling an event that already ran as a no-op', () => {
    const seen: number[] = [];
    const sim = new Simulator<{ t: number }>({ handlers: { t: (t) => seen.push(t) } });
    const id = sim.scheduleAt(1, 't', 1);
    sim.run();
    sim.cancel(id);
    sim.scheduleAt(2, 't', 2);
    sim.run();
    expect(seen).toEqual([1, 2]);
  });

  it('fails loudly on an event kind with no handler, a duplicate handler, or a reserved kind', () => {
    const sim = new Simulator<{ a: null; b: null; $x: null }>({ handlers: { a: () => {} } });
    sim.scheduleAt(1, 'b', null);
    expect(() => sim.run()).toThrow(/no handler for event kind "b" at cycle 1/);
    expect(() => sim.on('a', () => {})).toThrow(/already has a handler/);
    expect(() => sim.on('$x', () => {})).toThrow(/reserved/);
  });

  it('rejects priorities outside 32-bit integers', () => {
    const sim = new Simulator<{ a: null }>({ handlers: { a: () => {} } });
    expect(() => sim.scheduleAt(1, 'a', null, 2 ** 31 - 1)).not.toThrow();
    expect(() => sim.scheduleAt(1, 'a', null, 2 ** 31)).toThrow(/32-bit integer/);
  });

  it('runs timers and traces them by label', () => {
    const trace = new TraceRecorder({ keepLines: true });
    const sim = new Simulator({ trace });
    let firedAt = -1;
    sim.setTimer(25, 'watchdog', () => (firedAt = sim.nowCycles));
    sim.run();
    expect(firedAt).toBe(25);
    expect(trace.keptLineList).toEqual(['{"kind":"$timer","payload":{"label":"watchdog"},"seq":0,"t":25}']);
  });

  it('drives xstate delayed transitions with simulated time, not the wall clock', () => {
    const sim = new Simulator({ tileClockHz: 1_000_000 });
    // The hub's clock: delays are tile cycles, so 5,000 fires at cycle 5,000 whatever the clock rate.
    const machine = createMachine({ initial: 'waiting', states: { waiting: { after: { 5_000: 'timedOut' } }, timedOut: {} } });
    const actor = createActor(machine, { clock: cycleClock(sim) }).start();
    expect(actor.getSnapshot().value).toBe('waiting');
    sim.run({ untilCycle: 4_999 });
    expect(actor.getSnapshot().value).toBe('waiting');
    sim.run({ untilCycle: 5_000 });
    expect(actor.getSnapshot().value).toBe('timedOut');
    actor.stop();
  });

  it('cancels an xstate timer when the state is left early', () => {
    const sim = new Simulator({ tileClockHz: 1_000_000 });
    const machine = createMachine({
      initial: 'waiting',
      states: { waiting: { after: { 5_000: 'timedOut' }, on: { reply: 'done' } }, timedOut: {}, done: {} },
    });
    const actor = createActor(machine, { clock: cycleClock(sim) }).start();
    actor.send({ type: 'reply' });
    sim.run();
    expect(actor.getSnapshot().value).toBe('done');
    actor.stop();
  });
});
