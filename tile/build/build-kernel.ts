// Builds every kernel variant into build/kernel/, with a size report: the Core image from
// wat/*.wat, the Hot image from wat/*.wat then wat/hot/*.wat (variants.ts).
// Skips the work when the sources and the build code are unchanged (content hash) and every
// build has a manifest signed by the current build key (docs/kernel-manifest.md).
import { createHash, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { writeAtomic } from '../atomic-write.ts';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { preprocess, type Flavor, type KernelImage } from './preprocess.ts';
import { parseSexprs, printSexprs, type SNode } from './sexpr.ts';
import { KERNEL_BUILD_DIR, KEYS_DIR, manifestPath, SIZE_REPORT_PATH, WAT_DIR, wasmPath } from './paths.ts';
import { ensureSigningKey } from '../manifest/build-key.ts';
import { rawPublicKey } from '../manifest/keys.ts';
import { signKernel } from '../manifest/sign-kernel.ts';
import { trustedKey } from '../manifest/trust-store.ts';
import { verifyKernel } from '../manifest/verify-kernel.ts';
import { measureKernel, type KernelSizeReport } from './size-report.ts';
import { nameSectionFunctionNames, stripCustomSections } from './wasm-sections.ts';
import { imagePrefix, KERNEL_VARIANTS, type KernelVariant } from './variants.ts';


export interface KernelBuildResult {
  sourceHash: string;
  reports: KernelSizeReport[];
  rebuilt: boolean;
}

/** The Hot image's own sources: wat/hot/ (docs/kernel-authoring.md "Hot image"). */
export const HOT_WAT_SUBDIR = 'hot';

function watFiles(dir: string): { file: string; text: string }[] {
  const only = process.env.COGSIM_WAT_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.wat'))
    .filter((f) => !only || only.some((prefix) => f.startsWith(prefix)))
    .sort()
    .map((file) => ({ file: join(dir, file), text: readFileSync(join(dir, file), 'utf8') }));
}

/** An image's sources in module order: wat/*.wat sorted, then (Hot) wat/hot/*.wat sorted. */
export function kernelSources(dir = WAT_DIR, image: KernelImage = 'core'): { file: string; text: string }[] {
  return image === 'core' ? watFiles(dir) : [...watFiles(dir), ...watFiles(join(dir, HOT_WAT_SUBDIR))];
}

function sourceHash(sources: { file: string; text: string }[]): string {
  const h = createHash('sha256');
  const buildDir = dirname(fileURLToPath(import.meta.url));
  const inputs = [
    // Named by their path under wat/, so wat/hot/x.wat and wat/x.wat cannot stand for each other.
    ...sources.map(({ file, text }) => ({ file: file.slice(WAT_DIR.length + 1), text })),
    ...['layout.ts', 'status.ts'].map((f) => ({ file: f, text: readFileSync(join(WAT_DIR, f), 'utf8') })),
    ...[buildDir, join(buildDir, '..', 'manifest')].flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.ts'))
        .sort()
        .map((f) => ({ file: f, text: readFileSync(join(dir, f), 'utf8') })),
    ),
  ];
  for (const { file, text } of inputs) h.update(`${file.startsWith(`${HOT_WAT_SUBDIR}/`) ? file : file.split('/').pop()}\0${text}\0`);
  return h.digest('hex');
}

/**
 * The module text of one flavor: every wat/ file's fields inside one module. Each file is
 * parsed on its own first so an unbalanced parenthesis is reported with its file and line.
 */
export function moduleText(flavor: Flavor, sources = kernelSources(), image: KernelImage = 'core'): string {
  const fields: SNode[] = sources.flatMap(({ file, text }) => parseSexprs(preprocess(text, file, flavor, image), file));
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
  writeAtomic(manifestPath(variant.name), `${JSON.stringify(manifest, null, 2)}\n`);
}

export async function buildKernel(opts: { force?: boolean; quiet?: boolean } = {}): Promise<KernelBuildResult> {
  const sources = { core: kernelSources(WAT_DIR, 'core'), hot: kernelSources(WAT_DIR, 'hot') };
  const hash = sourceHash(sources.hot); // the Hot image's sources include every Core source
  const key = ensureSigningKey(KEYS_DIR);
  if (!opts.force && existsSync(SIZE_REPORT_PATH)) {
    const previous = JSON.parse(readFileSync(SIZE_REPORT_PATH, 'utf8')) as KernelBuildResult;
    const complete = KERNEL_VARIANTS.every((v) => existsSync(wasmPath(v.name)) && manifestCurrent(v, key));
    if (previous.sourceHash === hash && complete) return { ...previous, rebuilt: false };
  }
  // wabt and binaryen are large; load them only when there is something to build.
  const { assembleWat } = await import('./assemble.ts');
  mkdirSync(KERNEL_BUILD_DIR, { recursive: true });
  const { instrumentBinary } = await import('./binary-instrument.ts');
  const reports: KernelSizeReport[] = [];
  const plain = new Map<string, { bytes: Uint8Array; names: Map<number, string> }>();
  for (const variant of KERNEL_VARIANTS) {
    const plainName = `${imagePrefix(variant.image)}${variant.flavor}`;
    let built = plain.get(plainName);
    if (!built) {
      const text = moduleText(variant.flavor, sources[variant.image], variant.image);
      writeFileSync(join(KERNEL_BUILD_DIR, `${plainName}.wat`), text);
      const named = await assembleWat(text, { variant: plainName, simd: variant.flavor === 'simd', optimize: true });
      built = { bytes: stripCustomSections(named), names: nameSectionFunctionNames(named) };
      plain.set(plainName, built);
    }
    // The instrumented builds are the plain build's binary rewritten (binary-instrument.ts),
    // exactly what a user's --kernel-file gets, so both are checked the same way.
    const bytes = variant.budgeted ? built.bytes : instrumentBinary(variant.name, built.bytes, { strict: variant.strict, fuel: variant.fuel });
    writeAtomic(wasmPath(variant.name), bytes);
    writeManifest(variant, bytes, key);
    reports.push(measureKernel(variant, bytes, variant.budgeted ? built.names : new Map()));
  }
  const result: KernelBuildResult = { sourceHash: hash, reports, rebuilt: true };
  writeFileSync(SIZE_REPORT_PATH, JSON.stringify(result, null, 2));
  return result;
}
