// The xstate Clock on simulated time: `createActor(machine, { clock: cycleClock(sim) })`
// makes a machine's delayed transitions simulator timers, never wall-clock ones. Delays are
// given in tile cycles (the hub's machines state their timeouts in cycles) and rounded up
// to whole cycles; every timer is traced under the label 'machine-timer'. The hub's reply
// deadlines are moving timers (sim/moving-timer.ts), given whole cycles by the hub: traced
// the same, one queue entry per tile instead of one per message.
import type { HubClock, MovableTimer } from '../hub/hub-transport.ts';
import type { Simulator } from './simulator.ts';

const LABEL = 'machine-timer';

const wholeCycles = (cycles: number): number => Math.max(0, Math.ceil(cycles));

export function cycleClock<E extends object>(sim: Simulator<E>): HubClock {
  return {
    setTimeout: (fn, cycles) => sim.setTimer(wholeCycles(cycles), LABEL, () => fn()),
    clearTimeout: (id) => sim.cancel(id as number),
    // The hub's deadlines arrive in whole cycles >= 0 (hub/core/reply-deadline.ts), so the
    // moving timer itself is the hub's: a `set` per message calls it directly, where an
    // adapter rounding again was a closure and its context read per message.
    movableTimer: (fn): MovableTimer => sim.movingTimer(LABEL, fn),
  };
}
