// The run flags that take tiles from a kernel pack: --pack, --trust, --upgrade-to and
// --upgrade-at (docs/kernel-packs.md). Packs are verified before the run builds anything.
import type { Command } from 'commander';
import type { LoadedKernel } from '../../tile/kernel-module.ts';
import { verifyPack, type VerifiedPack } from '../../tile/pack/pack-verify.ts';
import { profileId } from '../../tile/pack/profile.ts';
import type { BuildOptions, Simulation } from '../run/simulation.ts';
import { attachUpgrade, type UpgradeHandle } from '../run/upgrade-run.ts';
import { CliError } from './cli-error.ts';
import { collectPaths } from './kernel-file.ts';
import { packTrust, verifyPackOrRefuse } from './pack-command.ts';

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
