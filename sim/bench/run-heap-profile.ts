// A sampling heap profile of one stretch of code only (the simulation run), through
// node:inspector's HeapProfiler in the same thread, like run-profile.ts does for the CPU.
// It records where the run allocates (sampled every `intervalBytes` on average), objects
// since collected included (includeObjectsCollectedByMajorGC/MinorGC), so short-lived
// per-message garbage shows. Read it with heap-profile-top.ts or DevTools (Memory tab).
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';

/** Runs `fn` under the V8 sampling heap profiler and writes the profile to `path`. */
export function heapProfiled<T>(path: string, fn: () => T, intervalBytes = 4096): T {
  const session = new Session();
  session.connect();
  // The same-thread session answers synchronously: each post's callback runs before it returns.
  const post = (method: string, params?: object): unknown => {
    let result: unknown;
    let error: Error | null = null;
    session.post(method, params, (err, res) => {
      error = err;
      result = res;
    });
    if (error) throw error;
    return result;
  };
  post('HeapProfiler.enable');
  post('HeapProfiler.startSampling', { samplingInterval: intervalBytes, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  try {
    return fn();
  } finally {
    const { profile } = post('HeapProfiler.stopSampling') as { profile: object };
    session.disconnect();
    writeFileSync(path, JSON.stringify(profile));
  }
}
