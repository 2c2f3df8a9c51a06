// Adapter that gives xstate actors the simulator's clock instead of the wall clock
// (`createActor(machine, { clock: simulatorClock(sim) })`). xstate speaks milliseconds;
// they become simulated milliseconds at the tile clock rate, rounded up to whole cycles.

import type { Simulator } from './simulator.ts';

/** Structurally the xstate v5 `Clock` interface. */
export interface SimulatorClockAdapter {
  setTimeout(fn: (...args: unknown[]) => void, timeoutMs: number): number;
  clearTimeout(id: number): void;
}

export function simulatorClock<E extends object>(sim: Simulator<E>, label = 'xstate'): SimulatorClockAdapter {
  return {
    setTimeout(fn, timeoutMs) {
      return sim.setTimer(sim.clock.millisecondsToCycles(timeoutMs), label, () => fn());
    },
    clearTimeout(id) {
      sim.cancel(id);
    },
  };
}
