// An error the user caused or can fix: a bad flag, a bad file, a path that cannot be
// written. The message is one line naming the flag, the path or the value and the limit;
// the CLI prints it and exits 2 (README "Exit codes"). It lives here, below the CLI, so the
// run's own checks (run-config, dataset-source, pull-setup) can raise it without importing
// the CLI; only the CLI's edge (sim/cli/main.ts) maps it to an exit code.
export class UserError extends Error {
  override name = 'UserError';
  /** 2 for bad input; 1 when the check the user asked for failed (a kernel that is not a tile kernel). */
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
  }
}

/** A system error in words a user can act on ("permission denied"), without node's syscall and path. */
export function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'no such file or folder';
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission denied';
  if (e.code === 'EISDIR') return 'it is a folder, not a file';
  if (e.code === 'ENOTDIR') return 'a part of the path is not a folder';
  if (e.code === 'ENOSPC') return 'the disk is full';
  if (e.code === 'EROFS') return 'the file system is read-only';
  return typeof e.code === 'string' ? `${e.code}` : String(e.message ?? err);
}
