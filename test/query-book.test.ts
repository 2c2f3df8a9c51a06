import { afterEach, describe, expect, it, vi } from 'vitest';
import { Actor, SimulatedClock } from 'xstate';
import { QueryBook } from '../hub/core/query-book.ts';
import { HubStats } from '../hub/hub-stats.ts';

function book() {
  const finished: number[] = [];
  const b = new QueryBook({ k: 2, maxUnitAttempts: 4, clock: new SimulatedClock(), nowCycles: () => 10, readyCycles: () => 20, stats: new HubStats(), finished: (q) => void finished.push(q) });
  return { b, finished };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('query book', () => {
  it('tells a query its first unit started and not the ones after, which its machine would ignore', () => {
    // Before the actor exists: xstate binds `send` to each actor as it is made.
    const send = vi.spyOn(Actor.prototype, 'send');
    const { b, finished } = book();
    b.open(3, ['q3/s0', 'q3/s1'], false);
    b.tell(3, { type: 'UNIT_STARTED' });
    b.tell(3, { type: 'UNIT_STARTED' });
    b.tell(3, { type: 'UNIT_STARTED' });
    expect(send.mock.calls.map(([e]) => e.type)).toEqual(['UNIT_STARTED']);
    // Every other event still goes through.
    b.tell(3, { type: 'UNIT_REASSIGNED', unitKey: 'q3/s1' });
    expect(b.deliver({ queryId: 3, unitKey: 'q3/s0', candidates: [{ id: 5, dist: 1 }] })).toBe(true);
    expect(b.deliver({ queryId: 3, unitKey: 'q3/s1', candidates: [{ id: 4, dist: 1 }] })).toBe(true);
    // Partials are held below the machine until the last owed one: one event for both.
    expect(send.mock.calls.map(([e]) => e.type)).toEqual(['UNIT_STARTED', 'UNIT_REASSIGNED', 'PARTIALS']);
    expect(finished).toEqual([3]);
    expect(b.outcomes.get(3)).toMatchObject({ best: [{ id: 4, dist: 1 }, { id: 5, dist: 1 }], reassignments: 1, doneAtCycles: 20 });
  });

  it('tells a query whose first news is a partial nothing more when its units start', () => {
    const send = vi.spyOn(Actor.prototype, 'send');
    const { b } = book();
    b.open(1, ['a', 'b', 'c'], false);
    expect(b.deliver({ queryId: 1, unitKey: 'a', candidates: [] })).toBe(true); // held
    expect(b.isPending(1, 'a')).toBe(false); // a held unit has reported
    expect(b.deliver({ queryId: 1, unitKey: 'a', candidates: [] })).toBe(false);
    expect(send.mock.calls).toEqual([]);
    // The machine takes the held partials first (dispatched -> awaitingPartials), then ignores the start.
    b.tell(1, { type: 'UNIT_STARTED' });
    expect(send.mock.calls.map(([e]) => e.type)).toEqual(['PARTIALS']);
    expect(b.isPending(1, 'b')).toBe(true);
    // Once out of dispatched, a start costs nothing, held partials or not.
    b.deliver({ queryId: 2, unitKey: 'x', candidates: [] }); // no such query: a duplicate
    b.tell(1, { type: 'UNIT_STARTED' });
    expect(send.mock.calls.length).toBe(1);
  });

  it('has a failed unit\'s query take its held partials before it counts the attempt', () => {
    const send = vi.spyOn(Actor.prototype, 'send');
    const { b } = book();
    b.open(1, ['a', 'b', 'c'], false);
    b.deliver({ queryId: 1, unitKey: 'a', candidates: [] });
    expect(b.unitFailed(1, 'b')).toBe(false);
    expect(send.mock.calls.map(([e]) => e.type)).toEqual(['PARTIALS', 'UNIT_FAILED']);
  });
});
