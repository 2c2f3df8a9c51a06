// The trust store: the public keys whose kernel signatures a tile host accepts. A JSON file
// { "format": "cogsim-trusted-kernel-keys/1", "keys": [{ keyId, publicKey, comment }] };
// users add their own keys to the list (or pass --trust-key). See docs/kernel-manifest.md.
import { createPublicKey } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { base64, decodeBase64Exact, keyIdOf, rawPublicKey, RAW_PUBLIC_KEY_BYTES } from './keys.ts';
import { displayPath, KernelKeyError } from './manifest-error.ts';

export const TRUST_STORE_FORMAT = 'cogsim-trusted-kernel-keys/1';

export interface TrustedKey {
  keyId: string;
  /** base64 of the raw 32-byte Ed25519 public key */
  publicKey: string;
  comment?: string;
}

export interface TrustStore {
  /** Where the keys came from, for messages: a path, or several joined with ' + '. */
  source: string;
  keys: TrustedKey[];
}

export function trustedKey(raw: Uint8Array, comment?: string): TrustedKey {
  return { keyId: keyIdOf(raw), publicKey: base64(raw), ...(comment ? { comment } : {}) };
}

function checkEntry(entry: unknown, where: string): TrustedKey {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new KernelKeyError(`${where} is not an object`);
  const e = entry as Record<string, unknown>;
  if (typeof e.publicKey !== 'string') throw new KernelKeyError(`${where} has no publicKey (base64 of a raw ${RAW_PUBLIC_KEY_BYTES}-byte Ed25519 key)`);
  const raw = decodeBase64Exact(e.publicKey, RAW_PUBLIC_KEY_BYTES);
  if (!raw) throw new KernelKeyError(`${where} publicKey '${e.publicKey}' is not base64 of ${RAW_PUBLIC_KEY_BYTES} bytes`);
  const id = keyIdOf(raw);
  if (e.keyId !== undefined && e.keyId !== id) throw new KernelKeyError(`${where} keyId is '${String(e.keyId)}', its publicKey's id is ${id}`);
  return trustedKey(raw, typeof e.comment === 'string' ? e.comment : undefined);
}

/** Keys from JSON text: a trust store ({ keys: [...] }) or one key entry ({ publicKey }). */
export function parseTrustedKeys(text: string, source: string): TrustedKey[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new KernelKeyError(`${source} is not JSON: ${(err as Error).message}`);
  }
  if (value !== null && typeof value === 'object' && 'keys' in value) {
    const v = value as { format?: unknown; keys: unknown };
    if (v.format !== undefined && v.format !== TRUST_STORE_FORMAT) throw new KernelKeyError(`${source} format is '${String(v.format)}', cogsim reads '${TRUST_STORE_FORMAT}'`);
    if (!Array.isArray(v.keys)) throw new KernelKeyError(`${source} keys is not a list`);
    return v.keys.map((k, i) => checkEntry(k, `${source} keys[${i}]`));
  }
  return [checkEntry(value, source)];
}

function readText(file: string, what: string): string {
  const path = displayPath(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new KernelKeyError(code === 'ENOENT' ? `${what} ${path} is missing${what === 'trust store' ? "; 'npm run build:kernel' creates it with the build key" : ''}` : `${what} ${path} cannot be read: ${(err as Error).message}`);
  }
  // Key files are text; a binary file's bytes must never be echoed into an error line.
  const binary = /[\x00-\x08\x0e-\x1f\x7f\ufffd]/.exec(text);
  if (binary) throw new KernelKeyError(`${what} ${path} is a binary file (character ${binary.index} is not text); a key file is PEM text or JSON`);
  return text;
}

export function readTrustStore(path: string): TrustStore {
  return { source: displayPath(path), keys: parseTrustedKeys(readText(path, 'trust store'), displayPath(path)) };
}

/** A key file for --trust-key: a PEM public (or private) Ed25519 key, or JSON as above. */
export function readKeyFile(path: string): TrustedKey[] {
  const text = readText(path, 'key file');
  path = displayPath(path);
  if (!text.trimStart().startsWith('-----BEGIN')) return parseTrustedKeys(text, path);
  try {
    return [trustedKey(rawPublicKey(createPublicKey(text)), path)];
  } catch (err) {
    if (err instanceof KernelKeyError) throw new KernelKeyError(`${path}: ${err.message}`);
    throw new KernelKeyError(`${path} is not a PEM Ed25519 key: ${(err as Error).message}`);
  }
}

export function withKeys(store: TrustStore, keys: TrustedKey[], source: string): TrustStore {
  const known = new Set(store.keys.map((k) => k.publicKey));
  return { source: `${store.source} + ${displayPath(source)}`, keys: [...store.keys, ...keys.filter((k) => !known.has(k.publicKey))] };
}

/** Writes the store atomically (a reader never sees half a file). */
export function writeTrustStore(path: string, keys: TrustedKey[]): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ format: TRUST_STORE_FORMAT, keys }, null, 2)}\n`);
  renameSync(tmp, path);
}
