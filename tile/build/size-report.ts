// Measures a built kernel from its bytes: whole module, code section, each function body.
import { functionBodies, readSections, type FunctionBody } from './wasm-sections.ts';
import type { KernelVariant } from './variants.ts';

export const CODE_BUDGET_BYTES = 8192;

export interface KernelSizeReport {
  variant: string;
  budgeted: boolean;
  moduleBytes: number;
  codeSectionBytes: number;
  sections: { name: string; bytes: number }[];
  functions: FunctionBody[];
}

export function measureKernel(variant: Pick<KernelVariant, 'name' | 'budgeted'>, bytes: Uint8Array, internalNames?: Map<number, string>): KernelSizeReport {
  const sections = readSections(bytes);
  const code = sections.find((s) => s.id === 10);
  return {
    variant: variant.name,
    budgeted: variant.budgeted,
    moduleBytes: bytes.length,
    codeSectionBytes: code?.bytes ?? 0,
    sections: sections.map((s) => ({ name: s.name, bytes: s.bytes })),
    functions: functionBodies(bytes, internalNames),
  };
}
