// Signs a pack manifest: Ed25519 (pure, no pre-hash) over the canonical JSON of kernels.json,
// the same canonical bytes the per-build manifests sign (tile/manifest/canonical.ts). The
// signature travels detached, base64 in kernels.json.sig.
import { sign, type KeyObject } from 'node:crypto';
import { signedBytes } from '../manifest/canonical.ts';
import { base64, rawPublicKey } from '../manifest/keys.ts';
import { SIGNING_KEY_PREFIX, type KernelPack } from './pack-format.ts';

/** The author's signing_key for a private key: "ed25519:" + base64 of the raw public key. */
export function signingKeyField(privateKey: KeyObject): string {
  return `${SIGNING_KEY_PREFIX}${base64(rawPublicKey(privateKey))}`;
}

/** The bytes kernels.json.sig signs. */
export function packSignedBytes(manifest: KernelPack): Uint8Array {
  return signedBytes(manifest as unknown as Record<string, unknown>);
}

/** The detached signature (base64 text) of `manifest`, signed by `privateKey`. */
export function signPack(manifest: KernelPack, privateKey: KeyObject): string {
  return `${base64(sign(null, packSignedBytes(manifest), privateKey))}\n`;
}
