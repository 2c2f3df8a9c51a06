// Measures a built kernel from its bytes: whole module, code section, each function body.
import { functionBodies, readSections, type FunctionBody } from './wasm-sections.ts';
import type { KernelImage } from '../../wat/layout.ts';
import type { KernelVariant } from './variants.ts';

/** A tile's code memory (spec section 2): the Core image's budget. */
export const CODE_BUDGET_BYTES = 8192;

/**
 * Each image's budget (docs/size-budget.md "Two images"). The Hot image runs on a chip's
 * tiles, and a chip tile is still a Cognitum tile with 8 KB of code memory (spec section 5
 * lists the chip's features, not a larger code memory), so it has the same 8,192 B.
 */
export const IMAGE_BUDGET_BYTES: Readonly<Record<KernelImage, number>> = { core: CODE_BUDGET_BYTES, hot: CODE_BUDGET_BYTES };

export interface KernelSizeReport {
  variant: string;
  image: KernelImage;
  budgeted: boolean;
  /** The image's code budget (IMAGE_BUDGET_BYTES); applies when `budgeted`. */
  budgetBytes: number;
  moduleBytes: number;
  codeSectionBytes: number;
  sections: { name: string; bytes: number }[];
  functions: FunctionBody[];
}

export function measureKernel(variant: Pick<KernelVariant, 'name' | 'budgeted'> & { image?: KernelImage }, bytes: Uint8Array, internalNames?: Map<number, string>): KernelSizeReport {
  const sections = readSections(bytes);
  const code = sections.find((s) => s.id === 10);
  const image = variant.image ?? 'core';
  return {
    variant: variant.name,
    image,
    budgeted: variant.budgeted,
    budgetBytes: IMAGE_BUDGET_BYTES[image],
    moduleBytes: bytes.length,
    codeSectionBytes: code?.bytes ?? 0,
    sections: sections.map((s) => ({ name: s.name, bytes: s.bytes })),
    functions: functionBodies(bytes, internalNames),
  };
}
