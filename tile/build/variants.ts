// The kernel builds made from the one wat/ source. `simd` and `scalar` are the tile
// kernels proper (the size budget applies to them); `-strict` adds window checks on every
// memory access, `-fuel` adds the execution budget counter. See docs/size-budget.md.
import type { Flavor } from './preprocess.ts';

export interface KernelVariant {
  name: string;
  flavor: Flavor;
  strict: boolean;
  fuel: boolean;
  budgeted: boolean;
}

export const KERNEL_VARIANTS: readonly KernelVariant[] = (['simd', 'scalar'] as const).flatMap((flavor) =>
  [
    { strict: false, fuel: false },
    { strict: true, fuel: false },
    { strict: false, fuel: true },
    { strict: true, fuel: true },
  ].map(({ strict, fuel }) => ({
    name: `${flavor}${strict ? '-strict' : ''}${fuel ? '-fuel' : ''}`,
    flavor,
    strict,
    fuel,
    budgeted: !strict && !fuel,
  })),
);

export function variantByName(name: string): KernelVariant {
  const v = KERNEL_VARIANTS.find((k) => k.name === name);
  if (!v) throw new Error(`unknown kernel build '${name}'; the builds are ${KERNEL_VARIANTS.map((k) => k.name).join(', ')}`);
  return v;
}
