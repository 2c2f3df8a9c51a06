// The typed errors of kernel signing and verification. A KernelManifestError names the
// kernel, what failed and the values involved; a KernelKeyError names the key or trust
// store file that cannot be used. Both are the user's to fix, never a crash.
import { isAbsolute, relative } from 'node:path';

/** A path as a user would type it: relative to the working directory when inside it. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

export class KernelManifestError extends Error {
  constructor(
    readonly kernel: string,
    readonly reason: string,
  ) {
    super(`kernel ${kernel}: ${reason}`);
    this.name = 'KernelManifestError';
  }
}

export class KernelKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelKeyError';
  }
}
