// Writes a pack folder whole or not at all: everything goes into a temporary folder beside
// the target, which is renamed into place. An existing pack (or empty folder) there is replaced
// only once the new one is complete; any other folder, or one holding a key, is never touched.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { PACK_MANIFEST_FILE, PACK_SIGNATURE_FILE } from './pack-format.ts';
import type { BuiltPack } from './pack-build.ts';

export class PackWriteError extends Error {
  override name = 'PackWriteError';
}

function inside(dir: string, path: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Writes `pack` to `outDir`; `inputs` (keys, kernels) must not lie inside it. */
export function writePack(outDir: string, pack: BuiltPack, inputs: readonly string[]): void {
  const clash = inputs.find((p) => inside(outDir, p));
  if (clash) throw new PackWriteError(`--out ${outDir} holds ${clash}, an input of the build; choose another folder`);
  if (existsSync(outDir) && readdirSync(outDir).length > 0 && !existsSync(join(outDir, PACK_MANIFEST_FILE))) throw new PackWriteError(`--out ${outDir} exists and is not a kernel pack; choose a new folder`);
  mkdirSync(dirname(resolve(outDir)), { recursive: true });
  const tmp = `${resolve(outDir)}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    for (const f of pack.files) {
      mkdirSync(dirname(join(tmp, f.path)), { recursive: true });
      writeFileSync(join(tmp, f.path), f.bytes);
    }
    writeFileSync(join(tmp, PACK_MANIFEST_FILE), `${JSON.stringify(pack.manifest, null, 2)}\n`);
    writeFileSync(join(tmp, PACK_SIGNATURE_FILE), pack.signature);
    const old = `${resolve(outDir)}.${process.pid}.old`;
    if (existsSync(outDir)) renameSync(outDir, old);
    renameSync(tmp, outDir);
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
