// The run's output flags (--out, --out-distances, --report, a Chrome --trace) on the one
// output mechanism of sim/cli/output-file.ts: never over an input or a key, never two
// outputs on one path, written beside the target and renamed only when complete.
import { closeSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { PendingOutput, refuseIfInput, writeAtomically, type NamedPath } from '../cli/output-file.ts';
import { UserError } from '../run/user-error.ts';

export type OutputTarget = NamedPath;

/**
 * Refuses an output that is also an input (or key), or two outputs on one path; checked
 * before the run starts, so a long run cannot end in a refusal.
 */
export function checkOutputPaths(outputs: readonly OutputTarget[], inputs: readonly OutputTarget[]): void {
  for (const [i, out] of outputs.entries()) {
    const earlier = outputs.slice(0, i);
    const twin = earlier.find((o) => resolve(o.path) === resolve(out.path));
    if (twin) throw new UserError(`${out.flag} ${out.path} is also the file of ${twin.flag}; give each output its own file`);
    refuseIfInput(out, [...inputs, ...earlier]);
  }
}

/** A file streamed while the run goes on: chunks go to the temporary sibling; `commit` renames it into place. */
export class AtomicFile {
  private readonly pending: PendingOutput;
  private fd: number | null;

  constructor(readonly out: OutputTarget) {
    this.pending = PendingOutput.open(out, []);
    this.fd = openSync(this.pending.tempPath, 'w');
  }

  write(chunk: string | Uint8Array): void {
    if (this.fd === null) throw new Error(`${this.out.path}: already closed`);
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let offset = 0;
    try {
      while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset, bytes.length - offset);
    } catch (err) {
      this.abandon();
      throw this.pending.writeError(err);
    }
  }

  commit(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
    this.pending.commit();
  }

  /** Drops the temporary file; the target keeps whatever it held before. */
  abandon(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.pending.abandon();
  }
}

/** Writes a whole output at once (checked against keys, beside the target, renamed). */
export function writeFileAtomic(out: OutputTarget, content: string | Uint8Array): void {
  writeAtomically(out, [], content);
}
