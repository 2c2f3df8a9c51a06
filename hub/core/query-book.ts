// The hub core's queries: one query machine per query in flight (the authority on its
// lifecycle), the queries waiting for admission, and the outcomes of those done.
import { createActor, type Actor } from 'xstate';
import type { HubClock } from '../hub-transport.ts';
import type { HubStats } from '../hub-stats.ts';
import { createQueryMachine, isUnitPending, startMatters, type QueryMachine, type QueryMachineContext, type QueryMachineEvent } from '../machines/query-machine.ts';
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

export class QueryBook {
  readonly outcomes = new Map<number, QueryOutcome>();
  private readonly actors = new Map<number, Actor<QueryMachine>>();
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
    this.actors.set(queryId, actor);
    this.inFlight++;
    actor.start();
  }

  /** Tells a query in flight (a query already done ignores it). A UNIT_STARTED its machine
   *  would ignore (a unit of the query already started) is not sent: ~1 us of xstate each. */
  tell(queryId: number, event: QueryMachineEvent): void {
    const q = this.actors.get(queryId);
    if (q && (event.type !== 'UNIT_STARTED' || startMatters(q.getSnapshot()))) q.send(event);
  }

  /** A job holding the unit failed: true when its query's machine hands it to the hub. */
  unitFailed(queryId: number, unitKey: string): boolean {
    const q = this.actors.get(queryId);
    if (!q) return false;
    const before = q.getSnapshot().context.handedOver.length;
    q.send({ type: 'UNIT_FAILED', unitKey });
    return q.getSnapshot().context.handedOver.length > before; // handed over by this failure
  }

  isPending(queryId: number, unitKey: string): boolean {
    const q = this.actors.get(queryId);
    return q !== undefined && isUnitPending(q.getSnapshot().context, unitKey);
  }

  /** Hands a unit's answer to its query; true when it is the unit's first. */
  deliver(p: Partial): boolean {
    const q = this.actors.get(p.queryId);
    if (!q) {
      this.parts.stats.duplicatePartials++;
      return false;
    }
    const fresh = isUnitPending(q.getSnapshot().context, p.unitKey);
    q.send({ type: 'PARTIAL', unitKey: p.unitKey, candidates: p.candidates, nowCycles: this.parts.readyCycles() });
    return fresh;
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
