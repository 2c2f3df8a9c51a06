// Writing an output file the way users can trust: never over one of the run's inputs or
// keys, and never half-written. The bytes go to a temporary file in the target's folder
// and are renamed over the target only when complete, so a failure leaves any old file
// intact. (Engineer D's sim/cli helper on branch `cli` has the same behaviour; the lead
// merges the two.)
import { closeSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError } from '../cli/cli-error.ts';

export interface OutputTarget {
  /** The flag that named the file, for messages (`--out`). */
  flag: string;
  path: string;
}

/** The same file, whichever way its paths are spelled (links, `./`, hard links). */
function sameFile(a: string, b: string): boolean {
  const ra = resolve(a);
  const rb = resolve(b);
  if (ra === rb) return true;
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    try {
      return realpathSync(dirname(ra)) === realpathSync(dirname(rb)) && basename(ra) === basename(rb);
    } catch {
      return false;
    }
  }
}

/**
 * Refuses an output that is also an input (or key), or two outputs on one path; checked
 * before the run starts, so a long run cannot end in a refusal.
 */
export function checkOutputPaths(outputs: readonly OutputTarget[], inputs: readonly OutputTarget[]): void {
  for (const [i, out] of outputs.entries()) {
    for (const input of inputs) {
      if (sameFile(out.path, input.path)) throw new CliError(`${out.flag} ${out.path} is the input of ${input.flag}; cogsim never writes over an input, choose another file`);
    }
    for (const other of outputs.slice(0, i)) {
      if (sameFile(out.path, other.path)) throw new CliError(`${out.flag} ${out.path} is also the file of ${other.flag}; give each output its own file`);
    }
    let folder: string;
    try {
      folder = realpathSync(dirname(resolve(out.path)));
    } catch {
      throw new CliError(`${out.flag} ${out.path}: its folder ${dirname(out.path)} does not exist`);
    }
    if (!statSync(folder).isDirectory()) throw new CliError(`${out.flag} ${out.path}: ${dirname(out.path)} is not a folder`);
  }
}

/** A file being written: chunks go to a temporary sibling; `commit` renames it into place. */
export class AtomicFile {
  private readonly tempPath: string;
  private fd: number | null;

  constructor(readonly path: string) {
    const target = resolve(path);
    this.tempPath = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
    this.fd = openSync(this.tempPath, 'w');
  }

  write(chunk: string | Uint8Array): void {
    if (this.fd === null) throw new Error(`${this.path}: already closed`);
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset, bytes.length - offset);
  }

  commit(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
    renameSync(this.tempPath, resolve(this.path));
  }

  /** Drops the temporary file; the target keeps whatever it held before. */
  abandon(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
    try {
      unlinkSync(this.tempPath);
    } catch {
      // already gone
    }
  }
}

/** Writes a whole file at once through a temporary sibling and a rename. */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const file = new AtomicFile(path);
  try {
    file.write(content);
    file.commit();
  } catch (err) {
    file.abandon();
    throw err;
  }
}
