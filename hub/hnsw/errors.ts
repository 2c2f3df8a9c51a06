// Typed errors for the HNSW index. Each carries the values a reader needs to act on it
// without re-running: the file, the byte offset, what was expected and what was found.

/** A serialized index could not be loaded: truncated, corrupted, foreign, or built on other data. */
export class IndexFormatError extends Error {
  override readonly name = 'IndexFormatError';
  readonly fileName: string;
  readonly offsetBytes: number;
  readonly expected: string;
  readonly actual: string;

  constructor(fileName: string, offsetBytes: number, expected: string, actual: string, message: string) {
    super(`${fileName}: ${message}`);
    this.fileName = fileName;
    this.offsetBytes = offsetBytes;
    this.expected = expected;
    this.actual = actual;
  }
}

/** A node id or layer outside the index was requested. */
export class HnswRangeError extends RangeError {
  override readonly name = 'HnswRangeError';
}

/** Construction parameters or input data are unusable. */
export class HnswParamError extends Error {
  override readonly name = 'HnswParamError';
}

/** 0x1a2b3c4d: fixed-width lower-case hex for u32 values in messages. */
export function hex32(value: number): string {
  return '0x' + (value >>> 0).toString(16).padStart(8, '0');
}

/** 40,960: byte offsets with thousands separators, independent of the host locale. */
export function formatBytes(offsetBytes: number): string {
  return String(offsetBytes).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
