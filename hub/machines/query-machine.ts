// A query's lifecycle: dispatched (its units queued on tiles), awaiting partial results
// (at least one unit started), merged (every unit reported; the global top-K is final),
// done. A partial for a unit that already reported (a retried or reassigned job that ran
// a unit twice) is ignored, so recovery cannot change a result. Reassignments and
// hub-local fallbacks are counted here because they belong to the query they delay.
import { assertEvent, assign, setup } from 'xstate';
import { mergeTopK, type Candidate } from '../topk-merge.ts';

export interface QueryMachineInput {
  queryId: number;
  k: number;
  unitKeys: string[];
  dispatchedAtCycles: number;
}

export interface QueryMachineContext extends QueryMachineInput {
  pending: string[];
  reported: string[];
  best: Candidate[];
  duplicatePartials: number;
  reassignments: number;
  hubLocalUnits: number;
  doneAtCycles: number | null;
}

export type QueryMachineEvent =
  | { type: 'UNIT_STARTED' }
  | { type: 'PARTIAL'; unitKey: string; candidates: Candidate[]; nowCycles: number }
  | { type: 'UNIT_REASSIGNED'; unitKey: string }
  | { type: 'UNIT_HUB_LOCAL'; unitKey: string };

export interface QueryMachineDeps {
  queryDone(queryId: number, best: Candidate[], context: QueryMachineContext): void;
}

export function createQueryMachine(deps: QueryMachineDeps) {
  return setup({
    types: {
      context: {} as QueryMachineContext,
      events: {} as QueryMachineEvent,
      input: {} as QueryMachineInput,
    },
    actions: {
      mergePartial: assign(({ context, event }) => {
        assertEvent(event, 'PARTIAL');
        return {
          pending: context.pending.filter((k) => k !== event.unitKey),
          reported: [...context.reported, event.unitKey],
          best: mergeTopK(context.best, event.candidates, context.k),
          doneAtCycles: event.nowCycles,
        };
      }),
      countDuplicate: assign({ duplicatePartials: ({ context }) => context.duplicatePartials + 1 }),
      countReassignment: assign({ reassignments: ({ context }) => context.reassignments + 1 }),
      countHubLocal: assign({ hubLocalUnits: ({ context }) => context.hubLocalUnits + 1 }),
      announceDone: ({ context }) => deps.queryDone(context.queryId, context.best, context),
    },
    guards: {
      isNewUnit: ({ context, event }) => {
        assertEvent(event, 'PARTIAL');
        return context.pending.includes(event.unitKey);
      },
      allReported: ({ context }) => context.pending.length === 0,
    },
  }).createMachine({
    id: 'query',
    context: ({ input }) => ({
      ...input,
      pending: [...input.unitKeys],
      reported: [],
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
    },
    states: {
      dispatched: {
        always: { guard: 'allReported', target: 'merged' },
        on: {
          UNIT_STARTED: 'awaitingPartials',
          PARTIAL: [{ guard: 'isNewUnit', target: 'awaitingPartials', actions: 'mergePartial' }, { actions: 'countDuplicate' }],
        },
      },
      awaitingPartials: {
        always: { guard: 'allReported', target: 'merged' },
        on: {
          PARTIAL: [{ guard: 'isNewUnit', actions: 'mergePartial' }, { actions: 'countDuplicate' }],
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
