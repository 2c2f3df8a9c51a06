// Builds every kernel variant from wat/*.wat into build/kernel/, with a size report.
// Skips the work when the sources and the build code are unchanged (content hash).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { instrumentationRuntime, instrumentModule } from './instrument.ts';
import { preprocess } from './preprocess.ts';
import { parseSexprs, printSexprs, type SNode } from './sexpr.ts';
import { KERNEL_BUILD_DIR, SIZE_REPORT_PATH, WAT_DIR, wasmPath } from './paths.ts';
import { measureKernel, type KernelSizeReport } from './size-report.ts';
import { nameSectionFunctionNames, stripCustomSections } from './wasm-sections.ts';
import { KERNEL_VARIANTS, type KernelVariant } from './variants.ts';


export interface KernelBuildResult {
  sourceHash: string;
  reports: KernelSizeReport[];
  rebuilt: boolean;
}

export function kernelSources(dir = WAT_DIR): { file: string; text: string }[] {
  const only = process.env.COGSIM_WAT_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.wat'))
    .filter((f) => !only || only.some((prefix) => f.startsWith(prefix)))
    .sort()
    .map((file) => ({ file: join(dir, file), text: readFileSync(join(dir, file), 'utf8') }));
}

function sourceHash(sources: { file: string; text: string }[]): string {
  const h = createHash('sha256');
  const buildDir = dirname(fileURLToPath(import.meta.url));
  const inputs = [
    ...sources,
    ...['layout.ts', 'status.ts'].map((f) => ({ file: f, text: readFileSync(join(WAT_DIR, f), 'utf8') })),
    ...readdirSync(buildDir)
      .filter((f) => f.endsWith('.ts'))
      .sort()
      .map((f) => ({ file: f, text: readFileSync(join(buildDir, f), 'utf8') })),
  ];
  for (const { file, text } of inputs) h.update(`${file.split('/').pop()}\0${text}\0`);
  return h.digest('hex');
}

/** The module text of one variant: every wat/ file's fields inside one module. */
export function moduleText(variant: KernelVariant, sources = kernelSources()): string {
  const fields: SNode[] = [];
  for (const { file, text } of sources) {
    const nodes = parseSexprs(preprocess(text, file, variant.flavor), file);
    fields.push(...instrumentModule(nodes, { strict: variant.strict, fuel: variant.fuel }, file));
  }
  fields.push(...instrumentationRuntime({ strict: variant.strict, fuel: variant.fuel }));
  return `(module\n(import "tile" "memory" (memory 2 2))\n${printSexprs(fields)})\n`;
}

export async function buildKernel(opts: { force?: boolean; quiet?: boolean } = {}): Promise<KernelBuildResult> {
  const sources = kernelSources();
  const hash = sourceHash(sources);
  if (!opts.force && existsSync(SIZE_REPORT_PATH)) {
    const previous = JSON.parse(readFileSync(SIZE_REPORT_PATH, 'utf8')) as KernelBuildResult;
    const complete = KERNEL_VARIANTS.every((v) => existsSync(wasmPath(v.name)));
    if (previous.sourceHash === hash && complete) return { ...previous, rebuilt: false };
  }
  // wabt and binaryen are large; load them only when there is something to build.
  const { assembleWat } = await import('./assemble.ts');
  mkdirSync(KERNEL_BUILD_DIR, { recursive: true });
  const reports: KernelSizeReport[] = [];
  for (const variant of KERNEL_VARIANTS) {
    const text = moduleText(variant, sources);
    writeFileSync(join(KERNEL_BUILD_DIR, `${variant.name}.wat`), text);
    const named = await assembleWat(text, { variant: variant.name, simd: variant.flavor === 'simd', optimize: true });
    const bytes = stripCustomSections(named);
    writeFileSync(wasmPath(variant.name), bytes);
    reports.push(measureKernel(variant, bytes, nameSectionFunctionNames(named)));
  }
  const result: KernelBuildResult = { sourceHash: hash, reports, rebuilt: true };
  writeFileSync(SIZE_REPORT_PATH, JSON.stringify(result, null, 2));
  return result;
}
