// A kernel pack refused: each failure names the pack, the kernel (when it is one kernel's)
// and the reason, one line each. Verification collects every failure it can find.
export interface PackFailure {
  kernel: string | null;
  reason: string;
}

export function failureLine(pack: string, f: PackFailure): string {
  return `pack ${pack}: ${f.kernel === null ? '' : `kernel ${f.kernel}: `}${f.reason}`;
}

export class PackRefusedError extends Error {
  constructor(
    readonly pack: string,
    readonly failures: readonly PackFailure[],
  ) {
    super(failures.map((f) => failureLine(pack, f)).join('\n'));
    this.name = 'PackRefusedError';
  }

  get lines(): string[] {
    return this.failures.map((f) => failureLine(this.pack, f));
  }
}
