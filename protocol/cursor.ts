// DataView cursors over a message: every helper states its width and endianness and
// advances by exactly that width. Reads check the remaining bytes first and throw a
// ProtocolError naming the offset and the bytes that were there.
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
    if (width > this.remaining) {
      throw new ProtocolError('truncated', this.offset, this.bytes.subarray(this.offset), `${what} needs ${width} byte(s), ${this.remaining} left`);
    }
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
}
