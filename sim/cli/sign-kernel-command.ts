// `cogsim sign-kernel <wasm> --key <pem>`: writes a signed manifest for a kernel you built,
// so `cogsim run --kernel-file` accepts it once the key is trusted (docs/kernel-manifest.md).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { TRUST_STORE_PATH } from '../../tile/build/paths.ts';
import { KERNEL_VARIANTS } from '../../tile/build/variants.ts';
import { defaultManifestPath } from '../../tile/kernel-module.ts';
import { privateKeyFromPem } from '../../tile/manifest/keys.ts';
import { displayPath, KernelKeyError, KernelManifestError } from '../../tile/manifest/manifest-error.ts';
import { signKernel } from '../../tile/manifest/sign-kernel.ts';
import { CliError } from './cli-error.ts';
import { refuseIfInput, writeAtomically } from './output-file.ts';
import { errnoText } from '../run/user-error.ts';

interface SignFlags {
  key: string;
  out?: string;
  name?: string;
  simd?: boolean;
}

export function readFileOrRefuse(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new CliError(`${what} ${path} cannot be read: ${errnoText(err)}`);
  }
}

export function signKernelFile(wasm: string, flags: SignFlags): string {
  const bytes = new Uint8Array(readFileOrRefuse(wasm, 'kernel file'));
  const file = basename(wasm);
  const kernel = flags.name ?? file.replace(/\.wasm$/, '');
  // A build's name says whether it is SIMD; any other kernel is scalar unless --simd says so.
  const simd = flags.simd ?? KERNEL_VARIANTS.find((v) => v.name === kernel)?.flavor === 'simd';
  const out = { flag: flags.out ? '--out' : 'the manifest (default --out)', path: flags.out ?? defaultManifestPath(wasm) };
  const inputs = [{ flag: 'the kernel <wasm>', path: wasm }, { flag: '--key', path: flags.key }];
  refuseIfInput(out, inputs); // before signing, so a refused run has written nothing
  try {
    const key = privateKeyFromPem(readFileOrRefuse(flags.key, '--key').toString('utf8'), flags.key);
    const manifest = signKernel(bytes, { kernel, file, simd }, key);
    writeAtomically(out, inputs, `${JSON.stringify(manifest, null, 2)}\n`);
    const entry = JSON.stringify({ keyId: manifest.signerKeyId, publicKey: manifest.signerPublicKey });
    return [
      `signed ${wasm}: kernel ${kernel}, ${bytes.length} B, sha256 ${manifest.sha256}, key ${manifest.signerKeyId} -> ${out.path}`,
      `to trust this key, pass --trust-key ${flags.key} or add ${entry} to the keys of ${displayPath(TRUST_STORE_PATH)}`,
    ].join('\n');
  } catch (err) {
    if (err instanceof KernelManifestError || err instanceof KernelKeyError) throw new CliError(err.message);
    throw err;
  }
}

export function registerSignKernel(program: Command): void {
  program
    .command('sign-kernel')
    .description('write a signed manifest for a kernel .wasm you built (docs/kernel-manifest.md)')
    .argument('<wasm>', 'the kernel .wasm')
    .requiredOption('--key <pem>', 'your Ed25519 private key, PKCS#8 PEM (openssl genpkey -algorithm ed25519 -out key.pem)')
    .option('--out <json>', 'where to write the manifest (default: beside the .wasm, <name>.manifest.json)')
    .option('--name <kernel>', 'the kernel name in the manifest (default: the file name without .wasm)')
    .option('--simd', 'the kernel uses SIMD (default: known from a build name such as simd-strict, else no)')
    .option('--no-simd', 'the kernel does not use SIMD')
    .action((wasm: string, flags: SignFlags) => {
      console.log(signKernelFile(wasm, flags));
    });
}
