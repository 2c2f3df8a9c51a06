// DataView cursors for the index file: helpers advance by their width and always pass
// little-endian explicitly. Reads past the end throw IndexFormatError with the offset.

import { formatBytes, IndexFormatError } from './errors.ts';

export class ByteWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  offset = 0;

  constructor(totalBytes: number) {
    this.bytes = new Uint8Array(totalBytes);
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  }

  u32(value: number): void {
    this.view.setUint32(this.offset, value >>> 0, true);
    this.offset += 4;
  }

  i32(value: number): void {
    this.view.setInt32(this.offset, value, true);
    this.offset += 4;
  }

  u64(value: number): void {
    this.view.setBigUint64(this.offset, BigInt(value), true);
    this.offset += 8;
  }

  raw(source: Uint8Array): void {
    this.bytes.set(source, this.offset);
    this.offset += source.length;
  }

  u32Array(values: Uint32Array): void {
    for (let i = 0; i < values.length; i++) this.view.setUint32(this.offset + 4 * i, values[i]!, true);
    this.offset += 4 * values.length;
  }

  /** Zero bytes up to the next multiple of `alignment`. */
  pad(alignment: number): void {
    while (this.offset % alignment !== 0) this.bytes[this.offset++] = 0;
  }
}

export class ByteReader {
  readonly bytes: Uint8Array;
  readonly fileName: string;
  private readonly view: DataView;
  offset = 0;

  constructor(bytes: Uint8Array, fileName: string) {
    this.bytes = bytes;
    this.fileName = fileName;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u32(): number {
    this.need(4);
    const value = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return value;
  }

  i32(): number {
    this.need(4);
    const value = this.view.getInt32(this.offset, true);
    this.offset += 4;
    return value;
  }

  /** u64 as a number; values above 2^53 are rejected rather than rounded. */
  u64(): number {
    this.need(8);
    const value = this.view.getBigUint64(this.offset, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new IndexFormatError(this.fileName, this.offset, `<= ${Number.MAX_SAFE_INTEGER}`, String(value),
        `u64 ${value} at byte ${formatBytes(this.offset)} is too large`);
    }
    this.offset += 8;
    return Number(value);
  }

  /** Copy of the next `count` bytes. */
  raw(count: number): Uint8Array {
    this.need(count);
    const out = this.bytes.slice(this.offset, this.offset + count);
    this.offset += count;
    return out;
  }

  /** Next `count` u32 values into a new array; the length is checked before allocating. */
  u32Array(count: number): Uint32Array {
    this.need(4 * count);
    const out = new Uint32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.view.getUint32(this.offset + 4 * i, true);
    this.offset += 4 * count;
    return out;
  }

  skipTo(alignment: number): void {
    const target = Math.ceil(this.offset / alignment) * alignment;
    this.need(target - this.offset);
    this.offset = target;
  }

  private need(count: number): void {
    if (this.offset + count > this.bytes.length) {
      throw new IndexFormatError(this.fileName, this.offset, `${count} more bytes`, `${this.bytes.length - this.offset}`,
        `truncated: need ${count} bytes at byte ${formatBytes(this.offset)}, only ${this.bytes.length - this.offset} remain`);
    }
  }
}
