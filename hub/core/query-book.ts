// The hub core's queries: one query machine per query in flight (the authority on its
// lifecycle), the queries waiting for admission, and the outcomes of those done.
//
// Partials are held below the machine (docs/performance.md, "Partials held below the query
// machine"): a unit's answer is kept here, in arrival order, and the machine takes the held
// ones in as one PARTIALS event, before any other event it gets and as soon as they could
// finish the query (`heldMayFinish`). So it decides everything (finishing, its counts, the
// state UNIT_STARTED depends on, the attempts of a failed unit) on the context one PARTIAL
// per partial would have left, and hears ~one partial event per query instead of one per
// unit. What the hub asks between (`deliver`'s freshness, `isPending`) reads the machine's
// context and the held keys: a held unit has reported.
import { createActor, type Actor } from 'xstate';
import type { HubClock } from '../hub-transport.ts';
import type { HubStats } from '../hub-stats.ts';
import {
  createQueryMachine,
  heldMayFinish,
  isUnitPending,
  startMatters,
  type HeldPartial,
  type QueryMachine,
  type QueryMachineContext,
  type QueryMachineEvent,
} from '../machines/query-machine.ts';
import type { Candidate } from '../topk-merge.ts';
import type { QueryOutcome } from './hub-parts.ts';
import type { Partial } from './mode-driver.ts';

export interface QueryBookParts {
  /** Neighbours per query. */
  k: number;
  /** Failed attempts of one unit after which the hub computes it (query-machine.ts). */
  maxUnitAttempts: number;
  clock: HubClock;
  nowCycles(): number;
  /** When the hub is done with what it has computed so far: a merge finishes a query then. */
  readyCycles(): number;
  stats: HubStats;
  /** A query finished (called from its machine's own action). */
  finished(queryId: number): void;
}

/** A query in flight: its machine and the partials held below it, with their units. */
interface Query {
  actor: Actor<QueryMachine>;
  held: HeldPartial[];
  heldKeys: Set<string>;
}

export class QueryBook {
  readonly outcomes = new Map<number, QueryOutcome>();
  private readonly actors = new Map<number, Query>();
  private readonly waiting: number[] = [];
  private readonly machine: QueryMachine;
  private inFlight = 0;

  constructor(private readonly parts: QueryBookParts) {
    this.machine = createQueryMachine({ queryDone: (id, best, ctx) => this.done(id, best, ctx) });
  }

  get allDone(): boolean {
    return this.waiting.length === 0 && this.actors.size === 0;
  }

  submit(queryIds: readonly number[]): void {
    this.waiting.push(...queryIds);
  }

  /** The waiting queries that may start now, with at most `window` in flight. */
  admissible(window: number): number[] {
    const room = Math.min(this.waiting.length, window - this.inFlight);
    return room > 0 ? this.waiting.splice(0, room) : [];
  }

  open(queryId: number, unitKeys: string[], growing: boolean): void {
    const actor = createActor(this.machine, {
      input: { queryId, k: this.parts.k, maxUnitAttempts: this.parts.maxUnitAttempts, unitKeys, dispatchedAtCycles: this.parts.nowCycles(), open: growing },
      clock: this.parts.clock,
    });
    this.actors.set(queryId, { actor, held: [], heldKeys: new Set() });
    this.inFlight++;
    actor.start();
  }

  /** Tells a query in flight (a query already done ignores it), the partials it holds first.
   *  A UNIT_STARTED its machine would ignore (a unit of the query already started, or a
   *  partial came first) is not sent: ~1 us of xstate each. Held partials can only move the
   *  machine out of `dispatched`, so they are taken in only when it is still there. */
  tell(queryId: number, event: QueryMachineEvent): void {
    const q = this.actors.get(queryId);
    if (!q || (event.type === 'UNIT_STARTED' && !startMatters(q.actor.getSnapshot()))) return;
    if (!this.takeHeldFirst(queryId, q)) return;
    if (event.type !== 'UNIT_STARTED' || startMatters(q.actor.getSnapshot())) q.actor.send(event);
  }

  /** A job holding the unit failed: true when its query's machine hands it to the hub. */
  unitFailed(queryId: number, unitKey: string): boolean {
    const q = this.actors.get(queryId);
    if (!q || !this.takeHeldFirst(queryId, q)) return false;
    const before = q.actor.getSnapshot().context.handedOver.length;
    q.actor.send({ type: 'UNIT_FAILED', unitKey });
    return q.actor.getSnapshot().context.handedOver.length > before; // handed over by this failure
  }

  isPending(queryId: number, unitKey: string): boolean {
    const q = this.actors.get(queryId);
    return q !== undefined && this.pending(q, unitKey);
  }

  /** Hands a unit's answer to its query; true when it is the unit's first. The machine
   *  hears it when its held partials could finish the query, or before its next event. */
  deliver(p: Partial): boolean {
    const q = this.actors.get(p.queryId);
    if (!q) {
      this.parts.stats.duplicatePartials++;
      return false;
    }
    const fresh = this.pending(q, p.unitKey);
    q.held.push({ unitKey: p.unitKey, candidates: p.candidates, nowCycles: this.parts.readyCycles() });
    q.heldKeys.add(p.unitKey);
    if (heldMayFinish(q.actor.getSnapshot().context, q.held.length)) this.takeHeld(p.queryId, q);
    return fresh;
  }

  /** Whether the unit still owes its answer: pending in the machine and none held for it. */
  private pending(q: Query, unitKey: string): boolean {
    return isUnitPending(q.actor.getSnapshot().context, unitKey) && !q.heldKeys.has(unitKey);
  }

  /** Before any other event: the machine decides it on the context its partials so far leave
   *  (test/query-book-held.test.ts skips this to show the comparison fails without it). */
  private takeHeldFirst(queryId: number, q: Query): boolean {
    return this.takeHeld(queryId, q);
  }

  /** The machine takes in the partials held below it (one event); false when that finished
   *  the query (it then takes no other event). */
  private takeHeld(queryId: number, q: Query): boolean {
    if (q.held.length === 0) return true;
    const partials = q.held;
    q.held = [];
    q.heldKeys.clear();
    q.actor.send({ type: 'PARTIALS', partials });
    return this.actors.get(queryId) === q;
  }

  private done(queryId: number, best: Candidate[], ctx: QueryMachineContext): void {
    this.outcomes.set(queryId, {
      queryId,
      best,
      dispatchedAtCycles: ctx.dispatchedAtCycles,
      doneAtCycles: ctx.doneAtCycles ?? this.parts.nowCycles(),
      reassignments: ctx.reassignments,
      hubLocalUnits: ctx.hubLocalUnits,
    });
    this.parts.stats.duplicatePartials += ctx.duplicatePartials;
    this.actors.delete(queryId);
    this.inFlight--;
    this.parts.finished(queryId);
  }
}
