// Loads a built kernel and checks that it is a tile kernel before anything runs it:
// its only import is the tile's memory, it declares no memory of its own (so it cannot
// get more than 2 pages), and it fits the code budget when it is a budgeted build. Before
// that, loadKernel and loadKernelFrom verify its signed manifest against the trust store
// (docs/kernel-manifest.md); compileKernel takes raw bytes (tests, fault images).
import { manifestPath, TRUST_STORE_PATH, wasmPath } from './build/paths.ts';
import { KernelManifestError } from './manifest/manifest-error.ts';
import type { KernelManifest } from './manifest/manifest-format.ts';
import { checkManifestMatches, readVerifiedKernel } from './manifest/read-verified.ts';
import { readKeyFile, readTrustStore, withKeys, type TrustStore } from './manifest/trust-store.ts';
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
  /** The verified manifest (absent for raw bytes given to compileKernel). */
  manifest?: KernelManifest;
  /** A kernel pack's resource limits (tile/pack/): the instance's memory pages, the watchdog's budget. */
  limits?: { memoryPages: number; fuelPerMessage: number };
}

const cache = new Map<string, LoadedKernel>();

export function loadKernel(variant: string): LoadedKernel {
  const hit = cache.get(variant);
  if (hit) return hit;
  const build = variantByName(variant);
  const hint = "; run 'npm run build:kernel'";
  const { bytes, manifest } = readVerifiedKernel(wasmPath(variant), manifestPath(variant), readTrustStore(TRUST_STORE_PATH), variant, hint);
  // A validly signed manifest of another build (scalar-fuel renamed to simd) is refused too.
  if (manifest.kernel !== variant || manifest.file !== `${variant}.wasm`) {
    throw new KernelManifestError(variant, `manifest is for kernel ${manifest.kernel} (${manifest.file}), not ${variant} (${variant}.wasm)`);
  }
  const loaded = withManifest(compileKernel(variant, bytes, build.budgeted), manifest, { simd: build.flavor === 'simd', strict: build.strict, fuel: build.fuel });
  cache.set(variant, loaded);
  return loaded;
}

function withManifest(loaded: LoadedKernel, manifest: KernelManifest, expected?: KernelManifest['features']): LoadedKernel {
  checkManifestMatches(manifest, WebAssembly.Module.exports(loaded.module).map((e) => e.name), loaded.variant, expected);
  return { ...loaded, manifest };
}

/**
 * A kernel someone built: verified against `trust` before it is compiled, never cached (the
 * file may change between runs). Instrumented builds (strict or fuel) are not budgeted.
 */
export function loadKernelFrom(wasmFile: string, manifestFile: string, trust: TrustStore): LoadedKernel {
  const name = wasmFile.split('/').pop()!.replace(/\.wasm$/, '');
  const { bytes, manifest } = readVerifiedKernel(wasmFile, manifestFile, trust, name);
  const budgeted = !manifest.features.strict && !manifest.features.fuel;
  return withManifest(compileKernel(manifest.kernel, bytes, budgeted), manifest);
}

/** What a run names as its kernel: a build by name, or a file with its manifest. */
export interface KernelChoice {
  kernel: string;
  kernelPath?: string;
  manifestPath?: string;
  /** key files (PEM or JSON) trusted on top of the default trust store */
  trustKeyPaths?: string[];
}

export function defaultManifestPath(wasmFile: string): string {
  return `${wasmFile.replace(/\.wasm$/, '')}.manifest.json`;
}

export function loadChosenKernel(choice: KernelChoice): LoadedKernel {
  if (!choice.kernelPath) return loadKernel(choice.kernel);
  let trust = readTrustStore(TRUST_STORE_PATH);
  for (const path of choice.trustKeyPaths ?? []) trust = withKeys(trust, readKeyFile(path), path);
  return loadKernelFrom(choice.kernelPath, choice.manifestPath ?? defaultManifestPath(choice.kernelPath), trust);
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
  return { variant: name, bytes, module, hasFuel: exportNames.has('rvf_fuel_get') || exportNames.has('rvf_fuel'), hasStrict: exportNames.has('rvf_mpu_fault') };
}
