// Verifies a kernel against its manifest and a trust store, in this order: the manifest's
// shape, that its signer is trusted, that the signature covers its fields, then that the
// .wasm is the one it describes (length, SHA-256). The first failure throws a
// KernelManifestError naming the kernel, what failed and the values.
import { verify } from 'node:crypto';
import { signedBytes } from './canonical.ts';
import { decodeBase64Exact, keyIdOf, publicKeyFromRaw, RAW_PUBLIC_KEY_BYTES } from './keys.ts';
import { displayPath, KernelManifestError } from './manifest-error.ts';
import { checkManifest, SIGNATURE_BYTES, type KernelManifest } from './manifest-format.ts';
import { sha256Hex } from './sign-kernel.ts';
import type { TrustStore } from './trust-store.ts';

export interface VerifyContext {
  /** the kernel's name in messages (default: the manifest's kernel field) */
  kernel?: string;
  /** the .wasm's path in messages (default: the manifest's file field) */
  wasmPath?: string;
}

function short(hex: string): string {
  return `${hex.slice(0, 16)}…`;
}

export function verifyKernel(bytes: Uint8Array, manifest: unknown, trusted: TrustStore, ctx: VerifyContext = {}): KernelManifest {
  const named = (manifest as { kernel?: unknown } | null)?.kernel;
  const kernel = ctx.kernel ?? (typeof named === 'string' && named ? named : 'unnamed');
  const fail = (reason: string): never => {
    throw new KernelManifestError(kernel, reason);
  };
  const m = checkManifest(manifest, kernel);
  const raw = decodeBase64Exact(m.signerPublicKey, RAW_PUBLIC_KEY_BYTES)!;
  const rawId = keyIdOf(raw);
  if (rawId !== m.signerKeyId) fail(`manifest signerKeyId ${m.signerKeyId} is not the id of its signerPublicKey (${rawId})`);
  if (!trusted.keys.some((k) => k.publicKey === m.signerPublicKey)) fail(`signed by key ${m.signerKeyId}, which is not in ${trusted.source}`);
  const signature = decodeBase64Exact(m.signature, SIGNATURE_BYTES)!;
  if (!verify(null, signedBytes(m as unknown as Record<string, unknown>), publicKeyFromRaw(raw), signature)) {
    fail('signature does not verify (manifest fields were changed after signing)');
  }
  const wasm = displayPath(ctx.wasmPath ?? m.file);
  if (bytes.length !== m.bytes) fail(`${wasm} is ${bytes.length} B, its manifest says ${m.bytes} B (the file was changed after signing)`);
  const actual = sha256Hex(bytes);
  if (actual !== m.sha256) fail(`SHA-256 of ${wasm} is ${short(actual)}, its manifest says ${short(m.sha256)} (the file was changed after signing)`);
  return m;
}
