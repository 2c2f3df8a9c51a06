// `cogsim budget [FILE.wasm | FILE.wat]`: without a file, each budgeted kernel build's
// functions against spec section 7 and the whole module against its image's code budget
// (Core and Hot, 8,192 B each: docs/size-budget.md "Two images").
// With a file, any kernel: per-function and per-section bytes, the rules a tile enforces,
// the verdict; `--diff OLD` function by function. Exit 1 when a kernel is over budget or
// breaks a rule, 2 when the file cannot be read or built.
import { basename } from 'node:path';
import type { Command } from 'commander';
import { buildKernel } from '../../tile/build/build-kernel.ts';
import { budgetFor, formatBudget } from '../../tile/budget/budget-table.ts';
import { diffBudgets, fileBudget, formatBudgetDiff, formatFileBudget, KernelFileError, type FileBudget } from '../../tile/budget/file-budget.ts';
import { IMAGE_BUDGET_BYTES } from '../../tile/build/size-report.ts';
import { CliError } from './cli-error.ts';
import { readFileOrRefuse } from './sign-kernel-command.ts';

interface BudgetFlags {
  json?: boolean;
  all?: boolean;
  diff?: string;
  scalar?: boolean;
}

export interface KernelInput {
  name: string;
  /** A .wasm as given (custom sections allowed), or a built .wat stripped. */
  bytes: Uint8Array;
  /** Function names a .wat build read before stripping. */
  names?: Map<number, string>;
}

/** A .wasm as given, or a .wat built by the project's pipeline first (tile/build/user-kernel.ts). */
export async function kernelInput(path: string, flavor: 'simd' | 'scalar', what = 'kernel file', image: 'core' | 'hot' = 'core'): Promise<KernelInput> {
  const name = basename(path).replace(/\.(wasm|wat)$/, '');
  try {
    if (path.endsWith('.wat')) {
      const { buildUserWat } = await import('../../tile/build/user-kernel.ts');
      const built = await buildUserWat(readFileOrRefuse(path, what).toString('utf8'), path, flavor, image);
      return { name, bytes: built.plain, names: built.names };
    }
    if (!path.endsWith('.wasm')) throw new CliError(`${what} ${path}: expected a .wasm or .wat file`);
    return { name, bytes: new Uint8Array(readFileOrRefuse(path, what)) };
  } catch (err) {
    throw asCliError(err, `${what} ${path}`);
  }
}

/** A kernel that does not parse, assemble or validate is the author's input to fix: exit 2. */
function asCliError(err: unknown, context: string): unknown {
  if (err instanceof CliError) return err;
  const known = err instanceof KernelFileError || ['WatPreprocessError', 'WatSyntaxError', 'KernelAssembleError', 'WasmFormatError'].includes((err as Error).name);
  return known ? new CliError(`${context}: ${(err as Error).message}`) : err;
}

export async function kernelBudgetOf(path: string, flavor: 'simd' | 'scalar', what = 'kernel file'): Promise<FileBudget> {
  const input = await kernelInput(path, flavor, what);
  try {
    return fileBudget(input.name, input.bytes, input.names);
  } catch (err) {
    throw asCliError(err, `${what} ${path}`);
  }
}

function imageBudgets(): string {
  return Object.entries(IMAGE_BUDGET_BYTES).map(([image, bytes]) => `${image === 'core' ? 'Core' : 'Hot'} ${bytes.toLocaleString('en-US')} B`).join(', ');
}

async function budgetOfBuilds(opts: BudgetFlags): Promise<void> {
  const result = await buildKernel();
  const shown = result.reports.filter((r) => r.budgeted || opts.all);
  const budgets = shown.map(budgetFor);
  const gated = budgets.filter((_, i) => shown[i]!.budgeted);
  // A build over its image's budget cannot be loaded on a tile; one missing an export is not a kernel.
  const over = gated.filter((b) => !b.withinBudget).map((b) => b.variant);
  const incomplete = gated.filter((b) => b.missingExports.length > 0).map((b) => b.variant);
  if (opts.json) {
    console.log(JSON.stringify({ budgets, overBudget: over, incomplete }, null, 2));
  } else {
    console.log(budgets.map(formatBudget).join('\n\n'));
    if (over.length > 0) console.log(`\nOVER BUDGET: ${over.join(', ')}`);
    if (incomplete.length > 0) console.log(`\nINCOMPLETE (missing exports): ${incomplete.join(', ')}`);
    if (over.length + incomplete.length === 0) console.log(`\nall budgeted builds fit their image's code budget (${imageBudgets()}) and export every function`);
  }
  if (over.length + incomplete.length > 0) process.exitCode = 1;
}

async function budgetOfFile(file: string, opts: BudgetFlags): Promise<void> {
  const flavor = opts.scalar ? 'scalar' : 'simd';
  const current = await kernelBudgetOf(file, flavor);
  const diff = opts.diff ? diffBudgets(await kernelBudgetOf(opts.diff, flavor, '--diff'), current) : undefined;
  if (opts.json) {
    const { report, bodyDigests: _digests, ...rest } = current;
    console.log(JSON.stringify({ ...rest, sections: report.sections, functions: report.functions, ...(diff ? { diff } : {}) }, null, 2));
  } else {
    console.log(formatFileBudget(current));
    if (diff) console.log(`\n${formatBudgetDiff(diff)}`);
  }
  if (!current.ok) process.exitCode = 1;
}

export function registerBudget(program: Command): void {
  program
    .command('budget')
    .description('measure a kernel against the 8,192 B code budget, spec section 7 and the rules a tile enforces: the project builds, or FILE (.wasm, or .wat built first)')
    .argument('[file]', 'a kernel .wasm, or a .wat built by the project pipeline (layout substitution, wabt, binaryen -Oz)')
    .option('--diff <old>', 'compare with an older kernel (.wasm or .wat), function by function')
    .option('--scalar', 'build a .wat as the scalar flavor (;;#if scalar); default simd')
    .option('--json', 'print machine-readable JSON')
    .option('--all', 'also list the instrumented builds (strict, fuel), which are not budgeted')
    .action(async (file: string | undefined, opts: BudgetFlags) => {
      if (!file) {
        if (opts.diff) throw new CliError(`--diff ${opts.diff} needs a kernel file to compare with it`);
        return budgetOfBuilds(opts);
      }
      return budgetOfFile(file, opts);
    });
}
