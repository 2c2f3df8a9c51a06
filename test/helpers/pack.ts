// Kernel packs for tests: the built kernels (or bytes a test made), signed by a fresh key,
// written with the same functions `cogsim pack build` uses.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { loadKernel } from '../../tile/kernel-module.ts';
import { trustedKey } from '../../tile/manifest/trust-store.ts';
import { rawPublicKey } from '../../tile/manifest/keys.ts';
import type { TrustStore } from '../../tile/manifest/trust-store.ts';
import { buildPack, type PackKernelSource } from '../../tile/pack/pack-build.ts';
import { writePack } from '../../tile/pack/pack-files.ts';
import type { KernelPack } from '../../tile/pack/pack-format.ts';

export function newKey(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey;
}

export function trustOnly(key: KeyObject, source = 'test key'): TrustStore {
  return { source, keys: [trustedKey(rawPublicKey(key))] };
}

export const TEST_META = {
  name: 'test-pack',
  version: '1.0.0',
  description: 'a pack made by a test',
  createdAt: '2026-12-01T00:00:00Z',
  authorName: 'test',
  authorEmail: 'test@example.org',
  minRuntimeVersion: '0.1.0',
  maxRuntimeVersion: '0.9.0',
  profile: 'core' as const,
};

/** A fake clock for the benchmarks: 1 ms per reading, so figures are fixed. */
function tickingClock(): () => number {
  let t = 0;
  return () => t++;
}

export interface MakePackOptions {
  key?: KeyObject;
  ids?: readonly string[];
  /** bytes per kernel id instead of the build's */
  bytes?: Record<string, Uint8Array>;
  edit?: (m: KernelPack) => void;
}

/** Writes a signed pack to `dir`; returns its key. */
export function makePack(dir: string, opts: MakePackOptions = {}): KeyObject {
  const key = opts.key ?? newKey();
  const kernels: PackKernelSource[] = (opts.ids ?? ['simd']).map((id) => ({ id, bytes: opts.bytes?.[id] ?? loadKernel(id).bytes }));
  writePack(dir, buildPack(kernels, TEST_META, key, tickingClock(), opts.edit), []);
  return key;
}
