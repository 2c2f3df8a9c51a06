// A query's lifecycle: dispatched (its units queued on tiles), awaiting partial results
// (at least one unit started), merged (every unit reported; the global top-K is final),
// done. A query whose units are not known up front (push-hnsw: the hub's HNSW search adds
// each expansion's batches as it goes) starts `open`: UNITS_ADDED adds pending units and
// SEARCH_DONE closes it with the search's answer, which replaces the merged partials.
// A partial for a unit that already reported (a retried or reassigned job that ran
// a unit twice) is ignored, so recovery cannot change a result. Reassignments and
// hub-local fallbacks are counted here because they belong to the query they delay.
// The query also keeps each unit's failed attempts (a job holding it that a tile gave up on,
// or rebuilt from scratch): after `maxUnitAttempts` of them the unit is handed to the hub,
// which computes it itself (docs/faults.md, "Recovery": the attempt limit per unit).
// Partials may come one at a time (PARTIAL) or as the batch the hub held below the machine
// (PARTIALS: hub/core/query-book.ts holds them until the machine must hear them; see
// `heldMayFinish` and docs/performance.md, "Partials held below the query machine"). Either
// way each is taken in the order it arrived, as one PARTIAL each would.
import { assertEvent, assign, setup } from 'xstate';
import { mergeTopK, type Candidate } from '../topk-merge.ts';
import { KeyLog } from './key-log.ts';

export interface QueryMachineInput {
  queryId: number;
  k: number;
  unitKeys: string[];
  dispatchedAtCycles: number;
  /** More units will be added (UNITS_ADDED) until SEARCH_DONE; default false. */
  open?: boolean;
  /** Failed attempts of one unit after which the hub computes it (default: never). */
  maxUnitAttempts?: number;
}

export interface QueryMachineContext extends QueryMachineInput {
  open: boolean;
  maxUnitAttempts: number;
  /** Failed attempts so far, by unit key (a redundant copy counts under its own key). */
  attempts: Record<string, number>;
  /** Units whose attempts ran out: the hub computes them, no tile tries again. */
  handedOver: string[];
  /** Every unit the query knows (its input's, then those UNITS_ADDED), in that order. */
  units: KeyLog;
  /** The units that reported, each once (every one of them is in `units`); the others are
   *  pending. Logs, not arrays: a partial adds one key in O(1) where filtering an array of
   *  pending units cost O(units) (docs/performance.md, "Flat machines"). */
  reported: KeyLog;
  best: Candidate[];
  duplicatePartials: number;
  reassignments: number;
  hubLocalUnits: number;
  doneAtCycles: number | null;
}

/** A unit's partial as the query takes it: `nowCycles` is when the hub had it. */
export interface HeldPartial {
  unitKey: string;
  candidates: Candidate[];
  nowCycles: number;
}

export type QueryMachineEvent =
  | { type: 'UNIT_STARTED' }
  | ({ type: 'PARTIAL' } & HeldPartial)
  /** Partials held below the machine, in the order they arrived (query-book.ts). */
  | { type: 'PARTIALS'; partials: HeldPartial[] }
  | { type: 'UNIT_REASSIGNED'; unitKey: string }
  | { type: 'UNIT_HUB_LOCAL'; unitKey: string }
  /** A job holding the unit failed and starts it over (released by a faulted tile, or rebuilt). */
  | { type: 'UNIT_FAILED'; unitKey: string }
  /** An open query's search adds units (one expansion's batches). */
  | { type: 'UNITS_ADDED'; unitKeys: string[] }
  /** An open query's search is over: its answer is `best`. */
  | { type: 'SEARCH_DONE'; best: Candidate[]; nowCycles: number };

export interface QueryMachineDeps {
  queryDone(queryId: number, best: Candidate[], context: QueryMachineContext): void;
}

/** Whether the unit is known to the query and has not reported yet (O(1)). */
export function isUnitPending(context: Pick<QueryMachineContext, 'units' | 'reported'>, unitKey: string): boolean {
  return context.units.has(unitKey) && !context.reported.has(unitKey);
}

/** The units that have not reported, in the order the query learnt of them (O(units)). */
export function pendingUnits(context: Pick<QueryMachineContext, 'units' | 'reported'>): string[] {
  return context.units.keys().filter((k) => !context.reported.has(k));
}

/** Whether partials held below the machine (`held` of them, duplicates included) could finish
 *  the query once taken in: only then must the machine hear them at once (`allReported` after
 *  they are taken). A bound, not the guard: it counts a held duplicate as a unit, so the
 *  machine may hear them early (it then decides as one PARTIAL each would), never late. */
export function heldMayFinish(context: Pick<QueryMachineContext, 'units' | 'reported' | 'open'>, held: number): boolean {
  return !context.open && context.reported.size + held >= context.units.size;
}

