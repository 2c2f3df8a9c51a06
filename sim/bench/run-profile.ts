// A CPU profile of one stretch of code only (the simulation run, without data generation,
// ground truth, encoding, module loading or the replay), through node:inspector in the same
// thread. `node --cpu-prof` profiles the whole process, where setup can be most of the
// samples and swings with the machine's load; this gives the buckets of the run alone
// (docs/performance.md). The file is a .cpuprofile for profile-buckets.ts or DevTools.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';

/** An inspector session on this thread, with a `post` that returns the result at once. */
export function syncSession(): { post(method: string, params?: object): unknown; close(): void } {
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
  return { post, close: () => session.disconnect() };
}

/** Runs `fn` under the V8 sampling profiler and writes the profile to `path`. */
export function profiled<T>(path: string, fn: () => T): T {
  const { post, close } = syncSession();
  post('Profiler.enable');
  post('Profiler.setSamplingInterval', { interval: 500 });
  post('Profiler.start');
  try {
    return fn();
  } finally {
    const { profile } = post('Profiler.stop') as { profile: object };
    close();
    writeFileSync(path, JSON.stringify(profile));
  }
}
