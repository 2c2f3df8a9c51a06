// `cogsim budget`: each budgeted kernel build's functions against spec section 7, the
// whole module against the 8,192 B code budget; exit 1 when a build is over.
import type { Command } from 'commander';
import { buildKernel } from '../../tile/build/build-kernel.ts';
import { budgetFor, formatBudget } from '../../tile/budget/budget-table.ts';

export function registerBudget(program: Command): void {
  program
    .command('budget')
    .description('measure the kernel builds against the 8,192 B code budget and spec section 7')
    .option('--json', 'print machine-readable JSON')
    .option('--all', 'also list the instrumented builds (strict, fuel), which are not budgeted')
    .action(async (opts: { json?: boolean; all?: boolean }) => {
      const result = await buildKernel();
      const shown = result.reports.filter((r) => r.budgeted || opts.all);
      const budgets = shown.map(budgetFor);
      const gated = budgets.filter((_, i) => shown[i]!.budgeted);
      // A build over 8 KB cannot be loaded on a tile; one missing an export is not a kernel.
      const over = gated.filter((b) => !b.withinBudget).map((b) => b.variant);
      const incomplete = gated.filter((b) => b.missingExports.length > 0).map((b) => b.variant);
      if (opts.json) {
        console.log(JSON.stringify({ budgets, overBudget: over, incomplete }, null, 2));
      } else {
        console.log(budgets.map(formatBudget).join('\n\n'));
        if (over.length > 0) console.log(`\nOVER BUDGET: ${over.join(', ')}`);
        if (incomplete.length > 0) console.log(`\nINCOMPLETE (missing exports): ${incomplete.join(', ')}`);
        if (over.length + incomplete.length === 0) console.log('\nall budgeted builds fit the 8,192 B code budget and export every function');
      }
      if (over.length + incomplete.length > 0) process.exitCode = 1;
    });
}
