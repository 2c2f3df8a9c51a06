import { afterAll, describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { createQueryMachine, heldMayFinish, isUnitPending, pendingUnits, startMatters, type QueryMachineContext } from '../hub/machines/query-machine.ts';
import type { Candidate } from '../hub/topk-merge.ts';
import { TransitionRecorder } from './machine-coverage.ts';

const recorder = new TransitionRecorder();

function harness(unitKeys: string[], k = 2, open = false, maxUnitAttempts?: number) {
  const done: { best: Candidate[]; ctx: QueryMachineContext }[] = [];
  const machine = createQueryMachine({ queryDone: (_id, best, ctx) => void done.push({ best, ctx }) });
  const actor = createActor(machine, { input: { queryId: 7, k, unitKeys, dispatchedAtCycles: 100, open, ...(maxUnitAttempts === undefined ? {} : { maxUnitAttempts }) }, inspect: recorder.inspect }).start();
  const state = () => JSON.stringify(actor.getSnapshot().value);
  return { actor, machine, done, state };
}

describe('query machine', () => {
  it('merges partials from every unit into one top-K, ties to the lower id, and finishes', () => {
    const h = harness(['q7/s0', 'q7/s1']);
    expect(h.state()).toBe('"dispatched"');
    h.actor.send({ type: 'UNIT_STARTED' });
    expect(h.state()).toBe('"awaitingPartials"');
    h.actor.send({ type: 'PARTIAL', unitKey: 'q7/s0', candidates: [{ id: 9, dist: 1 }, { id: 4, dist: 3 }], nowCycles: 500 });
    expect(h.done).toEqual([]);
    h.actor.send({ type: 'PARTIAL', unitKey: 'q7/s1', candidates: [{ id: 2, dist: 1 }], nowCycles: 900 });
    expect(h.state()).toBe('"done"');
    expect(h.done[0]!.best).toEqual([{ id: 2, dist: 1 }, { id: 9, dist: 1 }]);
    expect(h.done[0]!.ctx.doneAtCycles).toBe(900);
  });

  it('changes on UNIT_STARTED only while dispatched, which is what the hub asks before telling it', () => {
    const h = harness(['q7/s0', 'q7/s1']);
    expect(startMatters(h.actor.getSnapshot())).toBe(true);
    h.actor.send({ type: 'UNIT_STARTED' });
    expect(h.state()).toBe('"awaitingPartials"');
    expect(startMatters(h.actor.getSnapshot())).toBe(false);
    // Ignored from here on: the very same snapshot, nothing ran.
    const before = h.actor.getSnapshot();
    h.actor.send({ type: 'UNIT_STARTED' });
    expect(h.actor.getSnapshot()).toBe(before);
    // No state but dispatched (nor the machine itself) has a transition for it.
    const handles = Object.entries(h.machine.root.states).filter(([, node]) => node.transitions.has('UNIT_STARTED')).map(([name]) => name);
    expect(handles).toEqual(['dispatched']);
    expect(h.machine.root.transitions.has('UNIT_STARTED')).toBe(false);
    h.actor.send({ type: 'PARTIAL', unitKey: 'q7/s0', candidates: [], nowCycles: 1 });
    h.actor.send({ type: 'PARTIAL', unitKey: 'q7/s1', candidates: [], nowCycles: 2 });
    expect(startMatters(h.actor.getSnapshot())).toBe(false); // done
  });

  it('ignores a second partial for a unit that already reported, and counts it', () => {
    const h = harness(['q7/s0', 'q7/s1']);
    h.actor.send({ type: 'PARTIAL', unitKey: 'q7/s0', candidates: [{ id: 1, dist: 5 }], nowCycles: 1 });
    expect(h.state()).toBe('"awaitingPartials"');
    h.actor.send({ type: 'PARTIAL', unitKey: 'q7/s0', candidates: [{ id: 3, dist: 0 }], nowCycles: 2 });
    expect(h.actor.getSnapshot().context.duplicatePartials).toBe(1);
    h.actor.send({ type: 'PARTIAL', unitKey: 'q7/s1', candidates: [], nowCycles: 3 });
    expect(h.done[0]!.best).toEqual([{ id: 1, dist: 5 }]);
  });

  it('knows which units are pending: known to the query and not reported, whatever the order', () => {
    const h = harness(['q7/s0', 'q7/s1', 'q7/s2']);
    const before = h.actor.getSnapshot();
    h.actor.send({ type: 'PARTIAL', unitKey: 'q7/s1', candidates: [], nowCycles: 1 });
    const ctx = h.actor.getSnapshot().context;
    expect(pendingUnits(ctx)).toEqual(['q7/s0', 'q7/s2']);
    expect(['q7/s0', 'q7/s1', 'q7/s2', 'q7/s3'].map((k) => isUnitPending(ctx, k))).toEqual([true, false, true, false]);
    // The snapshot taken before the partial still has every unit pending.
    expect(pendingUnits(before.context)).toEqual(['q7/s0', 'q7/s1', 'q7/s2']);
    h.actor.send({ type: 'PARTIAL', unitKey: 'q7/s2', candidates: [], nowCycles: 2 });
    expect(h.state()).toBe('"awaitingPartials"');
    h.actor.send({ type: 'PARTIAL', unitKey: 'q7/s0', candidates: [], nowCycles: 3 });
    expect(h.state()).toBe('"done"');
  });

  it('takes a batch of held partials as one PARTIAL each, in order, duplicates and unknown units counted', () => {
    const batch = [
      { unitKey: 'zz', candidates: [{ id: 8, dist: 0 }], nowCycles: 1 },
      { unitKey: 'q7/s1', candidates: [{ id: 3, dist: 2 }], nowCycles: 2 },
      { unitKey: 'q7/s1', candidates: [{ id: 1, dist: 0 }], nowCycles: 3 },
      { unitKey: 'q7/s0', candidates: [{ id: 5, dist: 2 }], nowCycles: 4 },
    ];
    const one = harness(['q7/s0', 'q7/s1', 'q7/s2']);
    for (const p of batch) one.actor.send({ type: 'PARTIAL', ...p });
    const held = harness(['q7/s0', 'q7/s1', 'q7/s2']);
    // Only duplicates while dispatched: counted, still dispatched.
    held.actor.send({ type: 'PARTIALS', partials: batch.slice(0, 1) });
    expect(held.state()).toBe('"dispatched"');
    expect(held.actor.getSnapshot().context.duplicatePartials).toBe(1);
    held.actor.send({ type: 'PARTIALS', partials: batch.slice(1) });
    expect(held.state()).toBe('"awaitingPartials"');
    expect(held.actor.getSnapshot().context).toEqual(one.actor.getSnapshot().context);
    expect(held.actor.getSnapshot().context).toMatchObject({ duplicatePartials: 2, doneAtCycles: 4, best: [{ id: 3, dist: 2 }, { id: 5, dist: 2 }] });
    // Whether held partials could finish it: 2 reported of 3, so one more held could.
    expect(heldMayFinish(held.actor.getSnapshot().context, 0)).toBe(false);
    expect(heldMayFinish(held.actor.getSnapshot().context, 1)).toBe(true);
    // In awaitingPartials a batch that reports the last unit finishes the query.
    held.actor.send({ type: 'PARTIALS', partials: [{ unitKey: 'q7/s0', candidates: [], nowCycles: 5 }, { unitKey: 'q7/s2', candidates: [{ id: 0, dist: 9 }], nowCycles: 6 }] });
    expect(held.state()).toBe('"done"');
    expect(held.done[0]!.ctx).toMatchObject({ duplicatePartials: 3, doneAtCycles: 6 });
    // An open query is never finished by partials.
    expect(heldMayFinish(harness(['a'], 2, true).actor.getSnapshot().context, 5)).toBe(false);
  });

  it('counts a duplicate that arrives before any unit started', () => {
    const h = harness(['a', 'b']);
    h.actor.send({ type: 'PARTIAL', unitKey: 'zz', candidates: [], nowCycles: 1 });
    expect(h.state()).toBe('"dispatched"');
    expect(h.actor.getSnapshot().context.duplicatePartials).toBe(1);
  });

  it('counts reassigned and hub-local units against the query', () => {
    const h = harness(['a']);
    h.actor.send({ type: 'UNIT_REASSIGNED', unitKey: 'a' });
    h.actor.send({ type: 'UNIT_HUB_LOCAL', unitKey: 'a' });
    const c = h.actor.getSnapshot().context;
    expect([c.reassignments, c.hubLocalUnits]).toEqual([1, 1]);
  });

  it('counts failed attempts per unit key and hands a unit to the hub once, at the limit', () => {
    const h = harness(['a', 'b'], 2, false, 3);
    const fail = (unitKey: string) => h.actor.send({ type: 'UNIT_FAILED', unitKey });
    fail('a');
    fail('a');
    fail('b');
    expect(h.actor.getSnapshot().context.handedOver).toEqual([]);
    fail('a');
    expect(h.actor.getSnapshot().context.handedOver).toEqual(['a']);
    fail('a');
    expect(h.actor.getSnapshot().context.handedOver).toEqual(['a']);
    expect(h.actor.getSnapshot().context.attempts).toEqual({ a: 4, b: 1 });
    expect(h.state()).toBe('"dispatched"');
  });

  it('never hands a unit over without a limit (the default)', () => {
    const h = harness(['a']);
    for (let i = 0; i < 50; i++) h.actor.send({ type: 'UNIT_FAILED', unitKey: 'a' });
    expect(h.actor.getSnapshot().context.handedOver).toEqual([]);
  });

  it('finishes at once when a query has no units (an empty dataset share)', () => {
    const h = harness([]);
    expect(h.state()).toBe('"done"');
    expect(h.done[0]!.best).toEqual([]);
  });

  it('keeps an open query (push-hnsw) waiting while it has no pending unit, until SEARCH_DONE gives the answer', () => {
    const h = harness([], 2, true);
    expect(h.state()).toBe('"dispatched"');
    h.actor.send({ type: 'UNITS_ADDED', unitKeys: ['q7/h0.0'] });
    expect(pendingUnits(h.actor.getSnapshot().context)).toEqual(['q7/h0.0']);
    h.actor.send({ type: 'UNIT_STARTED' });
    h.actor.send({ type: 'PARTIAL', unitKey: 'q7/h0.0', candidates: [{ id: 5, dist: 2 }], nowCycles: 300 });
    expect(h.state()).toBe('"awaitingPartials"');
    expect(h.done).toEqual([]);
    // A unit added twice, or one that already reported, is pending once at most.
    h.actor.send({ type: 'UNITS_ADDED', unitKeys: ['q7/h1.0', 'q7/h1.1', 'q7/h1.0', 'q7/h0.0'] });
    expect(pendingUnits(h.actor.getSnapshot().context)).toEqual(['q7/h1.0', 'q7/h1.1']);
    expect(h.actor.getSnapshot().context.units.size).toBe(3);
    h.actor.send({ type: 'PARTIAL', unitKey: 'q7/h1.0', candidates: [{ id: 1, dist: 1 }], nowCycles: 400 });
    h.actor.send({ type: 'PARTIAL', unitKey: 'q7/h1.1', candidates: [], nowCycles: 450 });
    expect(h.state()).toBe('"awaitingPartials"');
    // The search's answer replaces the merged partials.
    h.actor.send({ type: 'SEARCH_DONE', best: [{ id: 5, dist: 2 }], nowCycles: 500 });
    expect(h.state()).toBe('"done"');
    expect(h.done[0]!.best).toEqual([{ id: 5, dist: 2 }]);
    expect(h.done[0]!.ctx.doneAtCycles).toBe(500);
  });

  it('finishes an open query at SEARCH_DONE only once its pending units have reported', () => {
    const h = harness(['q7/h0.0'], 2, true);
    h.actor.send({ type: 'SEARCH_DONE', best: [], nowCycles: 10 });
    expect(h.state()).toBe('"dispatched"');
    h.actor.send({ type: 'PARTIAL', unitKey: 'q7/h0.0', candidates: [{ id: 3, dist: 0 }], nowCycles: 20 });
    expect(h.state()).toBe('"done"');
  });

  afterAll(() => {
    expect(recorder.missing(harness(['x']).machine)).toEqual([]);
  });
});
