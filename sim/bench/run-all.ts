// `npm run bench`: every benchmark in one process and one run, then one table of the
// figures and ratios. Timings never go in tests; they live here.
//
//   kernel distance    SIMD vs scalar vs TS reference, per 384-dim fp16 L2 distance
//   fuel overhead      simd-fuel / simd and scalar-fuel / scalar (issue #4 target < 1.3x)
//   sim throughput     push-mode messages and events per wall second at 16, 256, 1,024 tiles
//   event queue        the bare simulator loop on a synthetic workload, for reference
//   hnsw build         a small index build (run sim/bench/hnsw-build.ts alone for 20,000 x 384)
//
// Run: npm run bench   (or npx tsx sim/bench/run-all.ts [--quick])
import { measureEventThroughput } from './event-throughput.ts';
import { FUEL_OVERHEAD_TARGET, formatFuelOverheadBench, runFuelOverheadBench } from './fuel-overhead.ts';
import { formatHnswBuildBench, runHnswBuildBench } from './hnsw-build.ts';
import { formatKernelDistanceBench, runKernelDistanceBench } from './kernel-distance.ts';
import { formatSimThroughputBench, runSimThroughputBench, THROUGHPUT_CASES } from './sim-throughput.ts';

interface Row {
  benchmark: string;
  figure: string;
  ratio: string;
}

const fmt = (x: number, digits = 0): string => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function section(title: string, body: string): void {
  console.log(`\n${title}\n${body}`);
}

function main(): void {
  const quick = process.argv.includes('--quick');
  const reps = quick ? 2_000 : 20_000;
  const rows: Row[] = [];

  const kernel = runKernelDistanceBench({ reps });
  section('[1/5] kernel distance', formatKernelDistanceBench(kernel));
  rows.push({ benchmark: 'distance simd', figure: `${fmt(kernel.simdNsPerDistance, 1)} ns`, ratio: '1.00x' });
  rows.push({ benchmark: 'distance scalar', figure: `${fmt(kernel.scalarNsPerDistance, 1)} ns`, ratio: `${kernel.scalarOverSimd.toFixed(2)}x simd` });
  rows.push({ benchmark: 'distance TS reference', figure: `${fmt(kernel.referenceNsPerDistance, 1)} ns`, ratio: `${kernel.referenceOverSimd.toFixed(2)}x simd` });

  const fuel = runFuelOverheadBench({ reps });
  section('[2/5] fuel overhead', formatFuelOverheadBench(fuel));
  for (const p of fuel) {
    rows.push({ benchmark: `fuel ${p.fuel}`, figure: `${fmt(p.fuelNsPerDistance, 1)} ns`, ratio: `${p.ratio.toFixed(2)}x ${p.base}${p.ratio < FUEL_OVERHEAD_TARGET ? '' : ` (target < ${FUEL_OVERHEAD_TARGET}x)`}` });
  }

  const sims = runSimThroughputBench(quick ? THROUGHPUT_CASES.map((c) => ({ ...c, queries: Math.max(1, Math.floor(c.queries / 4)) })) : THROUGHPUT_CASES);
  section('[3/5] simulator throughput', formatSimThroughputBench(sims));
  for (const r of sims) {
    rows.push({ benchmark: `sim ${r.tiles} tiles msgs/s`, figure: fmt(r.messagesPerSecond), ratio: `${(r.messagesPerSecond / sims[0]!.messagesPerSecond).toFixed(2)}x ${sims[0]!.tiles} tiles` });
    rows.push({ benchmark: `sim ${r.tiles} tiles events/s`, figure: fmt(r.eventsPerSecond), ratio: `${(r.eventsPerSecond / sims[0]!.eventsPerSecond).toFixed(2)}x ${sims[0]!.tiles} tiles` });
  }

  const queue = measureEventThroughput(quick ? 200_000 : 2_000_000, 256, true);
  section('[4/5] event queue (synthetic, traced, 256 chains)', `  ${fmt(queue.events)} events in ${fmt(queue.wallMs)} ms: ${fmt(queue.eventsPerSecond)} events/s`);
  rows.push({ benchmark: 'event queue events/s', figure: fmt(queue.eventsPerSecond), ratio: `${(queue.eventsPerSecond / sims[0]!.eventsPerSecond).toFixed(1)}x sim ${sims[0]!.tiles} tiles` });

  const hnsw = runHnswBuildBench({ n: quick ? 500 : 2_000 });
  section('[5/5] hnsw build (small; run sim/bench/hnsw-build.ts for 20,000 x 384)', formatHnswBuildBench(hnsw));
  rows.push({ benchmark: `hnsw build ${fmt(hnsw.n)} x ${hnsw.dim}`, figure: `${hnsw.seconds.toFixed(2)} s`, ratio: `${fmt(hnsw.vectorsPerSecond)} vectors/s` });

  const w0 = Math.max(...rows.map((r) => r.benchmark.length));
  const w1 = Math.max(...rows.map((r) => r.figure.length));
  console.log(`\nsummary\n  ${'benchmark'.padEnd(w0)}  ${'figure'.padStart(w1)}  ratio`);
  for (const r of rows) console.log(`  ${r.benchmark.padEnd(w0)}  ${r.figure.padStart(w1)}  ${r.ratio}`);
}

main();
