// The xstate Clock on simulated time: `createActor(machine, { clock: cycleClock(sim) })`
// makes a machine's delayed transitions simulator timers, never wall-clock ones. Delays are
// given in tile cycles (the hub's machines state their timeouts in cycles) and rounded up
// to whole cycles; every timer is traced under the label 'machine-timer'.
import type { HubClock } from '../hub/hub-transport.ts';
import type { Simulator } from './simulator.ts';

export function cycleClock<E extends object>(sim: Simulator<E>): HubClock {
  return {
    setTimeout: (fn, cycles) => sim.setTimer(Math.max(0, Math.ceil(cycles)), 'machine-timer', () => fn()),
    clearTimeout: (id) => sim.cancel(id as number),
  };
}
