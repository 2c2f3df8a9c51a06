// A CPU profile of one simulation's run alone: the data, tiles and ground truth are built
// first, unprofiled, then the V8 profiler (node:inspector) records only runSimulation. A
// `node --cpu-prof` of the CLI also profiles setup (about 10-15% of the default run) and a
// bench's replay; this one leaves only what the simulator does per message. Read the file
// with profile-buckets.ts (docs/performance.md "Taking a profile").
//
// Run: npx tsx sim/bench/profile-run.ts OUT.cpuprofile [--queries 30] [--tiles 64] [--vectors 20000]
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { DEFAULT_RUN, checkRunConfig } from '../run/run-config.ts';
import { buildSimulation, runSimulation } from '../run/simulation.ts';
import { startCpuStopwatch } from '../wallclock.ts';
import { summarize } from '../run/report.ts';

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

function post<T>(session: Session, method: string): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, (err, result) => (err ? reject(err) : resolve(result as T))));
}

const out = process.argv[2];
if (!out || out.startsWith('--')) {
  console.error('usage: npx tsx sim/bench/profile-run.ts OUT.cpuprofile [--queries N] [--tiles N] [--vectors N]');
  process.exit(2);
}
const tiles = flag('--tiles', DEFAULT_RUN.tiles);
const side = Math.ceil(Math.sqrt(tiles));
const config = checkRunConfig({ ...DEFAULT_RUN, tiles, meshRows: side, meshCols: side, queries: flag('--queries', 30), vectors: flag('--vectors', DEFAULT_RUN.vectors) });
const s = buildSimulation(config);
const session = new Session();
session.connect();
await post(session, 'Profiler.enable');
await post(session, 'Profiler.start');
const cpu = startCpuStopwatch();
const { events } = runSimulation(s);
const cpuSeconds = cpu.elapsedCpuSeconds();
const { profile } = await post<{ profile: unknown }>(session, 'Profiler.stop');
writeFileSync(out, JSON.stringify(profile));
const summary = summarize(s, events, cpuSeconds);
const messages = summary.messagesToTiles + summary.messagesToHub;
console.log(`${messages} messages, ${events} events, ${cpuSeconds.toFixed(2)} CPU s under the profiler (${Math.round(messages / cpuSeconds)} messages per CPU second); trace ${summary.traceHash.slice(0, 16)}`);
