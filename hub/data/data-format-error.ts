// Typed error for malformed data files (.fvecs/.ivecs/.bvecs/.npy). Messages name the
// file, the record, the byte offset and the offending values, so a user can find the bad
// bytes with a hex dump.

export class DataFormatError extends Error {
  override name = 'DataFormatError';
  readonly fileName: string;
  /** Byte offset of the problem, when there is one. */
  readonly byteOffset: number | undefined;

  constructor(fileName: string, message: string, byteOffset?: number) {
    super(`${fileName}: ${message}`);
    this.fileName = fileName;
    this.byteOffset = byteOffset;
  }
}

/** 1552 -> "1,552": offsets in messages are easier to read grouped, and locale-independent. */
export function groupDigits(value: number): string {
  const sign = value < 0 ? '-' : '';
  const digits = String(Math.abs(value));
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return sign + out;
}
