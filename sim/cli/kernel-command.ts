// `cogsim kernel build my.wat [--simd|--scalar] --out dir`: a kernel author's WAT through
// the project's pipeline (layout substitution, wabt, binaryen -Oz, stripping), then the
// instrumented twin a run executes and a signed manifest, so `cogsim run --kernel-file`
// takes the result at once (docs/kernel-authoring.md). Outputs never replace the input:
// each is written to a temp file beside its target and renamed.
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { writeAtomic } from '../../tile/atomic-write.ts';
import { KEYS_DIR } from '../../tile/build/paths.ts';
import { ensureSigningKey } from '../../tile/manifest/build-key.ts';
import { privateKeyFromPem } from '../../tile/manifest/keys.ts';
import { signKernel } from '../../tile/manifest/sign-kernel.ts';
import { fileBudget, formatFileBudget } from '../../tile/budget/file-budget.ts';
import { kernelInput } from './budget-command.ts';
import { CliError } from './cli-error.ts';

interface KernelBuildFlags {
  out: string;
  scalar?: boolean;
  simd?: boolean;
  key?: string;
  name?: string;
}

async function buildCommand(wat: string, flags: KernelBuildFlags): Promise<void> {
  if (!wat.endsWith('.wat')) throw new CliError(`kernel build ${wat}: expected a .wat file`);
  if (flags.scalar && flags.simd) throw new CliError('--simd and --scalar exclude each other');
  const flavor = flags.scalar ? 'scalar' : 'simd';
  const name = flags.name ?? basename(wat).replace(/\.wat$/, '');
  const files = { plain: join(flags.out, `${name}.wasm`), manifest: join(flags.out, `${name}.manifest.json`), checked: join(flags.out, `${name}.checked.wasm`), key: join(flags.out, `${name}.pem`) };
  const inputs = [wat, ...(flags.key ? [flags.key] : [])];
  const clash = Object.values(files).find((f) => inputs.some((i) => resolve(f) === resolve(i)));
  if (clash) throw new CliError(`--out ${flags.out}: the output ${clash} would replace the input ${inputs.find((i) => resolve(i) === resolve(clash))}`);
  const { instrumentBinary } = await import('../../tile/build/binary-instrument.ts');
  const { bytes: plain, names } = await kernelInput(wat, flavor); // parses and builds (one-line errors)
  const budget = fileBudget(name, plain, names);
  const checked = instrumentBinary(name, plain, { strict: true, fuel: true });
  const key = flags.key ? privateKeyFromPem(readFileSync(flags.key, 'utf8'), flags.key) : ensureSigningKey(KEYS_DIR);
  const manifest = signKernel(plain, { kernel: name, file: `${name}.wasm`, simd: flavor === 'simd' }, key);
  mkdirSync(flags.out, { recursive: true });
  writeAtomic(files.plain, plain);
  writeAtomic(files.checked, checked);
  writeAtomic(files.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(formatFileBudget(budget));
  console.log(
    [
      '',
      `built ${wat} (${flavor}) -> ${files.plain} (${plain.length.toLocaleString('en-US')} B, what the budget measures)`,
      `  checked twin ${files.checked} (${checked.length.toLocaleString('en-US')} B: window checks and watchdog, what a run executes; not budgeted)`,
      `  manifest ${files.manifest}, signed by key ${manifest.signerKeyId}${flags.key ? ` (${flags.key}; trust it with --trust-key)` : ' (the build key, trusted by default)'}`,
      `next: cogsim conform ${files.plain}; cogsim run --kernel-file ${files.plain}`,
    ].join('\n'),
  );
  if (!budget.ok) process.exitCode = 1;
}

export function registerKernel(program: Command): void {
  const kernel = program.command('kernel').description('build your own kernel (docs/kernel-authoring.md)');
  kernel
    .command('build')
    .description('build a .wat with the project pipeline, write the plain .wasm, its checked twin and a signed manifest')
    .argument('<wat>', 'a whole (module ...) or module fields like wat/*.wat (@NAME constants, ;;#if simd|scalar)')
    .requiredOption('--out <dir>', 'directory for <name>.wasm, <name>.checked.wasm and <name>.manifest.json')
    .option('--simd', 'the SIMD flavor (default)')
    .option('--scalar', 'the scalar flavor (;;#if scalar, no v128)')
    .option('--name <kernel>', 'kernel name (default: the file name without .wat)')
    .option('--key <pem>', 'sign with this Ed25519 key instead of the build key')
    .action(buildCommand);
}
