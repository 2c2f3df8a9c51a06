// Drives a hot kernel upgrade inside a simulation (hub/upgrade/upgrade-machine.ts): at the
// given simulated cycle it verifies the new pack, then moves the tiles onto it one at a
// time while queries keep flowing. Each step is a tile's service lifecycle: the hub takes
// it out of service (its queued work moves on), it drains, its node gets the new image
// and restarts through the transport's restart path, the conformance vectors run on the
// new image, and the hub returns it. Every step is in the trace ({ kind: 'upgrade' }).
import { createActor, type Actor } from 'xstate';
import type { LoadedKernel } from '../../tile/kernel-module.ts';
import { healthCheck, type HealthResult } from '../../tile/pack/health-check.ts';
import { PackRefusedError } from '../../tile/pack/pack-error.ts';
import type { VerifiedPack } from '../../tile/pack/pack-verify.ts';
import { createUpgradeMachine, type UpgradeEvent, type UpgradeMachine } from '../../hub/upgrade/upgrade-machine.ts';
import { TILE_BOOT_CYCLES } from '../sim-transport.ts';
import type { Simulation } from './simulation.ts';

/** How often a withdrawn tile is looked at until its last job is done. */
export const DRAIN_POLL_CYCLES = 1_000;
/** Cycles the conformance vectors take on a tile (3 small cases: init, load, distances, merge). */
export const HEALTH_CHECK_CYCLES = 5_000;

export interface UpgradePlan {
  atCycles: number;
  /** The kernel id the tiles run (the same id in both packs). */
  kernelId: string;
  /** Verifies the new pack (throws PackRefusedError when it does not pass). */
  verify(): VerifiedPack;
  /** The health check (default: the conformance vectors, tile/pack/health-check.ts); tests swap it. */
  healthCheck?: (image: LoadedKernel, tileId: number) => HealthResult;
}

export interface UpgradeStep {
  atCycles: number;
  step: string;
  tile: number | null;
  detail: string;
}

export interface UpgradeHandle {
  actor: Actor<UpgradeMachine>;
  steps: UpgradeStep[];
  /** 'done', 'rolledBack', 'refused', or where it stands when the run ended. */
  readonly outcome: string;
}

export function attachUpgrade(s: Simulation, plan: UpgradePlan): UpgradeHandle {
  const steps: UpgradeStep[] = [];
  const oldImages = s.nodes.map((n) => n.image);
  let newImage: LoadedKernel | null = null;
  // Every answer to the machine comes as a later event, never from inside its own action.
  const answer = (label: string, delayCycles: number, event: UpgradeEvent): void => void s.sim.setTimer(delayCycles, label, () => actor.send(event));
  const note = (step: string, tile: number | null, detail = ''): void => {
    steps.push({ atCycles: s.sim.nowCycles, step, tile, detail });
    s.trace.record({ kind: 'upgrade', t: s.sim.nowCycles, step, tile, detail });
  };
  const machine = createUpgradeMachine({
    verifyNewPack: () => {
      try {
        const pack = plan.verify();
        newImage = pack.kernels.get(plan.kernelId) ?? null;
        if (!newImage) throw new PackRefusedError(pack.name, [{ kernel: plan.kernelId, reason: 'is not in the pack' }]);
        note('verified', null, `${pack.manifest.name} ${pack.manifest.version}, ${plan.kernelId} ${pack.manifest.kernels.find((k) => k.id === plan.kernelId)!.hash.slice(0, 23)}…`);
        answer('upgrade-verified', 0, { type: 'PACK_VERIFIED' });
      } catch (err) {
        if (!(err instanceof PackRefusedError)) throw err;
        answer('upgrade-refused', 0, { type: 'PACK_REFUSED', reason: err.lines.join('; ') });
      }
    },
    withdrawTile: (t) => {
      note('withdrawn', t);
      s.hub.withdrawTile(t);
      const poll = (): void => {
        if (s.hub.tileDrained(t)) actor.send({ type: 'TILE_DRAINED', tileId: t });
        else s.sim.setTimer(DRAIN_POLL_CYCLES, 'upgrade-drain', poll);
      };
      s.sim.setTimer(0, 'upgrade-drain', poll);
    },
    loadImage: (t, image) => {
      note('reload', t, image);
      s.nodes[t]!.swapImage(image === 'new' ? newImage! : oldImages[t]!);
      s.transport.restartTile(t); // the restart path: fresh memory, the hub's session forgets the old link
      answer('upgrade-reloaded', TILE_BOOT_CYCLES, { type: 'TILE_RELOADED', tileId: t });
    },
    runHealthCheck: (t) => {
      const result = (plan.healthCheck ?? healthCheck)(s.nodes[t]!.image, t);
      if (result.ok) note('health-ok', t, result.lines.join('; ')); // a failure is noted by the machine's rollback
      answer('upgrade-health', HEALTH_CHECK_CYCLES, result.ok ? { type: 'HEALTH_OK', tileId: t } : { type: 'HEALTH_FAILED', tileId: t, reason: result.lines[result.lines.length - 1]! });
    },
    returnTile: (t) => s.hub.returnTile(t),
    note,
  });
  const actor = createActor(machine, { input: { tiles: s.nodes.map((n) => n.tileId) } });
  actor.start();
  s.sim.setTimer(Math.max(0, plan.atCycles - s.sim.nowCycles), 'upgrade-start', () => actor.send({ type: 'START' }));
  return {
    actor,
    steps,
    get outcome() {
      const v = actor.getSnapshot().value;
      return typeof v === 'string' ? v : JSON.stringify(v);
    },
  };
}
