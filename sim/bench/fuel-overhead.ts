// Cost of the instrumentation every simulated run executes (tile/build/binary-instrument.ts:
// the fuel watchdog, the window checks, and both): the kernel distance benchmark on each
// instrumented build against its plain twin. Issue #4's target for fuel is under 1.3x. Builds are timed alternately over
// several rounds and each keeps its best round, so a noisy neighbour on the machine
// inflates neither side alone. Wall time is read only in the benchmark, never in sim code.
//
// Run: npx tsx sim/bench/fuel-overhead.ts [--reps N]
import { kernelNsPerDistance } from './kernel-distance.ts';

export interface FuelOverheadPair {
  base: string;
  fuel: string;
  baseNsPerDistance: number;
  fuelNsPerDistance: number;
  /** fuel / base; 1.0 means free. */
  ratio: number;
}

export const FUEL_OVERHEAD_TARGET = 1.3;

export function runFuelOverheadBench(opts: { reps?: number; rounds?: number } = {}): FuelOverheadPair[] {
  const reps = opts.reps ?? 20_000;
  const rounds = opts.rounds ?? 3;
  return (['simd', 'scalar'] as const).flatMap((f) => [`${f}-fuel`, `${f}-strict`, `${f}-strict-fuel`].map((v) => [f, v])).map(([base, fuel]) => {
    let baseNs = Infinity;
    let fuelNs = Infinity;
    for (let r = 0; r < rounds; r++) {
      baseNs = Math.min(baseNs, kernelNsPerDistance(base!, { reps }));
      fuelNs = Math.min(fuelNs, kernelNsPerDistance(fuel!, { reps }));
    }
    return { base: base!, fuel: fuel!, baseNsPerDistance: baseNs, fuelNsPerDistance: fuelNs, ratio: fuelNs / baseNs };
  });
}

export function formatFuelOverheadBench(pairs: FuelOverheadPair[]): string {
  return [
    `instrumentation overhead: 384-dim fp16 L2 distance, instrumented build vs the plain build (fuel target < ${FUEL_OVERHEAD_TARGET}x)`,
    ...pairs.map(
      (p) =>
        `  ${p.fuel.padEnd(18)} ${p.fuelNsPerDistance.toFixed(1).padStart(8)} ns  vs ${p.base.padEnd(7)} ${p.baseNsPerDistance.toFixed(1).padStart(8)} ns   ${p.ratio.toFixed(2)}x ${p.ratio < FUEL_OVERHEAD_TARGET ? '(within target)' : '(OVER TARGET)'}`,
    ),
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const i = process.argv.indexOf('--reps');
  console.log(formatFuelOverheadBench(runFuelOverheadBench(i >= 0 ? { reps: Number(process.argv[i + 1]) } : {})));
}
