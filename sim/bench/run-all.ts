// `npm run bench`: every benchmark in one process and one run, each figure beside what it is
// compared with, as a ratio; written to docs/bench/results.md and docs/bench/results.json
// (the project's top level is fixed, so not a top-level bench/ folder). Timings never go
// in tests; they live here.
//
//   kernel distance    384-dim L2, fp16 and i8: SIMD, scalar, TS reference, native C (-O3)
//   instrumentation    the checked (window + fuel) images against their plain twins
//   sim throughput     messages per second: the default run and 16..4,096 tiles, against
//                      the tiles-only replay of the same deliveries (the design's ceiling)
//   modes              push vs push-hnsw vs pull: bytes and simulated latency per query
//   large array        16,384 tiles against 1,024 through the CLI: recall, peak memory per tile
//
// Run: npm run bench [-- --quick] [-- --out-dir DIR] [-- --baseline docs/bench/baseline.json [--tolerance 0.25]]
// With --baseline, exits 1 when a ratio is worse than the baseline's by more than the
// tolerance (a fraction); ratios, not absolute times, so a loaded machine compares.
import { readFileSync } from 'node:fs';
import { writeAtomic } from '../../tile/atomic-write.ts';
import { join } from 'node:path';
import { FUEL_OVERHEAD_TARGET, formatFuelOverheadBench, runFuelOverheadBench } from './fuel-overhead.ts';
import { formatKernelDistanceBench, runKernelDistanceBench } from './kernel-distance.ts';
import { formatModeCompareBench, runModeCompareBench } from './mode-compare.ts';
import { runNativeDistanceBench } from './native-distance.ts';
import { formatLargeArrayBench, LARGE_ARRAY_DEFAULTS, runLargeArrayBench } from './large-array.ts';
import { formatSimThroughputBench, runSimThroughputBench, THROUGHPUT_CASES } from './sim-throughput.ts';
import { compareWithBaseline, type BenchRatio } from './bench-baseline.ts';
import { startStopwatch } from '../wallclock.ts';

const RESULTS_DIR = 'docs/bench';

function argValue(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}


function main(): void {
  const quick = process.argv.includes('--quick');
  const baselinePath = argValue('--baseline');
  const tolerance = Number(argValue('--tolerance') ?? '0.25');
  if (!(tolerance >= 0 && tolerance < 10)) {
    console.error(`--tolerance: a fraction 0..10, got ${argValue('--tolerance')}`);
    process.exit(2);
  }
  const baseline = baselinePath === undefined ? undefined : (JSON.parse(readFileSync(baselinePath, 'utf8')) as { ratios: BenchRatio[] });
  const outDir = argValue('--out-dir') ?? RESULTS_DIR;
  const RESULTS_MD = join(outDir, 'results.md');
  const RESULTS_JSON = join(outDir, 'results.json');
  const watch = startStopwatch();
  const reps = quick ? 2_000 : 20_000;
  const ratios: BenchRatio[] = [];
  const sections: string[] = [];
  const add = (title: string, body: string): void => {
    sections.push(`## ${title}\n\n\`\`\`\n${body}\n\`\`\``);
    console.log(`\n${title}\n${body}`);
  };

  const native = runNativeDistanceBench(reps);
  const kernels = (['fp16', 'i8'] as const).map((dtype) => runKernelDistanceBench({ reps, dtype }));
  for (const k of kernels) {
    const c = native?.find((x) => x.dtype === k.dtype);
    const nativeLine = c ? `\n  native C   ${c.nsPerDistance.toFixed(1).padStart(9)} ns/distance   simd/native    ${(k.simdNsPerDistance / c.nsPerDistance).toFixed(2)}x  (cc ${c.flags.join(' ')})` : '\n  native C   (no cc on this machine)';
    add(`kernel distance, ${k.dtype}`, formatKernelDistanceBench(k) + nativeLine);
    ratios.push({ name: `${k.dtype} scalar/simd`, value: k.scalarOverSimd, better: 'higher' });
    ratios.push({ name: `${k.dtype} reference/simd`, value: k.referenceOverSimd, better: 'higher' });
    if (c) ratios.push({ name: `${k.dtype} simd/native`, value: k.simdNsPerDistance / c.nsPerDistance, better: 'lower' });
  }

  const fuel = runFuelOverheadBench({ reps, rounds: quick ? 1 : 3 });
  add('instrumented image overhead (windows + watchdog)', formatFuelOverheadBench(fuel));
  for (const p of fuel) ratios.push({ name: `${p.fuel}/${p.base}`, value: p.ratio, better: 'lower', note: `target < ${FUEL_OVERHEAD_TARGET}x for fuel` });

  const caseNames = ['default', 'default-full', '16', '256', '1024', '4096'];
  const cases = caseNames.map((n) => THROUGHPUT_CASES[n]!).map((c) => (quick ? { ...c, queries: Math.max(1, Math.floor(c.queries / 4)) } : c));
  const sims = runSimThroughputBench(cases);
  add('simulator throughput vs the tiles-only replay', formatSimThroughputBench(sims));
  for (const r of sims) {
    ratios.push({ name: `sim ${r.name} / replay (cpu)`, value: r.ceilingRatioCpu, better: 'higher', note: 'median of 3 alternating runs each side' });
    ratios.push({ name: `sim ${r.name} first run / replay (cpu)`, value: r.firstCeilingRatioCpu, better: 'higher' });
  }

  const modes = runModeCompareBench();
  add('push vs push-hnsw vs pull', formatModeCompareBench(modes));
  for (const m of modes.slice(1)) {
    ratios.push({ name: `${m.mode} bytes/push`, value: m.bytesPerQuery / modes[0]!.bytesPerQuery, better: 'lower' });
    ratios.push({ name: `${m.mode} p50 latency/push`, value: m.latencyUsP50 / modes[0]!.latencyUsP50, better: 'lower' });
  }

  // Two CLI runs in child processes (16,384 and 1,024 tiles): ~22 s of CPU, measured.
  const large = runLargeArrayBench({ ...LARGE_ARRAY_DEFAULTS, ...(quick ? { queries: 2 } : {}) });
  add('large array: 16,384 tiles on 128x128 against 1,024', formatLargeArrayBench(large));

  const seconds = watch.elapsedMs() / 1000;
  const results = { quick, seconds, kernels, native, fuel, sims, modes, large, ratios };
  writeAtomic(RESULTS_JSON, `${JSON.stringify(results, null, 2)}\n`);
  const table = ['| ratio | value | better |', '|---|---:|---|', ...ratios.map((r) => `| ${r.name} | ${r.value.toFixed(3)} | ${r.better}${r.note ? ` (${r.note})` : ''} |`)].join('\n');
  writeAtomic(RESULTS_MD, [`# npm run bench results`, '', `One run${quick ? ' (--quick)' : ''}, ${seconds.toFixed(0)} s of wall time; every figure beside what it is compared with, measured in the same run. Wall-clock figures on a shared machine vary with its load; the ratios are what \`--baseline\` compares.`, '', '## Ratios', '', table, '', ...sections, ''].join('\n'));
  console.log(`\nwrote ${RESULTS_MD} and ${RESULTS_JSON} (${seconds.toFixed(0)} s)`);
  if (baseline) {
    const report = compareWithBaseline(ratios, baseline.ratios, tolerance);
    console.log(report.lines.join('\n'));
    if (report.regressed) process.exitCode = 1;
  }
}

main();
