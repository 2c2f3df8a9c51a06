// `--kernel-file <wasm> --manifest <json> --trust-key <file>`: a user's own kernel build,
// verified against the trust store (build/keys/trusted-kernel-keys.json plus each
// --trust-key) before any tile runs it. Every refusal is a CliError: one line, exit 2.
import { InvalidArgumentError } from 'commander';
import { InstrumentError } from '../../tile/build/instrument-error.ts';
import { prepareCheckedKernel } from '../../tile/checked-kernel.ts';
import { KernelRejectedError, type KernelChoice, type LoadedKernel } from '../../tile/kernel-module.ts';
import { KernelKeyError, KernelManifestError } from '../../tile/manifest/manifest-error.ts';
import type { RunConfig } from '../run/run-config.ts';
import { CliError } from './cli-error.ts';

export interface KernelFileFlags {
  kernelFile?: string;
  manifest?: string;
  trustKey: string[];
}

/** commander's collector for a repeatable flag. */
export function collectPaths(flag: string): (value: string, previous: string[]) => string[] {
  return (value, previous) => {
    if (value.trim() === '') throw new InvalidArgumentError(`${flag} takes a file path, got ''`);
    return [...previous, value];
  };
}

export function kernelFileConfig(f: KernelFileFlags): Pick<RunConfig, 'kernelPath' | 'manifestPath' | 'trustKeyPaths'> {
  if (!f.kernelFile) {
    if (f.manifest) throw new CliError(`--manifest ${f.manifest} needs --kernel-file: the manifest describes a kernel file you give`);
    if (f.trustKey.length > 0) throw new CliError(`--trust-key ${f.trustKey[0]} applies to --kernel-file; the built kernels are checked against build/keys/trusted-kernel-keys.json`);
    return {};
  }
  return { kernelPath: f.kernelFile, ...(f.manifest ? { manifestPath: f.manifest } : {}), ...(f.trustKey.length > 0 ? { trustKeyPaths: f.trustKey } : {}) };
}

/**
 * Verifies --kernel-file before the run builds anything, checks it against the size budget
 * and writes the window checks and the watchdog into it (unless --unchecked); null when the
 * run uses --kernel.
 */
export async function checkKernelFile(config: KernelChoice): Promise<LoadedKernel | null> {
  if (!config.kernelPath) return null;
  try {
    return await prepareCheckedKernel(config);
  } catch (err) {
    const refused = [KernelManifestError, KernelKeyError, KernelRejectedError, InstrumentError].some((E) => err instanceof E);
    if (refused) throw new CliError(`--kernel-file ${config.kernelPath}: ${(err as Error).message}`);
    throw err;
  }
}
