// Simulated time. The unit is one tile clock cycle (integer); seconds exist only as a
// derived, reporting-side view via `cyclesToSeconds`. Nothing here reads the wall clock:
// see sim/wallclock.ts for the one place that does (CLI reporting only).

export const DEFAULT_TILE_CLOCK_HZ = 1_000_000_000; // spec: "Clock: ~1 GHz"

export class ClockError extends RangeError {
  override name = 'ClockError';
}

export class SimClock {
  readonly tileClockHz: number;
  private currentCycles = 0;

  constructor(tileClockHz: number = DEFAULT_TILE_CLOCK_HZ) {
    if (!Number.isSafeInteger(tileClockHz) || tileClockHz <= 0) {
      throw new ClockError(`tile clock must be a positive integer Hz, got ${tileClockHz}`);
    }
    this.tileClockHz = tileClockHz;
  }

  /** Current simulated time in tile cycles. */
  get nowCycles(): number {
    return this.currentCycles;
  }

  /**
   * Moves time forward. Only the simulator calls this, when it takes the next event (or
   * reaches a run's `until`); time never moves backwards.
   */
  advanceTo(cycle: number): void {
    if (!Number.isSafeInteger(cycle) || cycle < this.currentCycles) {
      throw new ClockError(`clock cannot move from cycle ${this.currentCycles} to ${cycle}`);
    }
    this.currentCycles = cycle;
  }

  /** `advanceTo` for a time the event queue hands out: checked when it was scheduled
   *  (a safe integer >= the time then, and the queue hands times out in order). */
  advanceToQueued(cycle: number): void {
    this.currentCycles = cycle;
  }

  /** Simulated seconds for a cycle count: for reports, never for decisions. */
  cyclesToSeconds(cycles: number): number {
    return cycles / this.tileClockHz;
  }

  /** Whole cycles covering a duration in simulated seconds (rounded up, so a delay is never shortened). */
  secondsToCycles(seconds: number): number {
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new ClockError(`duration must be finite and >= 0 seconds, got ${seconds}`);
    }
    return ceilTolerant(seconds * this.tileClockHz);
  }

  /** Whole cycles covering a duration in simulated milliseconds (xstate delays are in ms). */
  millisecondsToCycles(milliseconds: number): number {
    if (!Number.isFinite(milliseconds) || milliseconds < 0) {
      throw new ClockError(`duration must be finite and >= 0 ms, got ${milliseconds}`);
    }
    return ceilTolerant((milliseconds * this.tileClockHz) / 1000);
  }
}

/**
 * Ceil that ignores binary-fraction noise: 1e-6 s * 1e9 Hz is 1000.0000000000001 in
 * doubles, which must be 1,000 cycles, not 1,001.
 */
function ceilTolerant(x: number): number {
  const nearest = Math.round(x);
  if (Math.abs(x - nearest) <= 1e-9 * Math.max(1, Math.abs(x))) return nearest;
  return Math.ceil(x);
}
