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
import { checkedTwinOf, variantByName } from './build/variants.ts';
import type { KernelImage } from '../wat/layout.ts';
import { readSections } from './build/wasm-sections.ts';

export class KernelRejectedError extends Error {
  constructor(kernel: string, reason: string) {
    super(`kernel ${kernel}: ${reason}`);
    this.name = 'KernelRejectedError';
  }
}

export interface LoadedKernel {
  variant: string;
  /** Which image the bytes are (docs/size-budget.md "Two images"): a project build's, or 'core' for other bytes unless the caller says. */
  image: KernelImage;
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
  const loaded = withManifest(compileKernel(variant, bytes, build.budgeted, build.image), manifest, { simd: build.flavor === 'simd', strict: build.strict, fuel: build.fuel });
  cache.set(variant, loaded);
  return loaded;
}

function withManifest(loaded: LoadedKernel, manifest: KernelManifest, expected?: KernelManifest['features']): LoadedKernel {
  checkManifestMatches(manifest, WebAssembly.Module.exports(loaded.module).map((e) => e.name), loaded.variant, expected);
  return { ...loaded, manifest };
}

/**
 * A kernel someone built: verified against `trust` before it is compiled, never cached (the
 * file may change between runs). Its size budget is measured on the bytes given, whatever
 * the manifest says: those bytes stand for the silicon; the checks a run adds (the MPU and
 * the watchdog, tile/checked-kernel.ts) are not part of them.
 */
export function loadKernelFrom(wasmFile: string, manifestFile: string, trust: TrustStore): LoadedKernel {
  const name = wasmFile.split('/').pop()!.replace(/\.wasm$/, '');
  const { bytes, manifest } = readVerifiedKernel(wasmFile, manifestFile, trust, name);
  return withManifest(compileKernel(manifest.kernel, bytes, true), manifest);
}

/** What a run names as its kernel: a build by name, or a file with its manifest. */
export interface KernelChoice {
  kernel: string;
  kernelPath?: string;
  manifestPath?: string;
  /** key files (PEM or JSON) trusted on top of the default trust store */
  trustKeyPaths?: string[];
  /** Run the plain image, without the window checks and the watchdog. */
  unchecked?: boolean;
}

export function defaultManifestPath(wasmFile: string): string {
  return `${wasmFile.replace(/\.wasm$/, '')}.manifest.json`;
}

/** The verified image the user named, as given (what the budget measures). */
export function loadPlainKernel(choice: KernelChoice): LoadedKernel {
  if (!choice.kernelPath) return loadKernel(choice.kernel);
  let trust = readTrustStore(TRUST_STORE_PATH);
  for (const path of choice.trustKeyPaths ?? []) trust = withKeys(trust, readKeyFile(path), path);
  return loadKernelFrom(choice.kernelPath, choice.manifestPath ?? defaultManifestPath(choice.kernelPath), trust);
}

const checkedImages = new Map<string, LoadedKernel>();

/** The checked image of `plain`, made earlier by tile/checked-kernel.ts (keyed by the plain bytes). */
export function rememberCheckedImage(plain: LoadedKernel, checked: LoadedKernel): void {
  checkedImages.set(checkedKey(plain), checked);
}

function checkedKey(plain: LoadedKernel): string {
  return `${plain.variant}\0${plain.manifest?.sha256 ?? plain.bytes.length}`;
}

/**
 * What a run executes. By default the image with the tile's window checks and watchdog: for
 * a build, its prebuilt `<flavor>-strict-fuel` twin (`hot-<flavor>-strict-fuel` for a Hot build) (the same binary pass, made by the
 * build); for --kernel-file, the twin prepareCheckedKernel made from the user's bytes.
 * `unchecked`: the plain image.
 */
export function loadChosenKernel(choice: KernelChoice): LoadedKernel {
  const plain = loadPlainKernel(choice);
  if (choice.unchecked) return plain;
  if (!choice.kernelPath) return plain.hasStrict && plain.hasFuel ? plain : loadKernel(checkedTwinOf(choice.kernel));
  const checked = checkedImages.get(checkedKey(plain));
  if (!checked) throw new Error(`kernel ${plain.variant}: its checked image was not prepared (await prepareCheckedKernel first)`);
  return checked;
}

export function compileKernel(name: string, bytes: Uint8Array, budgeted: boolean, image: KernelImage = 'core'): LoadedKernel {
  const sections = readSections(bytes);
  // Custom sections (names, producers) are not code: the tile's memory holds the rest.
  const customBytes = sections.filter((s) => s.id === 0).reduce((n, s) => n + s.bytes, 0);
  if (budgeted && bytes.length - customBytes > CODE_BUDGET_BYTES) {
    const without = customBytes > 0 ? ' without its custom sections' : '';
    throw new KernelRejectedError(name, `module is ${(bytes.length - customBytes).toLocaleString('en-US')} B${without}, a tile's code memory holds ${CODE_BUDGET_BYTES.toLocaleString('en-US')} B`);
  }
  if (sections.some((s) => s.id === 5)) throw new KernelRejectedError(name, 'declares its own memory; a tile kernel must import tile.memory');
  const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  const imports = WebAssembly.Module.imports(module);
  const foreign = imports.filter((i) => !(i.module === 'tile' && i.name === 'memory' && i.kind === 'memory'));
  if (foreign.length > 0 || imports.length !== 1) {
    throw new KernelRejectedError(name, `imports ${imports.map((i) => `${i.module}.${i.name}`).join(', ') || 'nothing'}; a tile kernel imports only tile.memory`);
  }
  const exportNames = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  return { variant: name, image, bytes, module, hasFuel: exportNames.has('rvf_fuel_get') || exportNames.has('rvf_fuel'), hasStrict: exportNames.has('rvf_mpu_fault') };
}
