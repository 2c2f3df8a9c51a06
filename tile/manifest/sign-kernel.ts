// Signs a kernel: hashes the .wasm, lists its exports, and signs the canonical JSON of the
// manifest's fields with an Ed25519 private key.
import { createHash, sign, type KeyObject } from 'node:crypto';
import { signedBytes } from './canonical.ts';
import { base64, keyIdOf, rawPublicKey } from './keys.ts';
import { KernelManifestError } from './manifest-error.ts';
import { MANIFEST_FORMAT, type KernelManifest } from './manifest-format.ts';

export interface KernelSigningMeta {
  /** the kernel's name (a build's variant name, e.g. simd-strict) */
  kernel: string;
  /** the .wasm file name the manifest sits beside */
  file: string;
  /** built with SIMD; strict and fuel are read from the exports */
  simd: boolean;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function moduleExports(bytes: Uint8Array, kernel: string): string[] {
  try {
    return WebAssembly.Module.exports(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)).map((e) => e.name).sort();
  } catch (err) {
    throw new KernelManifestError(kernel, `is not a WebAssembly module: ${(err as Error).message}`);
  }
}

/** What the exports say about instrumentation, as the tile host reads it (tile-instance.ts). */
export function instrumentationOf(exports: readonly string[]): { strict: boolean; fuel: boolean } {
  return { strict: exports.includes('rvf_mpu_fault'), fuel: exports.includes('rvf_fuel_get') || exports.includes('rvf_fuel') };
}

export function signKernel(bytes: Uint8Array, meta: KernelSigningMeta, privateKey: KeyObject): KernelManifest {
  const exports = moduleExports(bytes, meta.kernel);
  const raw = rawPublicKey(privateKey);
  const fields: Omit<KernelManifest, 'signature'> = {
    format: MANIFEST_FORMAT,
    kernel: meta.kernel,
    file: meta.file,
    bytes: bytes.length,
    sha256: sha256Hex(bytes),
    exports,
    features: { simd: meta.simd, ...instrumentationOf(exports) },
    signerKeyId: keyIdOf(raw),
    signerPublicKey: base64(raw),
  };
  const signature = sign(null, signedBytes(fields), privateKey);
  return { ...fields, signature: base64(signature) };
}
