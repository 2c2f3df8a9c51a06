// `cogsim pack keygen|build|verify|show` (docs/kernel-packs.md); sim/cli/pack-run.ts has the
// run flags that take tiles from a pack.
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { buildKernel } from '../../tile/build/build-kernel.ts';
import { KEYS_DIR, SIGNING_KEY_PATH, TRUST_STORE_PATH } from '../../tile/build/paths.ts';
import { CORE_VARIANTS } from '../../tile/build/variants.ts';
import { loadKernel } from '../../tile/kernel-module.ts';
import { ensureSigningKey } from '../../tile/manifest/build-key.ts';
import { keyIdOf, privateKeyFromPem, rawPublicKey } from '../../tile/manifest/keys.ts';
import { displayPath, KernelKeyError, KernelManifestError } from '../../tile/manifest/manifest-error.ts';
import { readKeyFile, readTrustStore, type TrustStore } from '../../tile/manifest/trust-store.ts';
import { buildPack } from '../../tile/pack/pack-build.ts';
import { PackRefusedError } from '../../tile/pack/pack-error.ts';
import { PackWriteError, writePack } from '../../tile/pack/pack-files.ts';
import { PROFILE_NAMES, type ProfileName } from '../../tile/pack/pack-format.ts';
import { generatePackKey } from '../../tile/pack/pack-keys.ts';
import { readPackManifest, verifyPack, type VerifiedPack } from '../../tile/pack/pack-verify.ts';
import { cogsimVersion } from '../../tile/pack/runtime.ts';
import { CliError } from './cli-error.ts';
import { collectPaths } from './kernel-file.ts';
import { oneOf } from './options.ts';

/** A user's error from tile/pack or tile/manifest as a CliError; every refusal line but the last goes to stderr first. */
export function asCliError(err: unknown): never {
  if (err instanceof PackRefusedError) {
    const lines = err.lines;
    for (const line of lines.slice(0, -1)) console.error(`cogsim: ${line}`);
    throw new CliError(lines[lines.length - 1]!);
  }
  if (err instanceof KernelKeyError || err instanceof KernelManifestError || err instanceof PackWriteError) throw new CliError(err.message);
  throw err;
}

/** --trust files replace the default trust store (build/keys/trusted-kernel-keys.json). */
export function packTrust(paths: readonly string[]): TrustStore {
  try {
    if (paths.length === 0) return readTrustStore(TRUST_STORE_PATH);
    return { source: paths.map(displayPath).join(' + '), keys: paths.flatMap((p) => readKeyFile(p)) };
  } catch (err) {
    return asCliError(err);
  }
}

export function verifyPackOrRefuse(dir: string, trust: readonly string[]): VerifiedPack {
  try {
    return verifyPack(dir, packTrust(trust));
  } catch (err) {
    return asCliError(err);
  }
}

interface BuildFlags {
  key?: string;
  out: string;
  name: string;
  packVersion: string;
  minRuntime: string;
  maxRuntime: string;
  profile: ProfileName;
}

