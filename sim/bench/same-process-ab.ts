// Two trees' simulators compared in ONE process, run after run in ABBA order:
//   node --expose-gc --import tsx sim/bench/same-process-ab.ts DIR_A DIR_B [pairs] [queries] [--case NAME]
// On the shared 2-core machine two processes run minutes apart see different loads, and a
// pair of separate runs differs by +-20%; here each pair's two runs are seconds apart, and the
// ABBA order cancels what drifts with the position of a run in the process (every second run
// was measured slower in one such session, whichever tree it was). Each tree's modules are
// loaded from its own directory (its own JIT feedback, kernel build and node_modules), the
// default run's configuration (100 queries unless `queries` says fewer), or with `--case` one
// of sim-throughput.ts's cases (e.g. 4096: a change that helps 64 tiles may cost 4,096; the
// configuration is this tree's, as data, so both trees run the same), and the run alone
// is timed, as sim-throughput.ts times it. Prints per run, per pair, the ABBA quads'
// geometric mean and the ratio of the sums (B over A: above 1, B is faster).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { caseConfig, THROUGHPUT_CASES } from './sim-throughput.ts';

interface Tree {
  name: string;
  // The trees are other checkouts: their modules are typed by their own sources, not this one's.
  run(config: object): { wallSeconds: number; cpuSeconds: number; messages: number; traceHash: string };
}

async function loadTree(dir: string): Promise<Tree> {
  const at = (f: string): string => pathToFileURL(resolve(dir, f)).href;
  const config = await import(at('sim/run/run-config.ts'));
  const simulation = await import(at('sim/run/simulation.ts'));
  const report = await import(at('sim/run/report.ts'));
  return {
    name: dir,
    run(override) {
      const s = simulation.buildSimulation(config.checkRunConfig({ ...config.DEFAULT_RUN, ...override }));
      globalThis.gc?.();
      const cpu0 = process.cpuUsage();
      const wall0 = process.hrtime.bigint();
      const { events } = simulation.runSimulation(s);
      const wallSeconds = Number(process.hrtime.bigint() - wall0) / 1e9;
      const cpu = process.cpuUsage(cpu0);
      const summary = report.summarize(s, events, wallSeconds);
      s.trace.close();
      return { wallSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, messages: summary.messagesToTiles + summary.messagesToHub, traceHash: String(summary.traceHash) };
    },
  };
}

const median = (x: number[]): number => {
  const s = [...x].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const geomean = (x: number[]): number => Math.exp(x.reduce((a, b) => a + Math.log(b), 0) / x.length);
/** Pairs i and i+1 (one AB, one BA) as one figure: what drifts with a run's position cancels. */
const quads = (r: number[]): number[] => r.flatMap((v, i) => (i % 2 === 1 ? [Math.sqrt(r[i - 1]! * v)] : []));
const fixed = (x: number[]): string => x.map((v) => v.toFixed(3)).join(' ');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--case');
  const caseName = at >= 0 ? args[at + 1] : undefined;
  if (at >= 0) args.splice(at, 2);
  const [dirA, dirB, pairsArg, queriesArg] = args;
  const pairs = Number(pairsArg ?? 4);
  const queries = queriesArg === undefined ? undefined : Number(queriesArg);
  if (!dirA || !dirB || !Number.isInteger(pairs) || pairs < 1 || (queries !== undefined && !(Number.isInteger(queries) && queries > 0))) {
    console.error('usage: same-process-ab.ts DIR_A DIR_B [pairs >= 1] [queries >= 1] [--case NAME]');
    process.exit(2);
  }
  const chosen = caseName === undefined ? undefined : THROUGHPUT_CASES[caseName];
  if (caseName !== undefined && chosen === undefined) {
    console.error(`same-process-ab.ts: --case ${caseName} is not a sim-throughput case (${Object.keys(THROUGHPUT_CASES).join(', ')})`);
    process.exit(2);
  }
  // The default run as it is (its seed and vectors), or the case's own configuration.
  const base = chosen === undefined ? {} : caseConfig(chosen, 1);
  const config = { ...base, ...(queries === undefined ? {} : { queries }) };
  const trees = { A: await loadTree(dirA), B: await loadTree(dirB) };
  const rates = { A: { wall: [] as number[], cpu: [] as number[] }, B: { wall: [] as number[], cpu: [] as number[] } };
  for (let i = 0; i < pairs; i++) {
    for (const k of i % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const)) {
      const r = trees[k].run(config);
      rates[k].wall.push(r.messages / r.wallSeconds);
      rates[k].cpu.push(r.messages / r.cpuSeconds);
      console.log(`pair ${i} ${k}: ${Math.round(r.messages / r.wallSeconds)} msgs/wall s, ${Math.round(r.messages / r.cpuSeconds)} msgs/CPU s, ${r.messages} messages, trace ${r.traceHash.slice(0, 16)}`);
    }
  }
  for (const k of ['A', 'B'] as const) console.log(`${k} ${trees[k].name}: median ${Math.round(median(rates[k].wall))} msgs/wall s, ${Math.round(median(rates[k].cpu))} msgs/CPU s`);
  const sum = (x: number[]): number => x.reduce((a, b) => a + b, 0);
  for (const m of ['wall', 'cpu'] as const) {
    const ratio = rates.B[m].map((b, i) => b / rates.A[m][i]!);
    const q = quads(ratio);
    console.log(`B/A ${m}: per pair ${fixed(ratio)} (median ${median(ratio).toFixed(3)}); ABBA quads ${fixed(q)}${q.length ? ` (geomean ${geomean(q).toFixed(3)})` : ''}; sums ${(sum(rates.B[m]) / sum(rates.A[m])).toFixed(3)}`);
  }
}

void main();
