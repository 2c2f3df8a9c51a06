// The hot-upgrade machine, walked through every transition it defines: a refused pack, an
// upgrade that completes, and one whose health check fails and rolls every moved tile back
// (the failing one first, then the others, last moved first). The deps record what the
// machine asked for; the test answers as the simulation would.
import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { createUpgradeMachine, type UpgradeDeps, type UpgradeEvent } from '../hub/upgrade/upgrade-machine.ts';
import { TransitionRecorder } from './machine-coverage.ts';

function harness(tiles: number[], recorder: TransitionRecorder) {
  const calls: string[] = [];
  const deps: UpgradeDeps = {
    verifyNewPack: () => calls.push('verify'),
    withdrawTile: (t) => calls.push(`withdraw ${t}`),
    loadImage: (t, image) => calls.push(`load ${t} ${image}`),
    runHealthCheck: (t) => calls.push(`check ${t}`),
    returnTile: (t) => calls.push(`return ${t}`),
    note: (step, t) => calls.push(`note ${step}${t === null ? '' : ` ${t}`}`),
  };
  const machine = createUpgradeMachine(deps);
  const actor = createActor(machine, { input: { tiles }, inspect: recorder.inspect });
  actor.start();
  const send = (...events: UpgradeEvent[]): void => events.forEach((e) => actor.send(e));
  return { machine, actor, calls, send };
}

const moveTile = (t: number): UpgradeEvent[] => [{ type: 'TILE_DRAINED', tileId: t }, { type: 'TILE_RELOADED', tileId: t }];

describe('the upgrade machine', () => {
  const recorder = new TransitionRecorder();

  it('stops at refused when the new pack does not verify, touching no tile', () => {
    const h = harness([0, 1], recorder);
    h.send({ type: 'START' }, { type: 'PACK_REFUSED', reason: 'pack p: signed by key x' });
    expect(h.actor.getSnapshot().value).toBe('refused');
    expect(h.actor.getSnapshot().context.failure).toBe('pack p: signed by key x');
    expect(h.calls).toEqual(['verify', 'note refused']);
  });

  it('moves the tiles one at a time: withdraw, drain, reload, check, return', () => {
    const h = harness([0, 1], recorder);
    h.send({ type: 'START' }, { type: 'PACK_VERIFIED' });
    // Answers about another tile than the one moving change nothing.
    h.send({ type: 'TILE_DRAINED', tileId: 1 });
    expect(h.actor.getSnapshot().value).toEqual({ upgrading: 'draining' });
    h.send(...moveTile(0), { type: 'HEALTH_OK', tileId: 0 }, ...moveTile(1), { type: 'HEALTH_OK', tileId: 1 });
    expect(h.actor.getSnapshot().value).toBe('done');
    expect(h.actor.getSnapshot().context.upgraded).toEqual([0, 1]);
    expect(h.calls).toEqual([
      'verify',
      'withdraw 0', 'load 0 new', 'check 0', 'return 0', 'note switched 0',
      'withdraw 1', 'load 1 new', 'check 1', 'return 1', 'note switched 1',
      'note done',
    ]);
  });

  it('rolls back on the first failed health check: the failing tile first, then the moved ones, last first', () => {
    const h = harness([0, 1, 2, 3], recorder);
    h.send({ type: 'START' }, { type: 'PACK_VERIFIED' });
    h.send(...moveTile(0), { type: 'HEALTH_OK', tileId: 0 }, ...moveTile(1), { type: 'HEALTH_OK', tileId: 1 });
    h.send(...moveTile(2), { type: 'HEALTH_FAILED', tileId: 2, reason: 'distance 0 is wrong' });
    expect(h.actor.getSnapshot().value).toEqual({ rollingBack: 'draining' });
    h.send(...moveTile(2), ...moveTile(1), ...moveTile(0));
    const snap = h.actor.getSnapshot();
    expect(snap.value).toBe('rolledBack');
    expect(snap.context.failure).toBe('tile 2 failed its health check: distance 0 is wrong');
    expect(h.calls.slice(h.calls.indexOf('check 2'))).toEqual([
      'check 2', 'note health-failed 2',
      'withdraw 2', 'load 2 old', 'return 2', 'note switched 2',
      'withdraw 1', 'load 1 old', 'return 1', 'note switched 1',
      'withdraw 0', 'load 0 old', 'return 0', 'note switched 0',
      'note rolled-back',
    ]);
    expect(h.calls).not.toContain('load 3 new'); // tile 3 never moved
  });

  it('has walked every transition it defines', () => {
    expect(recorder.missing(harness([], new TransitionRecorder()).machine)).toEqual([]);
  });
});
