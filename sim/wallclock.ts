// The ONLY place in sim/ that reads the wall clock. Used by the CLI edge to report how long
// a run took in real time; simulation code must never import this (a test greps for it),
// because wall time differs between runs and would break `--seed` reproduction.

import { performance } from 'node:perf_hooks';

export interface Stopwatch {
  /** Wall-clock milliseconds since the stopwatch started. */
  elapsedMs(): number;
}

export function startStopwatch(): Stopwatch {
  const startMs = performance.now();
  return { elapsedMs: () => performance.now() - startMs };
}

/** Simulated events per wall-clock second, for throughput reports. */
export function eventsPerWallSecond(events: number, wallMs: number): number {
  return wallMs > 0 ? (events * 1000) / wallMs : Infinity;
}
