// A hot kernel upgrade as one machine: verify the new pack, then move the tiles onto it one
// at a time (take the tile out of service, let it drain, reload it with the new image,
// health-check it, return it to service); the first failed health check rolls every tile
// that moved, and the one that failed, back to the old image the same way. The hub core
// knows nothing of upgrades: each step is a tile's service lifecycle (hub.withdrawTile,
// the restart path, hub.returnTile), done by the deps the caller provides; the caller
// answers each step with an event.
//
// idle -> verifying -> upgrading (next -> draining -> reloading -> checking)* -> done
//                   \-> refused      checking --HEALTH_FAILED--> rollingBack
// rollingBack (next -> draining -> reloading)* -> rolledBack
import { assertEvent, assign, setup } from 'xstate';

export type ImageChoice = 'new' | 'old';

export interface UpgradeMachineInput {
  /** The tiles to move, in order. */
  tiles: readonly number[];
}

export interface UpgradeContext {
  tiles: readonly number[];
  /** Tiles now serving on the new image. */
  upgraded: number[];
  /** Tiles still to move back (rollback). */
  toRestore: number[];
  current: number | null;
  /** Why the upgrade stopped (refused pack, failed health check). */
  failure: string | null;
}

export type UpgradeEvent =
  | { type: 'START' }
  | { type: 'PACK_VERIFIED' }
  | { type: 'PACK_REFUSED'; reason: string }
  | { type: 'TILE_DRAINED'; tileId: number }
  | { type: 'TILE_RELOADED'; tileId: number }
  | { type: 'HEALTH_OK'; tileId: number }
  | { type: 'HEALTH_FAILED'; tileId: number; reason: string };

/** Side effects the caller supplies; each is answered later with the matching event. */
export interface UpgradeDeps {
  /** Verify the new pack: answer PACK_VERIFIED or PACK_REFUSED. */
  verifyNewPack(): void;
  /** Take the tile out of service: answer TILE_DRAINED once its last job is done. */
  withdrawTile(tileId: number): void;
  /** Reload the tile with an image: answer TILE_RELOADED once it has booted. */
  loadImage(tileId: number, image: ImageChoice): void;
  /** Run the conformance vectors on the tile's new image: answer HEALTH_OK or HEALTH_FAILED. */
  runHealthCheck(tileId: number): void;
  returnTile(tileId: number): void;
  /** Told of every step, for the trace and the report. */
  note(step: string, tileId: number | null, detail?: string): void;
}

export function createUpgradeMachine(deps: UpgradeDeps) {
  return setup({
    types: { context: {} as UpgradeContext, events: {} as UpgradeEvent, input: {} as UpgradeMachineInput },
    actions: {
      verifyNewPack: () => deps.verifyNewPack(),
      recordRefusal: assign(({ event }) => {
        assertEvent(event, 'PACK_REFUSED');
        deps.note('refused', null, event.reason);
        return { failure: event.reason };
      }),
      pickNextTile: assign(({ context }) => ({ current: context.tiles[context.upgraded.length]! })),
      pickRestoreTile: assign(({ context }) => ({ current: context.toRestore[0]!, toRestore: context.toRestore.slice(1) })),
      withdrawTile: ({ context }) => deps.withdrawTile(context.current!),
      loadNewImage: ({ context }) => deps.loadImage(context.current!, 'new'),
      loadOldImage: ({ context }) => deps.loadImage(context.current!, 'old'),
      runHealthCheck: ({ context }) => deps.runHealthCheck(context.current!),
      returnTile: ({ context }) => deps.returnTile(context.current!),
      markUpgraded: assign(({ context }) => {
        deps.note('switched', context.current, 'new');
        return { upgraded: [...context.upgraded, context.current!] };
      }),
      markRestored: ({ context }) => deps.note('switched', context.current, 'old'),
      // The failing tile goes back first (it is out of service), then the others, last moved first.
      startRollback: assign(({ context, event }) => {
        assertEvent(event, 'HEALTH_FAILED');
        deps.note('health-failed', event.tileId, event.reason);
        return { failure: `tile ${event.tileId} failed its health check: ${event.reason}`, toRestore: [context.current!, ...[...context.upgraded].reverse()], upgraded: [] };
      }),
      noteDone: ({ context }) => deps.note('done', null, `${context.upgraded.length} tile(s) on the new pack`),
      noteRolledBack: ({ context }) => deps.note('rolled-back', null, context.failure ?? ''),
    },
    guards: {
      allUpgraded: ({ context }) => context.upgraded.length >= context.tiles.length,
      allRestored: ({ context }) => context.toRestore.length === 0,
      isCurrentTile: ({ context, event }) => 'tileId' in event && event.tileId === context.current,
    },
  }).createMachine({
    id: 'upgrade',
    context: ({ input }) => ({ tiles: input.tiles, upgraded: [], toRestore: [], current: null, failure: null }),
    initial: 'idle',
    states: {
      idle: { on: { START: 'verifying' } },
      verifying: {
        entry: 'verifyNewPack',
        on: { PACK_VERIFIED: 'upgrading', PACK_REFUSED: { target: 'refused', actions: 'recordRefusal' } },
      },
      upgrading: {
        initial: 'next',
        states: {
          next: { always: [{ guard: 'allUpgraded', target: '#upgrade.done' }, { target: 'draining', actions: 'pickNextTile' }] },
          draining: { entry: 'withdrawTile', on: { TILE_DRAINED: { guard: 'isCurrentTile', target: 'reloading' } } },
          reloading: { entry: 'loadNewImage', on: { TILE_RELOADED: { guard: 'isCurrentTile', target: 'checking' } } },
          checking: {
            entry: 'runHealthCheck',
            on: {
              HEALTH_OK: { guard: 'isCurrentTile', target: 'next', actions: ['returnTile', 'markUpgraded'] },
              HEALTH_FAILED: { guard: 'isCurrentTile', target: '#upgrade.rollingBack', actions: 'startRollback' },
            },
          },
        },
      },
      rollingBack: {
        initial: 'next',
        states: {
          next: { always: [{ guard: 'allRestored', target: '#upgrade.rolledBack' }, { target: 'draining', actions: 'pickRestoreTile' }] },
          draining: { entry: 'withdrawTile', on: { TILE_DRAINED: { guard: 'isCurrentTile', target: 'reloading' } } },
          reloading: { entry: 'loadOldImage', on: { TILE_RELOADED: { guard: 'isCurrentTile', target: 'next', actions: ['returnTile', 'markRestored'] } } },
        },
      },
      done: { type: 'final', entry: 'noteDone' },
      rolledBack: { type: 'final', entry: 'noteRolledBack' },
      refused: { type: 'final' },
    },
  });
}

export type UpgradeMachine = ReturnType<typeof createUpgradeMachine>;