function signingKey(path: string | undefined): KeyObject {
  if (!path) return ensureSigningKey(KEYS_DIR); // the build key, trusted by the default store
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`--key ${path} cannot be read: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  try {
    return privateKeyFromPem(pem, path);
  } catch (err) {
    return asCliError(err);
  }
}

async function buildCommand(flags: BuildFlags): Promise<void> {
  await buildKernel();
  const keyPath = flags.key ?? SIGNING_KEY_PATH;
  const key = signingKey(flags.key);
  try {
    const kernels = CORE_VARIANTS.map((v) => ({ id: v.name, bytes: loadKernel(v.name).bytes })); // each verified against its build manifest (packs carry the Core image: their profile is core)
    const meta = {
      name: flags.name,
      version: flags.packVersion,
      description: 'cogsim tile kernels built from wat/',
      createdAt: new Date().toISOString(),
      authorName: 'cogsim build',
      authorEmail: '',
      minRuntimeVersion: flags.minRuntime,
      maxRuntimeVersion: flags.maxRuntime,
      profile: flags.profile,
    };
    const pack = buildPack(kernels, meta, key, () => performance.now()); // wall clock at the CLI edge only
    writePack(flags.out, pack, [keyPath, TRUST_STORE_PATH]);
    console.log(`wrote ${flags.out}: ${pack.manifest.kernels.length} kernels, signed by key ${keyIdOf(rawPublicKey(key))} (${displayPath(resolve(keyPath))})`);
  } catch (err) {
    asCliError(err);
  }
}

function showCommand(dir: string): void {
  let m;
  try {
    m = readPackManifest(dir);
  } catch (err) {
    return asCliError(err);
  }
  console.log(`pack ${dir}: ${m.name} ${m.version} (${m.schema}), profile ${m.profile}, runtime ${m.min_runtime_version}..${m.max_runtime_version}, created ${m.created_at}`);
  console.log(`author ${m.author.name}${m.author.email ? ` <${m.author.email}>` : ''}, key ${m.author.signing_key}  (not verified: use 'cogsim pack verify')`);
  for (const k of m.kernels) {
    const bench = Object.entries(k.benchmarks).map(([n, b]) => `${n} ${Object.entries(b).map(([f, v]) => `${f}=${v}`).join(' ')}`).join('; ');
    const platforms = Object.entries(k.platforms).map(([p, v]) => `${p}>=${v.min_version} [${v.features.join(',')}]`).join(' ');
    console.log(`  ${k.id.padEnd(18)} ${k.path}  ${k.hash.slice(0, 23)}…  entry ${k.entry_point}  limits ${k.resource_limits.max_memory_pages} pages, ${k.resource_limits.max_fuel_per_message} loop iterations/message  ${platforms}  ${bench}`);
  }
  console.log(`fallbacks: ${Object.entries(m.fallbacks).map(([id, ref]) => `${id} -> ${ref}`).join(', ')}`);
}

export function registerPack(program: Command): void {
  const pack = program.command('pack').description('signed kernel packs: keygen, build, verify, show (docs/kernel-packs.md)');
  pack
    .command('keygen')
    .description('make an Ed25519 key pair: NAME.pem (private, mode 0600) and NAME.pub (public)')
    .requiredOption('--out <name>', 'the key files\' name without extension')
    .action((flags: { out: string }) => {
      try {
        const k = generatePackKey(flags.out);
        console.log(`wrote ${k.privatePath} (private, 0600) and ${k.publicPath}; key id ${k.keyId}`);
      } catch (err) {
        asCliError(err);
      }
    });
  pack
    .command('build')
    .description('build the kernels, measure their benchmarks, write and sign a pack')
    .requiredOption('--out <dir>', 'the pack folder (a new folder, or a pack to replace)')
    .option('--key <pem>', 'signing key, PKCS#8 PEM (default: the build key, build/keys/kernel-signing-key.pem)')
    .option('--name <name>', 'the pack name', 'cogsim-tile-kernels')
    .option('--pack-version <x.y.z>', 'the pack version', '1.0.0')
    .option('--min-runtime <x.y.z>', 'oldest cogsim that may load it', cogsimVersion())
    .option('--max-runtime <x.y.z>', 'newest cogsim that may load it', '0.9.0')
    .option('--profile <p>', 'the profile the tiles offer (spec section 5)', oneOf('--profile', PROFILE_NAMES), 'core')
    .action(buildCommand);
  pack
    .command('verify')
    .description('verify a pack and print every check')
    .argument('<dir>', 'the pack folder')
    .option('--trust <pub>', 'trusted public key (PEM, or JSON key entry / trust store); repeatable; default: build/keys/trusted-kernel-keys.json', collectPaths('--trust'), [])
    .action((dir: string, flags: { trust: string[] }) => {
      const v = verifyPackOrRefuse(dir, flags.trust);
      for (const line of v.checks) console.log(`ok  ${line}`);
      console.log(`pack ${v.name}: ${v.manifest.name} ${v.manifest.version} verified (${v.checks.length} checks)`);
    });
  pack.command('show').description('print a pack\'s manifest (without verifying it)').argument('<dir>', 'the pack folder').action(showCommand);
}
