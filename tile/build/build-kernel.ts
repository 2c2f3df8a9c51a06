// Builds every kernel variant from wat/*.wat into build/kernel/, with a size report.
// Skips the work when the sources and the build code are unchanged (content hash) and every
// build has a manifest signed by the current build key (docs/kernel-manifest.md).
import { createHash, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { moduleFunctions } from './fuel-local.ts';
import { instrumentationRuntime, instrumentModule } from './instrument.ts';
import { preprocess } from './preprocess.ts';
import { parseSexprs, printSexprs, type SNode } from './sexpr.ts';
import { KERNEL_BUILD_DIR, KEYS_DIR, manifestPath, SIZE_REPORT_PATH, WAT_DIR, wasmPath } from './paths.ts';
import { ensureSigningKey } from '../manifest/build-key.ts';
import { rawPublicKey } from '../manifest/keys.ts';
import { signKernel } from '../manifest/sign-kernel.ts';
import { trustedKey } from '../manifest/trust-store.ts';
import { verifyKernel } from '../manifest/verify-kernel.ts';
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
    ...[buildDir, join(buildDir, '..', 'manifest')].flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.ts'))
        .sort()
        .map((f) => ({ file: f, text: readFileSync(join(dir, f), 'utf8') })),
    ),
  ];
  for (const { file, text } of inputs) h.update(`${file.split('/').pop()}\0${text}\0`);
  return h.digest('hex');
}

/** The module text of one variant: every wat/ file's fields inside one module. */
export function moduleText(variant: KernelVariant, sources = kernelSources()): string {
  const fields: SNode[] = [];
  const parsed = sources.map(({ file, text }) => ({ file, nodes: parseSexprs(preprocess(text, file, variant.flavor), file) }));
  const fns = moduleFunctions(parsed.flatMap((p) => p.nodes));
  for (const { file, nodes } of parsed) fields.push(...instrumentModule(nodes, { strict: variant.strict, fuel: variant.fuel }, file, fns));
  fields.push(...instrumentationRuntime({ strict: variant.strict, fuel: variant.fuel }));
  return `(module\n(import "tile" "memory" (memory 2 2))\n${printSexprs(fields)})\n`;
}

/** True when the build's manifest is there, signed by `key`, and describes its .wasm. */
function manifestCurrent(variant: KernelVariant, key: KeyObject): boolean {
  try {
    const manifest: unknown = JSON.parse(readFileSync(manifestPath(variant.name), 'utf8'));
    const trust = { source: 'the build key', keys: [trustedKey(rawPublicKey(key))] };
    const m = verifyKernel(new Uint8Array(readFileSync(wasmPath(variant.name))), manifest, trust);
    const f = m.features;
    return m.kernel === variant.name && f.simd === (variant.flavor === 'simd') && f.strict === variant.strict && f.fuel === variant.fuel;
  } catch {
    return false;
  }
}

function writeManifest(variant: KernelVariant, bytes: Uint8Array, key: KeyObject): void {
  const manifest = signKernel(bytes, { kernel: variant.name, file: `${variant.name}.wasm`, simd: variant.flavor === 'simd' }, key);
  const tmp = `${manifestPath(variant.name)}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(tmp, manifestPath(variant.name)); // a loading tile never sees half a manifest
}

export async function buildKernel(opts: { force?: boolean; quiet?: boolean } = {}): Promise<KernelBuildResult> {
  const sources = kernelSources();
  const hash = sourceHash(sources);
  const key = ensureSigningKey(KEYS_DIR);
  if (!opts.force && existsSync(SIZE_REPORT_PATH)) {
    const previous = JSON.parse(readFileSync(SIZE_REPORT_PATH, 'utf8')) as KernelBuildResult;
    const complete = KERNEL_VARIANTS.every((v) => existsSync(wasmPath(v.name)) && manifestCurrent(v, key));
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
    writeManifest(variant, bytes, key);
    reports.push(measureKernel(variant, bytes, nameSectionFunctionNames(named)));
  }
  const result: KernelBuildResult = { sourceHash: hash, reports, rebuilt: true };
  writeFileSync(SIZE_REPORT_PATH, JSON.stringify(result, null, 2));
  return result;
}
