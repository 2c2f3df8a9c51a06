// The garbage collections one stretch of code caused: scavenges (young generation),
// mark-compacts (whole heap) and their main-thread pause time, from V8's GC profiler
// (node:v8 GCProfiler, synchronous start/stop, so a synchronous run is counted whole).
// A bench reports them beside its times, so a change in allocation or in the young
// generation's size (--max-semi-space-size, docs/performance.md) shows as counts, not only
// as a time that swings with the machine's load.
import { GCProfiler } from 'node:v8';

export interface GcCounts {
  scavenges: number;
  /** Full collections (mark-sweep-compact), incremental marking steps not counted apart. */
  markCompacts: number;
  /** Pause time of the scavenges alone, ms. */
  scavengeMs: number;
  /** Pause time of every collection above and of incremental marking, ms (main thread). */
  pauseMs: number;
}

export function countGc<T>(fn: () => T): { result: T; gc: GcCounts } {
  const profiler = new GCProfiler();
  profiler.start();
  let result: T;
  try {
    result = fn();
  } catch (err) {
    profiler.stop();
    throw err;
  }
  const gc: GcCounts = { scavenges: 0, markCompacts: 0, scavengeMs: 0, pauseMs: 0 };
  for (const s of profiler.stop().statistics) {
    if (s.gcType === 'Scavenge' || s.gcType === 'MinorMarkCompact') {
      gc.scavenges++;
      gc.scavengeMs += s.cost / 1000;
    }
    else if (s.gcType === 'MarkSweepCompact') gc.markCompacts++;
    gc.pauseMs += s.cost / 1000; // cost is in microseconds
  }
  return { result, gc };
}
