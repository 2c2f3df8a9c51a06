// Ed25519 keys for kernel signing. A public key travels as base64 of its raw 32 bytes; its
// id is the first 16 hex digits of SHA-256 over those bytes. Private keys are PKCS#8 PEM.
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { KernelKeyError } from './manifest-error.ts';

export const RAW_PUBLIC_KEY_BYTES = 32;
export const KEY_ID_HEX_DIGITS = 16;

export function keyIdOf(rawPublicKey: Uint8Array): string {
  return createHash('sha256').update(rawPublicKey).digest('hex').slice(0, KEY_ID_HEX_DIGITS);
}

/** The raw 32 bytes of an Ed25519 key's public half (given the public or the private key). */
export function rawPublicKey(key: KeyObject): Uint8Array {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  if (pub.asymmetricKeyType !== 'ed25519') throw new KernelKeyError(`key is ${pub.asymmetricKeyType ?? pub.type}, kernel signing uses ed25519`);
  return new Uint8Array(Buffer.from(pub.export({ format: 'jwk' }).x!, 'base64url'));
}

export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

/** Decodes base64 that must hold exactly `bytes` bytes; null when it does not. */
export function decodeBase64Exact(text: string, bytes: number): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const raw = Buffer.from(text, 'base64');
  return raw.length === bytes ? new Uint8Array(raw) : null;
}

export function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/** An Ed25519 private key from PKCS#8 PEM text; `source` names the file in errors. */
export function privateKeyFromPem(pem: string, source: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new KernelKeyError(`${source} is not a PEM private key: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new KernelKeyError(`${source} holds an ${key.asymmetricKeyType} key, kernel signing uses ed25519`);
  return key;
}
