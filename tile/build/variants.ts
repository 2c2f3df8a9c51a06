// The kernel builds made from the one wat/ source. Two images (docs/size-budget.md "Two
// images"): the Core image every bare tile runs (wat/*.wat), and the Hot image chips load
// (wat/*.wat plus wat/hot/*.wat, with `;;#if hot`), each in two flavors. `simd` and `scalar`
// (`hot-simd`, `hot-scalar`) are the tile kernels proper (the size budget applies to them);
// `-strict` adds window checks on every memory access, `-fuel` adds the execution budget
// counter.
import type { KernelImage } from '../../wat/layout.ts';
import type { Flavor } from './preprocess.ts';

export interface KernelVariant {
  name: string;
  image: KernelImage;
  flavor: Flavor;
  strict: boolean;
  fuel: boolean;
  budgeted: boolean;
}

/** The name prefix of an image's builds: '' for Core (its names predate the Hot image), 'hot-'. */
export function imagePrefix(image: KernelImage): string {
  return image === 'core' ? '' : `${image}-`;
}

export const KERNEL_VARIANTS: readonly KernelVariant[] = (['core', 'hot'] as const).flatMap((image) =>
  (['simd', 'scalar'] as const).flatMap((flavor) =>
    [
      { strict: false, fuel: false },
      { strict: true, fuel: false },
      { strict: false, fuel: true },
      { strict: true, fuel: true },
    ].map(({ strict, fuel }) => ({
      name: `${imagePrefix(image)}${flavor}${strict ? '-strict' : ''}${fuel ? '-fuel' : ''}`,
      image,
      flavor,
      strict,
      fuel,
      budgeted: !strict && !fuel,
    })),
  ),
);

/** The Core image's builds: what `--kernel` names (a run on Hot data picks the Hot twin, hotTwinOf). */
export const CORE_VARIANTS: readonly KernelVariant[] = KERNEL_VARIANTS.filter((v) => v.image === 'core');

export function variantByName(name: string): KernelVariant {
  const v = KERNEL_VARIANTS.find((k) => k.name === name);
  if (!v) throw new Error(`unknown kernel build '${name}'; the builds are ${KERNEL_VARIANTS.map((k) => k.name).join(', ')}`);
  return v;
}

/** The build a run executes by default for `name`: the same image and flavor with the window checks and the watchdog. */
export function checkedTwinOf(name: string): string {
  const v = variantByName(name);
  return `${imagePrefix(v.image)}${v.flavor}-strict-fuel`;
}

/** The Hot image's build with the same flavor and instrumentation as the Core build `name`. */
export function hotTwinOf(name: string): string {
  const v = variantByName(name);
  return v.image === 'hot' ? v.name : `${imagePrefix('hot')}${v.name}`;
}
