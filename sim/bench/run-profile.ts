// A CPU profile of one stretch of code only (the simulation run, without data generation,
// ground truth, encoding, module loading or the replay), through node:inspector in the same
// thread. `node --cpu-prof` profiles the whole process, where setup can be most of the
// samples and swings with the machine's load; this gives the buckets of the run alone
// (docs/performance.md). The file is a .cpuprofile for profile-buckets.ts or DevTools.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';

/** Runs `fn` under the V8 sampling profiler and writes the profile to `path`. */
export function profiled<T>(path: string, fn: () => T): T {
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
  post('Profiler.enable');
  post('Profiler.setSamplingInterval', { interval: 500 });
  post('Profiler.start');
  try {
    return fn();
  } finally {
    const { profile } = post('Profiler.stop') as { profile: object };
    session.disconnect();
    writeFileSync(path, JSON.stringify(profile));
  }
}
