// Turns a kernel size report into the budget table `cogsim budget` prints: each export
// against its spec estimate, internal functions against the utilities row, everything
// else (section headers, types, exports, imports) against the spec's "WASM overhead".
import type { KernelSizeReport } from '../build/size-report.ts';
import { HOT_ONLY_EXPORTS } from '../kernel-exports.ts';
import { INTERNAL_OWNERS, SPEC_ESTIMATE_BYTES, SPEC_OVERHEAD_BYTES, SPEC_TOTAL_ESTIMATE_BYTES, SPEC_UTILITY_BYTES } from './spec-estimates.ts';

export interface BudgetRow {
  name: string;
  /** The export's body plus the internal functions that do its work. */
  bytes: number;
  estimateBytes: number | null;
  /** Internal functions counted in this row. */
  includes: string[];
}

export interface BuildBudget {
  variant: string;
  image: KernelSizeReport['image'];
  rows: BudgetRow[];
  utilityBytes: number;
  overheadBytes: number;
  moduleBytes: number;
  codeSectionBytes: number;
  budgetBytes: number;
  specTotalEstimateBytes: number;
  missingExports: string[];
  withinBudget: boolean;
}

export function budgetFor(report: KernelSizeReport): BuildBudget {
  const exported = report.functions.filter((f) => f.exported);
  const rows: BudgetRow[] = exported.map((f) => ({ name: f.name, bytes: f.bodyBytes, estimateBytes: SPEC_ESTIMATE_BYTES[f.name] ?? null, includes: [] }));
  const utilities = [];
  for (const f of report.functions.filter((g) => !g.exported)) {
    const owner = INTERNAL_OWNERS.find((o) => o.pattern.test(f.name))?.owner;
    const row = owner === undefined ? undefined : rows.find((r) => r.name === owner);
    if (row) {
      row.bytes += f.bodyBytes;
      row.includes.push(f.name);
    } else {
      utilities.push(f);
    }
  }
  for (const f of utilities) rows.push({ name: f.name, bytes: f.bodyBytes, estimateBytes: null, includes: [] });
  const utilityBytes = utilities.reduce((n, f) => n + f.bodyBytes, 0);
  const bodies = report.functions.reduce((n, f) => n + f.bodyBytes, 0);
  return {
    variant: report.variant,
    image: report.image,
    rows,
    utilityBytes,
    overheadBytes: report.moduleBytes - bodies,
    moduleBytes: report.moduleBytes,
    codeSectionBytes: report.codeSectionBytes,
    budgetBytes: report.budgetBytes,
    specTotalEstimateBytes: SPEC_TOTAL_ESTIMATE_BYTES,
    missingExports: [...Object.keys(SPEC_ESTIMATE_BYTES), ...(report.image === 'hot' ? HOT_ONLY_EXPORTS : [])].filter((name) => !exported.some((f) => f.name === name)),
    withinBudget: report.moduleBytes <= report.budgetBytes,
  };
}

export function formatBudget(b: BuildBudget): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const lines = [`kernel build '${b.variant}' (${b.image === 'core' ? 'Core' : 'Hot'} image)`, `  ${'function'.padEnd(28)} ${'bytes'.padStart(7)} ${'spec est.'.padStart(10)}`];
  for (const r of b.rows) {
    const est = r.estimateBytes === null ? '' : n(r.estimateBytes);
    const flag = r.estimateBytes !== null && r.bytes > r.estimateBytes ? '  over estimate' : '';
    const incl = r.includes.length > 0 ? `  (with ${r.includes.join(', ')})` : '';
    lines.push(`  ${r.name.padEnd(28)} ${n(r.bytes).padStart(7)} ${est.padStart(10)}${flag}${incl}`);
  }
  lines.push(`  ${'utility functions (sum)'.padEnd(28)} ${n(b.utilityBytes).padStart(7)} ${n(SPEC_UTILITY_BYTES).padStart(10)}`);
  lines.push(`  ${'module overhead'.padEnd(28)} ${n(b.overheadBytes).padStart(7)} ${n(SPEC_OVERHEAD_BYTES).padStart(10)}`);
  lines.push(`  ${'whole module'.padEnd(28)} ${n(b.moduleBytes).padStart(7)} ${n(b.specTotalEstimateBytes).padStart(10)}`);
  lines.push(`  code section ${n(b.codeSectionBytes)} B; ${b.image === 'core' ? 'Core' : 'Hot'} image budget ${n(b.budgetBytes)} B: ${b.withinBudget ? `within budget (${n(b.budgetBytes - b.moduleBytes)} B spare)` : `OVER BUDGET by ${n(b.moduleBytes - b.budgetBytes)} B`}`);
  if (b.missingExports.length > 0) lines.push(`  missing exports: ${b.missingExports.join(', ')}`);
  return lines.join('\n');
}
