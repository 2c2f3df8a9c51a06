// A sampling heap profile of one stretch of code only (the simulation run), through
// node:inspector's HeapProfiler in the same thread, like run-profile.ts does for the CPU.
// It records where the run allocates (sampled every `intervalBytes` on average), objects
// since collected included (includeObjectsCollectedByMajorGC/MinorGC), so short-lived
// per-message garbage shows. Read it with heap-profile-top.ts or DevTools (Memory tab).
import { writeFileSync } from 'node:fs';
import { syncSession } from './run-profile.ts';

/** Runs `fn` under the V8 sampling heap profiler and writes the profile to `path`. */
export function heapProfiled<T>(path: string, fn: () => T, intervalBytes = 4096): T {
  const { post, close } = syncSession();
  post('HeapProfiler.enable');
  post('HeapProfiler.startSampling', { samplingInterval: intervalBytes, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  try {
    return fn();
  } finally {
    const { profile } = post('HeapProfiler.stopSampling') as { profile: object };
    close();
    writeFileSync(path, JSON.stringify(profile));
  }
}
