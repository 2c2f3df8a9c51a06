// Turns the kernel sources in wat/ into one module text for one build variant.
//
// Two source features, both line based so the WAT stays readable:
//   ;;#if simd | ;;#if scalar   ...   ;;#else   ...   ;;#endif
//       selects the SIMD128 or the scalar body of a function from the same file.
//   ;;#if core | ;;#if hot      ...   ;;#else   ...   ;;#endif
//       selects what only one kernel image holds (the Core tile image, or the Hot image
//       chips load, docs/size-budget.md "Two images"). Conditions nest, so an image
//       condition and a flavor condition compose.
//   @NAME
//       is replaced with the constant NAME from wat/layout.ts or wat/status.ts, the
//       single source of truth for addresses and codes; an @IMG_* name takes the image's
//       value from layout.ts's IMAGE_LAYOUT (the query's address, the block region...).
import * as layout from '../../wat/layout.ts';
import { IMAGE_LAYOUT, type KernelImage } from '../../wat/layout.ts';
import * as status from '../../wat/status.ts';

export type Flavor = 'simd' | 'scalar';
export type { KernelImage };

export class WatPreprocessError extends Error {
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'WatPreprocessError';
  }
}

export function kernelConstants(image: KernelImage = 'core'): ReadonlyMap<string, number> {
  const table = new Map<string, number>();
  for (const source of [layout, status, IMAGE_LAYOUT[image]]) {
    for (const [name, value] of Object.entries(source)) {
      if (typeof value === 'number' && /^[A-Z][A-Z0-9_]*$/.test(name)) table.set(name, value);
    }
  }
  return table;
}

const CONDITIONS = ['simd', 'scalar', 'core', 'hot'];

export function preprocess(source: string, file: string, flavor: Flavor, image: KernelImage = 'core'): string {
  const constants = kernelConstants(image);
  const out: string[] = [];
  // Each open #if pushes whether its branch is active; a line is kept when all are.
  const stack: { active: boolean; sawElse: boolean; line: number }[] = [];
  const lines = source.split('\n');
  lines.forEach((text, index) => {
    const lineNo = index + 1;
    const directive = /^\s*;;#(if|else|endif)\b\s*(\w*)/.exec(text);
    if (directive) {
      const [, word, arg] = directive;
      if (word === 'if') {
        if (!CONDITIONS.includes(arg!)) {
          throw new WatPreprocessError(file, lineNo, `#if takes ${CONDITIONS.join(', ')}, got '${arg}'`);
        }
        stack.push({ active: arg === flavor || arg === image, sawElse: false, line: lineNo });
      } else if (word === 'else') {
        const top = stack[stack.length - 1];
        if (!top || top.sawElse) throw new WatPreprocessError(file, lineNo, '#else without #if');
        top.active = !top.active;
        top.sawElse = true;
      } else {
        if (!stack.pop()) throw new WatPreprocessError(file, lineNo, '#endif without #if');
      }
      out.push('');
      return;
    }
    if (stack.some((s) => !s.active)) {
      out.push('');
      return;
    }
    out.push(
      text.replace(/@([A-Z][A-Z0-9_]*)/g, (_m, name: string) => {
        const value = constants.get(name);
        if (value === undefined) {
          throw new WatPreprocessError(file, lineNo, `@${name} is not defined in wat/layout.ts (IMAGE_LAYOUT for @IMG_*) or wat/status.ts`);
        }
        return String(value);
      }),
    );
  });
  const open = stack[stack.length - 1];
  if (open) throw new WatPreprocessError(file, open.line, '#if without #endif');
  return out.join('\n');
}
