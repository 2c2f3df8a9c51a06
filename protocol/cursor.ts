// DataView cursors over little-endian bytes: every helper states its width and endianness
// and advances by exactly that width. Reads check the remaining bytes first and throw a
// ProtocolError naming the offset and the bytes that were there. The one byte cursor of
// the host: the HNSW index file reads with a subclass that throws its own error
// (hub/hnsw/cursor.ts).
import { ProtocolError } from './errors.ts';

const LE = true;

export class ReadCursor {
  private readonly view: DataView;
  offset: number;

  constructor(
    readonly bytes: Uint8Array,
    offset = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = offset;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  /** Throws unless `width` more bytes are present; `what` names the field. */
  need(width: number, what: string): void {
    if (width > this.remaining) throw this.truncated(width, what);
  }

  /** The error for a read past the end; a format with its own error type overrides this. */
  protected truncated(width: number, what: string): Error {
    return new ProtocolError('truncated', this.offset, this.bytes.subarray(this.offset), `${what} needs ${width} byte(s), ${this.remaining} left`);
  }

  u8le(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.offset++);
  }
  u16le(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.offset, LE);
    this.offset += 2;
    return v;
  }
  u32le(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.offset, LE);
    this.offset += 4;
    return v;
  }
  i32le(what: string): number {
    this.need(4, what);
    const v = this.view.getInt32(this.offset, LE);
    this.offset += 4;
    return v;
  }
  u64le(what: string): bigint {
    this.need(8, what);
    const v = this.view.getBigUint64(this.offset, LE);
    this.offset += 8;
    return v;
  }
  f32le(what: string): number {
    this.need(4, what);
    const v = this.view.getFloat32(this.offset, LE);
    this.offset += 4;
    return v;
  }
  /** A copy of the next n bytes (the length was checked first, so no huge allocation). */
  bytesCopy(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  /** The next `count` u32 values; the length is checked before allocating. */
  u32ArrayLe(count: number, what: string): Uint32Array {
    this.need(4 * count, what);
    const out = new Uint32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.view.getUint32(this.offset + 4 * i, LE);
    this.offset += 4 * count;
    return out;
  }
  /** Skips to the next multiple of `alignment` (the padding must be present). */
  skipTo(alignment: number, what: string): void {
    const target = Math.ceil(this.offset / alignment) * alignment;
    this.need(target - this.offset, what);
    this.offset = target;
  }
  /** A u8 flags field: a bit outside `known` is a 'bad-field' error naming the flags. */
  flags8(known: number, what: string): number {
    const at = this.offset;
    const v = this.u8le(what);
    if ((v & ~known) !== 0) throw new ProtocolError('bad-field', at, this.bytes.subarray(at, at + 1), `unknown ${what} 0x${v.toString(16)}`);
    return v;
  }
  /** A u32 count above `max` is 'oversized', refused before anything is allocated for it. */
  count32(max: number, what: string): number {
    const at = this.offset;
    const v = this.u32le(what);
    if (v > max) throw new ProtocolError('oversized', at, this.bytes.subarray(at, at + 4), `${what} ${v}, at most ${max}`);
    return v;
  }
  /** A reserved field of `width` bytes that must be zero. */
  zero(width: 1 | 2 | 4, what: string): void {
    const at = this.offset;
    const v = width === 1 ? this.u8le(what) : width === 2 ? this.u16le(what) : this.u32le(what);
    if (v !== 0) throw new ProtocolError('bad-field', at, this.bytes.subarray(at, at + width), `${what} is reserved and must be 0`);
  }
  /** The message must end here. */
  end(what: string): void {
    if (this.remaining !== 0) {
      throw new ProtocolError('trailing-bytes', this.offset, this.bytes.subarray(this.offset), `${this.remaining} byte(s) after the end of ${what}`);
    }
  }
}

export class WriteCursor {
  private readonly view: DataView;
  offset = 0;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u8le(v: number): this {
    this.view.setUint8(this.offset, v);
    this.offset += 1;
    return this;
  }
  u16le(v: number): this {
    this.view.setUint16(this.offset, v, LE);
    this.offset += 2;
    return this;
  }
  u32le(v: number): this {
    this.view.setUint32(this.offset, v, LE);
    this.offset += 4;
    return this;
  }
  i32le(v: number): this {
    this.view.setInt32(this.offset, v, LE);
    this.offset += 4;
    return this;
  }
  u64le(v: bigint): this {
    this.view.setBigUint64(this.offset, v, LE);
    this.offset += 8;
    return this;
  }
  f32le(v: number): this {
    this.view.setFloat32(this.offset, v, LE);
    this.offset += 4;
    return this;
  }
  raw(b: Uint8Array): this {
    this.bytes.set(b, this.offset);
    this.offset += b.length;
    return this;
  }
  u32ArrayLe(values: Uint32Array): this {
    for (let i = 0; i < values.length; i++) this.view.setUint32(this.offset + 4 * i, values[i]!, LE);
    this.offset += 4 * values.length;
    return this;
  }
  /** Zero bytes up to the next multiple of `alignment`. */
  pad(alignment: number): this {
    while (this.offset % alignment !== 0) this.bytes[this.offset++] = 0;
    return this;
  }
}
