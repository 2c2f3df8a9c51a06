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

export interface CpuStopwatch {
  /** CPU seconds (user + system) this process used since the stopwatch started. */
  elapsedCpuSeconds(): number;
}

/**
 * CPU time, for benchmarks on a shared machine: wall time grows with every other process's
 * load, CPU time much less, so ratios of CPU times measured in one run stay comparable.
 */
export function startCpuStopwatch(): CpuStopwatch {
  const start = process.cpuUsage();
  return {
    elapsedCpuSeconds: () => {
      const d = process.cpuUsage(start);
      return (d.user + d.system) / 1e6;
    },
  };
}
