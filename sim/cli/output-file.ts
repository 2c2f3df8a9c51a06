// Every file cogsim writes goes through here (--trace, --index when built, sign-kernel
// --out, and any later output flag), so one set of rules holds for all of them:
//   - an output never names a file the same command reads, nor a key: compared by real
//     path (symbolic links followed) and by device + inode (hard links), before anything
//     runs; a file that holds a PEM private key is refused whatever its name;
//   - the bytes go to a temporary file beside the target, renamed over it only when
//     complete, so a failed or interrupted run leaves an earlier file byte-identical;
//   - every I/O failure is a UserError naming the flag and the path and what to do.
import { closeSync, existsSync, openSync, readSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { SIGNING_KEY_PATH, TRUST_STORE_PATH } from '../../tile/build/paths.ts';
import { errnoText, UserError } from '../run/user-error.ts';

/** A path as the user gave it, with the flag (or argument name) that gave it. */
export interface NamedPath {
  flag: string;
  path: string;
}

/** Keys every command may read: never an output, whatever the command's own inputs. */
const KEY_FILES: NamedPath[] = [
  { flag: 'the build signing key', path: SIGNING_KEY_PATH },
  { flag: 'the kernel trust store', path: TRUST_STORE_PATH },
];

function fileIdentity(path: string): { real: string; dev: number; ino: number } | null {
  try {
    const st = statSync(path);
    return { real: realpathSync(path), dev: st.dev, ino: st.ino };
  } catch {
    return null;
  }
}

const PEM_PRIVATE = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

function holdsPrivateKey(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(4096);
    const n = readSync(fd, head, 0, head.length, 0);
    return PEM_PRIVATE.test(head.subarray(0, n).toString('latin1'));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Refuses `out` before the command runs: a folder, a file in a folder that does not exist,
 * a file the command reads (`inputs`), a key, or a private key by content.
 */
export function refuseIfInput(out: NamedPath, inputs: readonly NamedPath[]): void {
  const target = resolve(out.path);
  const folder = dirname(target);
  if (!existsSync(folder)) throw new UserError(`${out.flag} ${out.path}: the folder ${folder} does not exist; create it first or choose another path`);
  if (!statSync(folder).isDirectory()) throw new UserError(`${out.flag} ${out.path}: ${folder} is not a folder`);
  const existing = fileIdentity(target);
  if (!existing) return;
  if (statSync(target).isDirectory()) throw new UserError(`${out.flag} ${out.path} is a folder; name a file to write`);
  for (const input of [...inputs, ...KEY_FILES]) {
    const other = fileIdentity(input.path);
    if (other && (other.real === existing.real || (other.dev === existing.dev && other.ino === existing.ino))) {
      throw new UserError(`${out.flag} ${out.path} is the same file as ${input.flag} ${input.path}; an output never overwrites an input or a key, choose another path`);
    }
  }
  if (holdsPrivateKey(target)) throw new UserError(`${out.flag} ${out.path} holds a private key; an output never overwrites a key, choose another path`);
}

function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.cogsim-${process.pid}.tmp`);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone, or never made: nothing to clean.
  }
}

/**
 * An output written while the command runs (a trace streamed line by line): the writer
 * gets `tempPath`, `commit()` renames it over the target, `abandon()` removes it.
 */
export class PendingOutput {
  private done = false;
  private readonly onExit = (): void => this.abandon();

  private constructor(
    readonly out: NamedPath,
    readonly target: string,
    readonly tempPath: string,
  ) {}

  /** Checks `out` against `inputs` and creates the temporary file beside it. */
  static open(out: NamedPath, inputs: readonly NamedPath[]): PendingOutput {
    refuseIfInput(out, inputs);
    const target = resolve(out.path);
    const tempPath = tempPathFor(target);
    try {
      closeSync(openSync(tempPath, 'w', 0o644));
    } catch (err) {
      throw new UserError(`${out.flag} ${out.path}: cannot create a file in ${dirname(target)} (${errnoText(err)}); choose a path in a folder you can write`);
    }
    const pending = new PendingOutput(out, target, tempPath);
    // A run that ends without commit (an error, process.exit) leaves no temporary file.
    process.once('exit', pending.onExit);
    return pending;
  }

  commit(): void {
    if (this.done) return;
    try {
      renameSync(this.tempPath, this.target);
      this.done = true;
      process.off('exit', this.onExit); // many outputs (a campaign's capsules) keep no listener each
    } catch (err) {
      this.abandon();
      throw new UserError(`${this.out.flag} ${this.out.path}: cannot replace it (${errnoText(err)}); the earlier file, if any, is unchanged`);
    }
  }

  abandon(): void {
    if (this.done) return;
    this.done = true;
    process.off('exit', this.onExit);
    removeQuietly(this.tempPath);
  }

  /** A system error while writing, named after this output. */
  writeError(err: unknown): UserError {
    return new UserError(`${this.out.flag} ${this.out.path}: writing failed (${errnoText(err)}); the earlier file, if any, is unchanged`);
  }
}

/** Writes a whole output at once: checked, written beside the target, renamed into place. */
export function writeAtomically(out: NamedPath, inputs: readonly NamedPath[], data: string | Uint8Array): void {
  const pending = PendingOutput.open(out, inputs);
  try {
    writeFileSync(pending.tempPath, data);
  } catch (err) {
    pending.abandon();
    throw pending.writeError(err);
  }
  pending.commit();
}

/** Runs `body` with `pending` (when there is one) and commits it only if `body` completes. */
export function withPendingOutput<T>(pending: PendingOutput | null, body: () => T): T {
  if (!pending) return body();
  let result: T;
  try {
    result = body();
  } catch (err) {
    pending.abandon();
    const e = err as NodeJS.ErrnoException;
    // A system error from a write during the run is this output's (inputs are read first).
    if (typeof e.code === 'string' && e.syscall === 'write') throw pending.writeError(err);
    throw err;
  }
  pending.commit();
  return result;
}
