// The build's signing key: made on the first build as PKCS#8 PEM, its public key added to
// the trust store beside it. Builds may run at once (tests, several shells), so the key is
// created with an exclusive link: exactly one process's key wins, the others read it.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { privateKeyFromPem, rawPublicKey } from './keys.ts';
import { readTrustStore, trustedKey, writeTrustStore } from './trust-store.ts';

export const SIGNING_KEY_FILE = 'kernel-signing-key.pem';
export const TRUST_STORE_FILE = 'trusted-kernel-keys.json';

/** Writes a new file, never replacing one: false when `path` already exists. */
export function writeFileExclusive(path: string, data: string, mode: number): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode });
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    unlinkSync(tmp);
  }
}

function createKeyOnce(pemPath: string): boolean {
  const { privateKey } = generateKeyPairSync('ed25519');
  return writeFileExclusive(pemPath, privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, 0o600);
}

/** The signing key in `dir`, made (and trusted) when there is none. */
export function ensureSigningKey(dir: string): KeyObject {
  const pemPath = join(dir, SIGNING_KEY_FILE);
  const trustPath = join(dir, TRUST_STORE_FILE);
  mkdirSync(dir, { recursive: true });
  const created = !existsSync(pemPath) && createKeyOnce(pemPath);
  const key = privateKeyFromPem(readFileSync(pemPath, 'utf8'), pemPath);
  if (created || !existsSync(trustPath)) {
    const entry = trustedKey(rawPublicKey(key), 'cogsim build key (build/keys/kernel-signing-key.pem)');
    const others = existsSync(trustPath) ? readTrustStore(trustPath).keys.filter((k) => k.publicKey !== entry.publicKey) : [];
    writeTrustStore(trustPath, [entry, ...others]);
  }
  return key;
}
