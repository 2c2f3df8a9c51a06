// A kernel author's WAT through the project's own pipeline: layout substitution and
// `;;#if simd|scalar` (preprocess.ts), wabt, binaryen -Oz (assemble.ts), the name section
// read and then stripped, and on request the instrumented twin (binary-instrument.ts).
// The file is either a whole `(module ...)` or module fields like the files in wat/ (then
// it gets the tile's memory import, as the project's kernel does).
import { assembleWat } from './assemble.ts';
import { preprocess, type Flavor, type KernelImage } from './preprocess.ts';
import { nameSectionFunctionNames, stripCustomSections } from './wasm-sections.ts';

export interface UserKernelBuild {
  /** What the tile's code memory holds: optimized, custom sections stripped. */
  plain: Uint8Array;
  /** Function names by index, from the name section before it was stripped. */
  names: Map<number, string>;
}

/** Wraps bare module fields in a module; same line, so wabt's line numbers stay the file's. */
export function asModule(text: string): string {
  const firstForm = /^\s*(?:;;[^\n]*\n\s*|\(;[\s\S]*?;\)\s*)*\(\s*module\b/.test(text);
  return firstForm ? text : `(module (import "tile" "memory" (memory 2 2)) ${text}\n)`;
}

export async function buildUserWat(text: string, file: string, flavor: Flavor, image: KernelImage = 'core'): Promise<UserKernelBuild> {
  const source = asModule(preprocess(text, file, flavor, image));
  const named = await assembleWat(source, { variant: file.replace(/\.wat$/, ''), simd: flavor === 'simd', optimize: true });
  return { plain: stripCustomSections(named), names: nameSectionFunctionNames(named) };
}
