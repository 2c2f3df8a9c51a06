// `cogsim pack keygen`: a new Ed25519 key pair, NAME.pem (PKCS#8, mode 0600) and NAME.pub
// (SPKI PEM, what `--trust` takes). Neither file may exist already: a key is never replaced.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, unlinkSync } from 'node:fs';
import { writeFileExclusive } from '../manifest/build-key.ts';
import { keyIdOf, rawPublicKey } from '../manifest/keys.ts';
import { KernelKeyError } from '../manifest/manifest-error.ts';

export function packKeyPaths(name: string): { privatePath: string; publicPath: string } {
  return { privatePath: `${name}.pem`, publicPath: `${name}.pub` };
}

/** Writes NAME.pem and NAME.pub; returns the key id. */
export function generatePackKey(name: string): { keyId: string; privatePath: string; publicPath: string } {
  const { privatePath, publicPath } = packKeyPaths(name);
  for (const p of [privatePath, publicPath]) if (existsSync(p)) throw new KernelKeyError(`${p} exists; keygen never replaces a key (choose another --out)`);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  if (!writeFileExclusive(privatePath, privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, 0o600)) throw new KernelKeyError(`${privatePath} appeared while writing; nothing replaced`);
  if (!writeFileExclusive(publicPath, publicKey.export({ format: 'pem', type: 'spki' }) as string, 0o644)) {
    unlinkSync(privatePath); // the pair is made together or not at all
    throw new KernelKeyError(`${publicPath} appeared while writing; nothing replaced`);
  }
  return { keyId: keyIdOf(rawPublicKey(privateKey)), privatePath, publicPath };
}
