import { describe, it, expect } from 'vitest';
import { SimClock, ClockError, DEFAULT_TILE_CLOCK_HZ } from '../sim/clock.ts';

describe('SimClock', () => {
  it('defaults to the spec tile clock of 1 GHz and starts at cycle 0', () => {
    const clock = new SimClock();
    expect(clock.tileClockHz).toBe(DEFAULT_TILE_CLOCK_HZ);
    expect(clock.tileClockHz).toBe(1_000_000_000);
    expect(clock.nowCycles).toBe(0);
  });

  it('converts cycles to simulated seconds at the configured rate', () => {
    expect(new SimClock().cyclesToSeconds(1_500_000_000)).toBe(1.5);
    expect(new SimClock(500_000_000).cyclesToSeconds(1_000)).toBe(0.000002);
  });

  it('converts durations to whole cycles, rounding up but ignoring float noise', () => {
    const clock = new SimClock();
    expect(clock.secondsToCycles(1e-6)).toBe(1_000);
    expect(clock.secondsToCycles(1.5e-9)).toBe(2);
    expect(clock.millisecondsToCycles(5)).toBe(5_000_000);
    expect(() => clock.secondsToCycles(-1)).toThrow(ClockError);
  });

  it('moves forward or stays, and refuses to move backwards', () => {
    const clock = new SimClock();
    clock.advanceTo(10);
    clock.advanceTo(10);
    expect(clock.nowCycles).toBe(10);
    expect(() => clock.advanceTo(9)).toThrow(/cannot move from cycle 10 to 9/);
  });

  it('accepts a 1 Hz clock and rejects 0 Hz or fractional rates', () => {
    expect(new SimClock(1).tileClockHz).toBe(1);
    expect(() => new SimClock(0)).toThrow(/positive integer Hz, got 0/);
    expect(() => new SimClock(1.5)).toThrow(ClockError);
  });
});
