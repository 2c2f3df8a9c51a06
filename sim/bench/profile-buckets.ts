// Reads a V8 .cpuprofile (node --cpu-prof) and prints self time by bucket: which part of
// the simulator (WASM kernel, xstate, hub, trace, GC, ...) the CPU went to. The recipe is
// in docs/performance.md. Buckets are matched on the script path and function name; the
// first rule that matches wins, so the order below goes from specific to general.
//
// Run: npx tsx sim/bench/profile-buckets.ts FILE.cpuprofile [--top 25]
import { readFileSync } from 'node:fs';
import type { CpuProfile } from './profile-lines.ts';

const RULES: [string, (url: string, fn: string) => boolean][] = [
  ['GC', (_u, f) => f === '(garbage collector)'],
  ['idle / program', (_u, f) => f === '(idle)' || f === '(program)'],
  // node:inspector's native dispatch: the profiler's own Profiler.stop (run-profile.ts builds
  // the profile inside the profiled stretch), not the run.
  ['profiler itself', (u, f) => f === 'dispatch' && u === ''],
  ['WASM kernel', (u, f) => u.startsWith('wasm://') || /^\$?(rvf_|wasm-function|js-to-wasm|wasm-to-js)/.test(f)],
  ['xstate', (u) => u.includes('node_modules/xstate')],
  ['trace and hash', (u, f) => /sim\/(trace|canonical-json|payload-digest)\.ts/.test(u) || /sha256|digest|update/i.test(f) && u === ''],
  ['hub core', (u) => /\/hub\/(hub|core\/)/.test(u)],
  ['hub modes and work', (u) => /\/hub\//.test(u)],
  ['protocol', (u) => /\/protocol\//.test(u)],
  ['tile wrapper', (u) => /\/tile\//.test(u) || /sim\/tile-node\.ts/.test(u)],
  ['event loop and queue', (u) => /sim\/(simulator|event-queue|lane-tree|clock|xstate-clock|moving-timer)\.ts/.test(u)],
  ['transport, mesh, link, cost', (u) => /sim\/(sim-transport|mesh|link|cost-model|message-cost)\.ts/.test(u)],
  ['run setup and report', (u) => /sim\/(run|cli|faults)\//.test(u)],
  ['tsx / module loading', (u) => u.includes('node_modules/tsx') || u.includes('node:internal/modules')],
  ['node internals / builtins', (u) => u.startsWith('node:') || u === ''],
  ['other', () => true],
];

export function bucketize(profile: CpuProfile): { bucket: string; ms: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const buckets = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const f = byId.get(id)!.callFrame;
    const bucket = RULES.find(([, test]) => test(f.url, f.functionName))![0];
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + us / 1000);
  }
  return [...buckets].map(([bucket, ms]) => ({ bucket, ms })).sort((a, b) => b.ms - a.ms);
}

export function topFunctions(profile: CpuProfile, top: number): { name: string; ms: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const f = byId.get(profile.samples[i]!)!.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules\/[^/]+|[^/]+\/[^/]+)$/, '$1')}:${f.lineNumber + 1}`;
    selfUs.set(key, (selfUs.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  return [...selfUs].map(([name, us]) => ({ name, ms: us / 1000 })).sort((a, b) => b.ms - a.ms).slice(0, top);
}

if (process.argv[1]?.endsWith('profile-buckets.ts')) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: npx tsx sim/bench/profile-buckets.ts FILE.cpuprofile [--top N]');
    process.exit(2);
  }
  const topAt = process.argv.indexOf('--top');
  const top = topAt > 0 ? Number(process.argv[topAt + 1]) : 25;
  process.stdout.on('error', () => process.exit(0)); // `| head` closes the pipe early
  let profile: CpuProfile;
  try {
    profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  } catch (err) {
    console.error(`profile-buckets: ${file}: not a readable .cpuprofile (${(err as Error).message.split('\n')[0]})`);
    process.exit(2);
  }
  const buckets = bucketize(profile);
  const busy = buckets.filter((b) => b.bucket !== 'idle / program').reduce((s, b) => s + b.ms, 0);
  console.log(`bucket (self time; % of non-idle ${Math.round(busy)} ms)`);
  for (const b of buckets) console.log(`  ${b.bucket.padEnd(30)} ${Math.round(b.ms).toString().padStart(8)} ms  ${b.bucket === 'idle / program' ? '' : `${((100 * b.ms) / busy).toFixed(1)}%`}`);
  console.log(`\ntop ${top} functions by self time`);
  for (const f of topFunctions(profile, top)) console.log(`  ${Math.round(f.ms).toString().padStart(8)} ms  ${f.name}`);
}
