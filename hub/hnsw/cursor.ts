// The index file's reader: the host's one byte cursor (protocol/cursor.ts) with the index's
// own error. A read past the end, or a u64 too large for a JS number, throws
// IndexFormatError naming the file and the byte offset.

import { ReadCursor } from '../../protocol/cursor.ts';
import { formatBytes, IndexFormatError } from './errors.ts';

export class IndexReader extends ReadCursor {
  constructor(
    bytes: Uint8Array,
    readonly fileName: string,
  ) {
    super(bytes);
  }

  /** u64 as a number; values above 2^53 are rejected rather than rounded. */
  u64Number(what: string): number {
    const at = this.offset;
    const value = this.u64le(what);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new IndexFormatError(this.fileName, at, `<= ${Number.MAX_SAFE_INTEGER}`, String(value),
        `u64 ${value} at byte ${formatBytes(at)} is too large`);
    }
    return Number(value);
  }

  protected override truncated(width: number): Error {
    return new IndexFormatError(this.fileName, this.offset, `${width} more bytes`, `${this.remaining}`,
      `truncated: need ${width} bytes at byte ${formatBytes(this.offset)}, only ${this.remaining} remain`);
  }
}
