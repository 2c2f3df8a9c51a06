// Loads a built kernel and checks that it is a tile kernel before anything runs it:
// its only import is the tile's memory, it declares no memory of its own (so it cannot
// get more than 2 pages), and it fits the code budget when it is a budgeted build.
import { readFileSync } from 'node:fs';
import { wasmPath } from './build/paths.ts';
import { CODE_BUDGET_BYTES } from './build/size-report.ts';
import { variantByName } from './build/variants.ts';
import { readSections } from './build/wasm-sections.ts';

export class KernelRejectedError extends Error {
  constructor(kernel: string, reason: string) {
    super(`kernel ${kernel}: ${reason}`);
    this.name = 'KernelRejectedError';
  }
}

export interface LoadedKernel {
  variant: string;
  bytes: Uint8Array;
  module: WebAssembly.Module;
  hasFuel: boolean;
  hasStrict: boolean;
}

const cache = new Map<string, LoadedKernel>();

export function loadKernel(variant: string): LoadedKernel {
  const hit = cache.get(variant);
  if (hit) return hit;
  variantByName(variant);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(wasmPath(variant)));
  } catch {
    throw new KernelRejectedError(variant, `${wasmPath(variant)} is missing; run 'npm run build:kernel'`);
  }
  const loaded = compileKernel(variant, bytes, variantByName(variant).budgeted);
  cache.set(variant, loaded);
  return loaded;
}

export function compileKernel(name: string, bytes: Uint8Array, budgeted: boolean): LoadedKernel {
  const sections = readSections(bytes);
  if (budgeted && bytes.length > CODE_BUDGET_BYTES) {
    throw new KernelRejectedError(name, `module is ${bytes.length.toLocaleString('en-US')} B, a tile's code memory holds ${CODE_BUDGET_BYTES.toLocaleString('en-US')} B`);
  }
  if (sections.some((s) => s.id === 5)) throw new KernelRejectedError(name, 'declares its own memory; a tile kernel must import tile.memory');
  const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  const imports = WebAssembly.Module.imports(module);
  const foreign = imports.filter((i) => !(i.module === 'tile' && i.name === 'memory' && i.kind === 'memory'));
  if (foreign.length > 0 || imports.length !== 1) {
    throw new KernelRejectedError(name, `imports ${imports.map((i) => `${i.module}.${i.name}`).join(', ') || 'nothing'}; a tile kernel imports only tile.memory`);
  }
  const exportNames = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  return { variant: name, bytes, module, hasFuel: exportNames.has('rvf_fuel'), hasStrict: exportNames.has('rvf_mpu_fault') };
}
