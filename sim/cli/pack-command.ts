// `cogsim pack keygen|build|verify|show`, and the run flags that take tiles from a pack
// (--pack, --trust, --upgrade-to, --upgrade-at). docs/kernel-packs.md.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { buildKernel } from '../../tile/build/build-kernel.ts';
import { KEYS_DIR, SIGNING_KEY_PATH, TRUST_STORE_PATH } from '../../tile/build/paths.ts';
import { KERNEL_VARIANTS } from '../../tile/build/variants.ts';
import { loadKernel, type LoadedKernel } from '../../tile/kernel-module.ts';
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
import { readFileSync } from 'node:fs';
import type { BuildOptions, Simulation } from '../run/simulation.ts';
import { attachUpgrade, type UpgradeHandle } from '../run/upgrade-run.ts';
import { profileId } from '../../tile/pack/profile.ts';
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

async function buildCommand(flags: BuildFlags): Promise<void> {
  await buildKernel();
  const keyPath = flags.key ?? SIGNING_KEY_PATH;
  try {
    const key = flags.key ? privateKeyFromPem(readFileSync(flags.key, 'utf8'), flags.key) : ensureSigningKey(KEYS_DIR);
    const kernels = KERNEL_VARIANTS.map((v) => ({ id: v.name, bytes: loadKernel(v.name).bytes })); // each verified against its build manifest
    const meta = {
      name: flags.name, version: flags.packVersion, description: 'cogsim tile kernels built from wat/',
      createdAt: new Date().toISOString(), authorName: 'cogsim build', authorEmail: '',
      minRuntimeVersion: flags.minRuntime, maxRuntimeVersion: flags.maxRuntime, profile: flags.profile,
    };
    const pack = buildPack(kernels, meta, key, () => performance.now()); // wall clock at the CLI edge only
    writePack(flags.out, pack, [keyPath, TRUST_STORE_PATH]);
    console.log(`wrote ${flags.out}: ${pack.manifest.kernels.length} kernels, signed by key ${keyIdOf(rawPublicKey(key))} (${displayPath(resolve(keyPath))})`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(`--key ${flags.key}: no such file`);
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

// ---- run --pack / --upgrade-to ----

export interface PackRunFlags {
  pack?: string;
  trust: string[];
  upgradeTo?: string;
  upgradeAt?: number;
}

export function addPackRunOptions(cmd: Command, wholeNumber: (flag: string) => (v: string) => number): Command {
  return cmd
    .option('--pack <dir>', 'take the tiles\' kernel (--kernel names its id) from a verified kernel pack (docs/kernel-packs.md)')
    .option('--trust <pub>', 'with --pack / --upgrade-to: trusted public key; repeatable (default: build/keys/trusted-kernel-keys.json)', collectPaths('--trust'), [])
    .option('--upgrade-to <dir>', 'hot-upgrade the tiles to this pack during the run, one at a time, rolling back on a failed health check')
    .option('--upgrade-at <cycles>', 'simulated cycle at which --upgrade-to starts', wholeNumber('--upgrade-at'));
}

/** The tiles' kernel from --pack (null: the run's usual kernel). Refuses before anything runs. */
export function packKernelFor(flags: PackRunFlags, kernelId: string): { kernel: LoadedKernel; pack: VerifiedPack } | null {
  if ((flags.upgradeTo === undefined) !== (flags.upgradeAt === undefined)) throw new CliError('--upgrade-to and --upgrade-at go together: the new pack and the simulated cycle to start at');
  if (!flags.pack) {
    if (flags.trust.length > 0 && !flags.upgradeTo) throw new CliError(`--trust ${flags.trust[0]} applies to --pack or --upgrade-to`);
    return null;
  }
  const pack = verifyPackOrRefuse(flags.pack, flags.trust);
  const kernel = pack.kernels.get(kernelId);
  if (!kernel) throw new CliError(`pack ${pack.name}: kernel ${kernelId}: is not in the pack (it has ${[...pack.kernels.keys()].join(', ')})`);
  return { kernel, pack };
}

export interface PackRun {
  /** What buildSimulation takes from the pack (nothing without --pack). */
  build: Pick<BuildOptions, 'kernel' | 'tilesProfile'>;
  /** Records the pack in the trace and arms the upgrade, once the simulation is built. */
  attach(s: Simulation): UpgradeHandle | null;
}

/** --pack and --upgrade-to for one run, verified before anything is built. */
export function packRun(flags: PackRunFlags, kernelId: string): PackRun {
  const from = packKernelFor(flags, kernelId);
  const profile = from ? { id: profileId(from.pack.manifest.profile), source: `pack ${from.pack.name}` } : undefined;
  return {
    build: { ...(from ? { kernel: from.kernel } : {}), ...(profile ? { tilesProfile: profile } : {}) },
    attach: (s) => {
      if (from) {
        const k = from.pack.manifest.kernels.find((e) => e.id === kernelId)!;
        s.trace.record({ kind: 'pack', name: from.pack.manifest.name, version: from.pack.manifest.version, kernel: kernelId, hash: k.hash }); // content, not the folder's path
      }
      if (!flags.upgradeTo) return null;
      const dir = flags.upgradeTo;
      return attachUpgrade(s, { atCycles: flags.upgradeAt!, kernelId, verify: () => verifyPack(dir, packTrust(flags.trust)) });
    },
  };
}

export function formatUpgrade(u: UpgradeHandle): string {
  const switches = u.steps.filter((st) => st.step === 'switched').map((st) => `tile ${st.tile} -> ${st.detail} @${st.atCycles}`);
  const last = u.steps[u.steps.length - 1];
  return `upgrade: ${u.outcome}${last?.detail ? ` (${last.detail})` : ''}; switches: ${switches.join(', ') || 'none'}`;
}
