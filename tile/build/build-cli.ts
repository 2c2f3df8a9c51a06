// `npm run build:kernel`: builds the kernel variants and prints one line per build.
import { buildKernel } from './build-kernel.ts';

try {
  const result = await buildKernel({ force: process.argv.includes('--force') });
  for (const r of result.reports) {
    const mark = r.budgeted ? (r.moduleBytes <= r.budgetBytes ? 'within budget' : 'OVER BUDGET') : 'instrumented, not budgeted';
    console.log(`kernel ${r.variant.padEnd(22)} ${String(r.moduleBytes).padStart(6)} B  (${mark})${result.rebuilt ? '' : ' [cached]'}`);
  }
} catch (err) {
  console.error(`cogsim: ${(err as Error).message}`);
  process.exit(1);
}
