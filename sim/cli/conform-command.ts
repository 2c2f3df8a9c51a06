// `cogsim conform FILE.wasm [--against simd]`: the conformance fixture (tile/conformance and
// protocol/conformance) run against any kernel, on its checked image (window checks and
// watchdog), so a kernel that misbehaves fails a check instead of harming the host. With
// --against, the acceptance gate (acceptance-gate.ts) on simulated workloads. Exit 1 when
// a check fails, 2 when the file cannot be read or built.
import type { Command } from 'commander';
import { Prng } from '../../hub/prng.ts';
import { messageChecks } from '../../protocol/conformance/message-checks.ts';
import { paramsFlowChecks } from '../../protocol/conformance/params-flow-checks.ts';
import { hotChecks } from '../../protocol/conformance/hot-checks.ts';
import { pullChecks } from '../conformance/pull-checks.ts';
import { buildKernel } from '../../tile/build/build-kernel.ts';
import { KERNEL_VARIANTS } from '../../tile/build/variants.ts';
import { compileKernel, KernelRejectedError, type LoadedKernel } from '../../tile/kernel-module.ts';
import { formatConformance, runConformance, type ConformanceReport } from '../../tile/conformance/run-conformance.ts';
import { acceptanceGate, formatGate, type GateResult } from './acceptance-gate.ts';
import { kernelInput } from './budget-command.ts';
import { CliError } from './cli-error.ts';
import { checkKernelFile, collectPaths } from './kernel-file.ts';
import { oneOf, wholeNumber } from './options.ts';

interface ConformFlags {
  against?: string;
  manifest?: string;
  trustKey: string[];
  scalar?: boolean;
  image: 'core' | 'hot';
  seed: number;
  json?: boolean;
}

const BASELINES = KERNEL_VARIANTS.filter((v) => v.budgeted && v.image === 'core').map((v) => v.name);

/** The kernel as the fixture runs it: the window checks and the watchdog written in. */
async function checkedImage(name: string, plain: Uint8Array, image: 'core' | 'hot'): Promise<LoadedKernel> {
  const { instrumentBinary } = await import('../../tile/build/binary-instrument.ts');
  compileKernel(name, plain, false, image); // the tile's import and memory rules, with their message
  return compileKernel(name, instrumentBinary(name, plain, { strict: true, fuel: true }), false, image);
}

async function gate(file: string, flags: ConformFlags): Promise<GateResult> {
  if (!file.endsWith('.wasm')) throw new CliError(`--against runs ${file} in simulated runs: give the .wasm that 'cogsim kernel build' signed`);
  const choice = { ...(flags.manifest ? { manifestPath: flags.manifest } : {}), ...(flags.trustKey.length > 0 ? { trustKeyPaths: flags.trustKey } : {}) };
  await checkKernelFile({ kernel: flags.against!, kernelPath: file, ...choice });
  return acceptanceGate(flags.against!, { kernelPath: file, ...choice }, (label) => process.stderr.write(`running ${label}\n`));
}

export function registerConform(program: Command): void {
  program
    .command('conform')
    .description('run the conformance fixture against a kernel (.wasm, or .wat built first): bit-exact distances and top-K, every message type, malformed input; --against for the acceptance gate')
    .argument('<file>', 'the kernel: .wasm, or .wat built by the project pipeline')
    .option('--against <build>', `also run the acceptance gate against a project build (${BASELINES.join(', ')})`, oneOf('--against', BASELINES))
    .option('--manifest <json>', "with --against: the kernel's signed manifest (default: beside it)")
    .option('--trust-key <file>', 'with --against: also trust this key; repeatable', collectPaths('--trust-key'), [])
    .option('--scalar', 'build a .wat as the scalar flavor')
    .option('--image <image>', 'the kernel image the file is: core, or hot (a .wat is built with ;;#if hot; the checks add the Hot image\'s: 1,024-dim fp16, query chunks)', oneOf('--image', ['core', 'hot']), 'core')
    .option('--seed <n>', 'seed of the random inputs', wholeNumber('--seed'), 1)
    .option('--json', 'print machine-readable JSON')
    .action(async (file: string, flags: ConformFlags) => {
      await buildKernel(); // the project builds the gate compares with
      const input = await kernelInput(file, flags.scalar ? 'scalar' : 'simd', 'kernel file', flags.image);
      let report: ConformanceReport;
      try {
        if (flags.against && flags.image !== 'core') throw new CliError(`--against compares Core images in simulated runs; --image ${flags.image} cannot be gated`);
        report = runConformance(await checkedImage(input.name, input.bytes, flags.image), () => new Prng(flags.seed).derive('conformance'), [messageChecks, paramsFlowChecks, pullChecks, hotChecks]);
      } catch (err) {
        if (err instanceof KernelRejectedError || (err as Error).name === 'InstrumentError') {
          // Not a tile kernel is the check failing (exit 1), not a bad flag (exit 2).
          console.error(`cogsim: ${file}: not a tile kernel: ${(err as Error).message}`.replace(/\s*\n\s*/g, ' '));
          process.exitCode = 1;
          return;
        }
        throw err;
      }
      const gateResult = flags.against && report.pass ? await gate(file, flags) : undefined;
      if (flags.json) console.log(JSON.stringify({ ...report, ...(gateResult ? { gate: gateResult } : {}) }, null, 2));
      else {
        console.log(formatConformance(report));
        if (flags.against && !report.pass) console.log(`\nacceptance gate skipped: only a conformant kernel can be preferred over ${flags.against}`);
        if (gateResult) console.log(`\n${formatGate(gateResult)}`);
      }
      if (!report.pass) process.exitCode = 1;
    });
}