/** The partials an event brings, in order. */
function partialsOf(event: QueryMachineEvent): readonly HeldPartial[] {
  if (event.type === 'PARTIALS') return event.partials;
  assertEvent(event, 'PARTIAL');
  return [event];
}

/** Whether a UNIT_STARTED would change the query. Only `dispatched` has a transition for it
 *  (to `awaitingPartials`); any later state ignores it, and the eventless guard after an
 *  ignored event reads the context the event left as it was, so it cannot fire either. The
 *  hub asks this before telling a query that a unit started (once per unit per job). */
export function startMatters(state: { value: unknown }): boolean {
  return state.value === 'dispatched';
}

export function createQueryMachine(deps: QueryMachineDeps) {
  return setup({
    types: {
      context: {} as QueryMachineContext,
      events: {} as QueryMachineEvent,
      input: {} as QueryMachineInput,
    },
    actions: {
      // Each partial in turn: a pending unit's is merged (and stamps the time), any other
      // (its unit reported already, or unknown) is counted as a duplicate. One assign for a
      // held batch: the same context one PARTIAL per partial leaves.
      takePartials: assign(({ context, event }) => {
        let { reported, best, doneAtCycles, duplicatePartials } = context;
        for (const p of partialsOf(event)) {
          if (isUnitPending({ units: context.units, reported }, p.unitKey)) {
            reported = reported.with(p.unitKey);
            best = mergeTopK(best, p.candidates, context.k);
            doneAtCycles = p.nowCycles;
          } else duplicatePartials++;
        }
        return { reported, best, doneAtCycles, duplicatePartials };
      }),
      countReassignment: assign({ reassignments: ({ context }) => context.reassignments + 1 }),
      countAttempt: assign(({ context, event }) => {
        assertEvent(event, 'UNIT_FAILED');
        const n = (context.attempts[event.unitKey] ?? 0) + 1;
        const exhausted = n >= context.maxUnitAttempts && !context.handedOver.includes(event.unitKey);
        return { attempts: { ...context.attempts, [event.unitKey]: n }, handedOver: exhausted ? [...context.handedOver, event.unitKey] : context.handedOver };
      }),
      countHubLocal: assign({ hubLocalUnits: ({ context }) => context.hubLocalUnits + 1 }),
      // A key the query knows already (pending or reported), or twice in the event, is added once.
      addUnits: assign({
        units: ({ context, event }) => {
          assertEvent(event, 'UNITS_ADDED');
          return event.unitKeys.reduce((units, k) => units.with(k), context.units);
        },
      }),
      closeSearch: assign(({ event }) => {
        assertEvent(event, 'SEARCH_DONE');
        return { open: false, best: event.best, doneAtCycles: event.nowCycles };
      }),
      announceDone: ({ context }) => deps.queryDone(context.queryId, context.best, context),
    },
    guards: {
      /** Some partial of the event is a pending unit's (the first pending one is new whatever
       *  the others are). */
      bringsNewUnit: ({ context, event }) => partialsOf(event).some((p) => isUnitPending(context, p.unitKey)),
      /** Every unit reported and none will be added. */
      allReported: ({ context }) => context.reported.size === context.units.size && !context.open,
    },
  }).createMachine({
    id: 'query',
    context: ({ input }) => ({
      ...input,
      open: input.open ?? false,
      maxUnitAttempts: input.maxUnitAttempts ?? Infinity,
      attempts: {},
      handedOver: [],
      units: KeyLog.of(input.unitKeys),
      reported: KeyLog.of([]),
      best: [],
      duplicatePartials: 0,
      reassignments: 0,
      hubLocalUnits: 0,
      doneAtCycles: null,
    }),
    initial: 'dispatched',
    on: {
      UNIT_REASSIGNED: { actions: 'countReassignment' },
      UNIT_HUB_LOCAL: { actions: 'countHubLocal' },
      UNIT_FAILED: { actions: 'countAttempt' },
      UNITS_ADDED: { actions: 'addUnits' },
      SEARCH_DONE: { actions: 'closeSearch' },
    },
    states: {
      dispatched: {
        always: { guard: 'allReported', target: 'merged' },
        on: {
          UNIT_STARTED: 'awaitingPartials',
          PARTIAL: [{ guard: 'bringsNewUnit', target: 'awaitingPartials', actions: 'takePartials' }, { actions: 'takePartials' }],
          PARTIALS: [{ guard: 'bringsNewUnit', target: 'awaitingPartials', actions: 'takePartials' }, { actions: 'takePartials' }],
        },
      },
      awaitingPartials: {
        always: { guard: 'allReported', target: 'merged' },
        on: {
          PARTIAL: { actions: 'takePartials' },
          PARTIALS: { actions: 'takePartials' },
        },
      },
      merged: {
        entry: 'announceDone',
        always: 'done',
      },
      done: { type: 'final' },
    },
  });
}

export type QueryMachine = ReturnType<typeof createQueryMachine>;
