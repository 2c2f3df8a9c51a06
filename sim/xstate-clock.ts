// The xstate Clock on simulated time: `createActor(machine, { clock: cycleClock(sim) })`
// makes a machine's delayed transitions simulator timers, never wall-clock ones. Delays are
// given in tile cycles (the hub's machines state their timeouts in cycles) and rounded up
// to whole cycles; every timer is traced under the label 'machine-timer'. The hub's reply
// deadlines are moving timers (sim/moving-timer.ts): traced the same, one queue entry per
// tile instead of one per message.
import type { HubClock, MovableTimer } from '../hub/hub-transport.ts';
import type { Simulator } from './simulator.ts';

const LABEL = 'machine-timer';

const wholeCycles = (cycles: number): number => Math.max(0, Math.ceil(cycles));

export function cycleClock<E extends object>(sim: Simulator<E>): HubClock {
  return {
    setTimeout: (fn, cycles) => sim.setTimer(wholeCycles(cycles), LABEL, () => fn()),
    clearTimeout: (id) => sim.cancel(id as number),
    // The moving timer itself, rounding delays up as wholeCycles does: the hub moves it once
    // per message sent, and an adapter of closures around it was two more cold objects a move.
    movableTimer: (fn): MovableTimer => sim.movingTimer(LABEL, fn, true),
  };
}
