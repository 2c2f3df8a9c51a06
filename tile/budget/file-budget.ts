// The budget report of any kernel binary (issue 18): per-function bytes (names from the name
// section, read before it is stripped), per-section bytes, the rules a tile enforces, the
// 8,192 B verdict and the missing exports; and a function-by-function diff of two kernels.
import { createHash } from 'node:crypto';
import { measureKernel, type KernelSizeReport } from '../build/size-report.ts';
import { nameSectionFunctionNames, stripCustomSections } from '../build/wasm-sections.ts';
import { budgetFor, formatBudget, type BuildBudget } from './budget-table.ts';
import { kernelRules, type KernelRule } from './kernel-rules.ts';

export interface FileBudget {
  kernel: string;
  report: KernelSizeReport;
  budget: BuildBudget;
  /** Custom sections in the file given, not counted (a tile holds code, not names). */
  customSectionBytes: number;
  rules: KernelRule[];
  /** Every rule holds: the kernel fits and a tile would run it. */
  ok: boolean;
  /** SHA-256 of each function body by index: a diff names a function that changed at the same size. */
  bodyDigests: Record<number, string>;
}

export class KernelFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelFileError';
  }
}

/** `bytes` as given (custom sections allowed); `names` when a build already read them. */
export function fileBudget(kernel: string, bytes: Uint8Array, names?: Map<number, string>): FileBudget {
  const plain = stripCustomSections(bytes);
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(plain as Uint8Array<ArrayBuffer>);
  } catch (err) {
    throw new KernelFileError(`${kernel} is not a valid WebAssembly module: ${(err as Error).message}`);
  }
  const report = measureKernel({ name: kernel, budgeted: true }, plain, names ?? nameSectionFunctionNames(bytes));
  const rules = kernelRules(plain, module);
  const bodyDigests = Object.fromEntries(report.functions.map((fn) => [fn.index, createHash('sha256').update(plain.subarray(fn.offset, fn.offset + fn.bodyBytes)).digest('hex')]));
  return { kernel, report, budget: budgetFor(report), customSectionBytes: bytes.length - plain.length, rules, ok: rules.every((r) => r.ok), bodyDigests };
}

export function formatFileBudget(f: FileBudget): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const sections = f.report.sections.map((s) => `${s.name} ${n(s.bytes)}`).join(', ');
  return [
    formatBudget(f.budget),
    `  sections: preamble 8, ${sections} = ${n(f.report.moduleBytes)} B${f.customSectionBytes > 0 ? ` (custom sections, ${n(f.customSectionBytes)} B in the file, not counted)` : ''}`,
    '  tile rules:',
    ...f.rules.map((r) => `    ${r.ok ? 'ok  ' : 'FAIL'}  ${r.rule.padEnd(32)} ${r.detail}`),
    `  verdict: ${f.ok ? 'a tile runs this kernel' : `a tile refuses this kernel (${f.rules.filter((r) => !r.ok).map((r) => r.rule).join('; ')})`}`,
  ].join('\n');
}

export interface FunctionDelta {
  name: string;
  oldBytes: number | null;
  newBytes: number | null;
  delta: number;
  /** The body's bytes differ (possibly at the same size). */
  changed: boolean;
}

export interface BudgetDiff {
  oldKernel: string;
  newKernel: string;
  moduleDelta: number;
  /** Functions that grew, shrank, appeared or disappeared, largest change first. */
  changed: FunctionDelta[];
  unchanged: number;
}

const unnamed = (name: string | undefined) => name === undefined || name.startsWith('(internal ');

/**
 * Functions matched by name (export name, or `$name` from the name section); a function
 * without a name on either side (a stripped build) is matched by its index.
 */
export function diffBudgets(older: FileBudget, newer: FileBudget): BudgetDiff {
  const oldFns = older.report.functions;
  const byName = new Map(oldFns.filter((fn) => !unnamed(fn.name)).map((fn) => [fn.name, fn]));
  const used = new Set<number>();
  const rows: FunctionDelta[] = [];
  for (const fn of newer.report.functions) {
    const atIndex = oldFns.find((o) => o.index === fn.index);
    const match = byName.get(fn.name) ?? (atIndex && (unnamed(fn.name) || unnamed(atIndex.name)) && !newer.report.functions.some((n) => n.name === atIndex.name && n !== fn) ? atIndex : undefined);
    if (match) used.add(match.index);
    const name = unnamed(fn.name) && match && !unnamed(match.name) ? match.name : fn.name;
    const changed = !match || older.bodyDigests[match.index] !== newer.bodyDigests[fn.index];
    rows.push({ name, oldBytes: match?.bodyBytes ?? null, newBytes: fn.bodyBytes, delta: fn.bodyBytes - (match?.bodyBytes ?? 0), changed });
  }
  for (const o of oldFns) if (!used.has(o.index)) rows.push({ name: o.name, oldBytes: o.bodyBytes, newBytes: null, delta: -o.bodyBytes, changed: true });
  const changed = rows.filter((r) => r.changed).sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || a.name.localeCompare(b.name));
  return { oldKernel: older.kernel, newKernel: newer.kernel, moduleDelta: newer.report.moduleBytes - older.report.moduleBytes, changed, unchanged: rows.length - changed.length };
}

export function formatBudgetDiff(d: BudgetDiff): string {
  const n = (x: number | null) => (x === null ? '-' : x.toLocaleString('en-US'));
  const signed = (x: number) => `${x > 0 ? '+' : ''}${x.toLocaleString('en-US')}`;
  const lines = [`diff ${d.oldKernel} -> ${d.newKernel}: whole module ${signed(d.moduleDelta)} B`, `  ${'function'.padEnd(28)} ${'old'.padStart(7)} ${'new'.padStart(7)} ${'change'.padStart(8)}`];
  for (const r of d.changed) {
    const note = r.oldBytes === null ? '  (new)' : r.newBytes === null ? '  (removed)' : r.delta === 0 ? '  (same size, other bytes)' : '';
    lines.push(`  ${r.name.padEnd(28)} ${n(r.oldBytes).padStart(7)} ${n(r.newBytes).padStart(7)} ${signed(r.delta).padStart(8)}${note}`);
  }
  lines.push(`  ${d.changed.length === 0 ? 'no function changed' : `${d.changed.length} functions changed`}, ${d.unchanged} unchanged`);
  return lines.join('\n');
}
