// The rules a tile enforces on any kernel before it runs it (tile/kernel-module.ts), as a
// checklist: the 8,192 B code budget, the tile memory as the only import, no memory of its
// own, and every export the spec lists (a kernel missing one cannot serve that message).
import { CODE_BUDGET_BYTES } from '../build/size-report.ts';
import { readSections } from '../build/wasm-sections.ts';
import { ALL_EXPORTS } from '../kernel-exports.ts';

export interface KernelRule {
  rule: string;
  ok: boolean;
  detail: string;
}

export function kernelRules(bytes: Uint8Array, module: WebAssembly.Module): KernelRule[] {
  const imports = WebAssembly.Module.imports(module);
  const foreign = imports.filter((i) => !(i.module === 'tile' && i.name === 'memory' && i.kind === 'memory'));
  const exports = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = ALL_EXPORTS.filter((name) => !exports.has(name));
  const n = (x: number) => x.toLocaleString('en-US');
  const ownMemory = readSections(bytes).some((s) => s.id === 5);
  return [
    { rule: `module at most ${n(CODE_BUDGET_BYTES)} B`, ok: bytes.length <= CODE_BUDGET_BYTES, detail: `${n(bytes.length)} B` },
    {
      rule: 'imports only tile.memory',
      ok: foreign.length === 0 && imports.length === 1,
      detail: imports.map((i) => `${i.module}.${i.name} (${i.kind})`).join(', ') || 'imports nothing',
    },
    { rule: 'declares no memory of its own', ok: !ownMemory, detail: ownMemory ? 'has a memory section' : 'none' },
    { rule: 'exports every spec function', ok: missing.length === 0, detail: missing.length === 0 ? `${ALL_EXPORTS.length} of ${ALL_EXPORTS.length}` : `missing ${missing.join(', ')}` },
  ];
}
