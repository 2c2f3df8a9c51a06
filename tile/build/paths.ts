// Where kernel sources and builds live. Kept apart from the builder so that running a
// tile never loads wabt or binaryen.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WAT_DIR = join(REPO_ROOT, 'wat');
// COGSIM_KERNEL_BUILD_DIR lets a developer build a work-in-progress kernel apart from
// the shared one (with COGSIM_WAT_ONLY naming the wat/ files to include).
export const KERNEL_BUILD_DIR = process.env.COGSIM_KERNEL_BUILD_DIR ?? join(REPO_ROOT, 'build', 'kernel');
export const SIZE_REPORT_PATH = join(KERNEL_BUILD_DIR, 'size-report.json');

// The build's signing key and the default trust store (docs/kernel-manifest.md).
// COGSIM_KERNEL_KEYS_DIR keeps them elsewhere (tests, a shared key on a build machine).
export const KEYS_DIR = process.env.COGSIM_KERNEL_KEYS_DIR ?? join(REPO_ROOT, 'build', 'keys');
export const SIGNING_KEY_PATH = join(KEYS_DIR, 'kernel-signing-key.pem');
export const TRUST_STORE_PATH = join(KEYS_DIR, 'trusted-kernel-keys.json');

export function wasmPath(variantName: string): string {
  return join(KERNEL_BUILD_DIR, `${variantName}.wasm`);
}

export function manifestPath(variantName: string): string {
  return join(KERNEL_BUILD_DIR, `${variantName}.manifest.json`);
}
