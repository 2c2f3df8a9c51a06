// Reads a kernel's .wasm and manifest from disk and verifies them (verify-kernel.ts), with
// errors that name the files. checkManifestMatches then compares the compiled module with
// what the manifest lists, so a manifest cannot describe a different kind of kernel.
import { readFileSync } from 'node:fs';
import { displayPath, KernelManifestError } from './manifest-error.ts';
import { parseManifestText, type KernelFeatures, type KernelManifest } from './manifest-format.ts';
import { instrumentationOf } from './sign-kernel.ts';
import type { TrustStore } from './trust-store.ts';
import { verifyKernel } from './verify-kernel.ts';

function readOrRefuse(path: string, kernel: string, what: string, hint: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new KernelManifestError(kernel, code === 'ENOENT' ? `${what} ${displayPath(path)} is missing${hint}` : `${what} ${displayPath(path)} cannot be read: ${(err as Error).message}`);
  }
}

/** `kernel` names it in messages until the manifest does; `hint` follows "is missing". */
export function readVerifiedKernel(wasmPath: string, manifestPath: string, trust: TrustStore, kernel: string, hint = ''): { bytes: Uint8Array; manifest: KernelManifest } {
  const bytes = new Uint8Array(readOrRefuse(wasmPath, kernel, 'kernel file', hint));
  const text = readOrRefuse(manifestPath, kernel, 'manifest', hint).toString('utf8');
  const manifest = verifyKernel(bytes, parseManifestText(text, kernel, displayPath(manifestPath)), trust, { kernel, wasmPath });
  return { bytes, manifest };
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The compiled module's exports (and so its instrumentation) must be the signed ones. */
export function checkManifestMatches(manifest: KernelManifest, moduleExports: readonly string[], kernel: string, expected?: KernelFeatures): void {
  const actual = [...moduleExports].sort();
  if (!same(actual, [...manifest.exports].sort())) {
    throw new KernelManifestError(kernel, `module exports ${actual.join(', ')}; its manifest lists ${manifest.exports.join(', ')}`);
  }
  const { strict, fuel } = instrumentationOf(actual);
  const f = manifest.features;
  if (f.strict !== strict || f.fuel !== fuel) {
    throw new KernelManifestError(kernel, `manifest features say strict ${f.strict}, fuel ${f.fuel}; the module's exports say strict ${strict}, fuel ${fuel}`);
  }
  if (expected && (f.simd !== expected.simd || f.strict !== expected.strict || f.fuel !== expected.fuel)) {
    throw new KernelManifestError(kernel, `manifest features are ${JSON.stringify(f)}, build ${kernel} is ${JSON.stringify(expected)}`);
  }
}
