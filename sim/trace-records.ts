// The binary trace record: what the trace hash is taken over. One record per trace entry,
// appended to a reusable buffer that is hashed (and emptied) a batch at a time, so the
// steady state allocates nothing per event and makes one native hash call per ~64 KiB.
// A canonical JSON line per event cost more than the rest of the trace (issue 14,
// docs/performance.md); JSON is now made only when a file or the kept lines ask for it
// (trace-jsonl.ts), and that file holds everything needed to rebuild these bytes.
//
// Layout (little-endian; docs/trace.md "The binary record"). Every record but an entry
// starts with a stamp: the cycle as u32 dt, the cycles since the previous stamped record's
// (time never runs backwards in a run), and the sequence number as u32; either one that
// does not fit (dt >= 2^32 - 1, negative or fractional; seq >= 2^32 - 1) is 0xffffffff
// followed by the number as f64, so every safe integer still fits.
//   entry    u8 1, u32 n, n bytes of canonical JSON (UTF-8)
//   event    u8 2, stamp, u8 k, k bytes of the kind (UTF-8), u32 n, n bytes of the
//            payload's canonical JSON (n = 0xffffffff: no payload)
//   deliver  u8 3, stamp, u32 tile, u16 type, u32 msgId, u32 bytes (23 bytes)
//            u8 5, stamp, u32 tile, f64 type, f64 msgId, u32 bytes: a request whose type or
//            msg_id is not a u16 and a u32 (-1: a tapped message too short to carry them)
//   reply    u8 4, stamp, u32 tile, u32 n, then its n bytes (a DONE: 33 bytes). The reply's
//            type and msg_id are its first bytes, so they are not written twice (until
//            round 7 they were, as f64s beside a u32 copy of n: 57 bytes a DONE).
import { HEADER } from '../protocol/constants.ts';
import { u16le, u32le } from '../protocol/le-bytes.ts';

export const REC_ENTRY = 1;
export const REC_EVENT = 2;
export const REC_DELIVER = 3;
export const REC_REPLY = 4;
export const REC_DELIVER_WIDE = 5;
export const NO_PAYLOAD = 0xffff_ffff;
/** A stamp's u32 that says "the number follows as f64". */
export const WIDE = 0xffff_ffff;

/** The most a stamp takes: two escaped numbers. */
const STAMP_MAX_BYTES = 2 * (4 + 8);
/** After the tag and stamp: a deliver's tile, type, msgId, bytes; its wide form's; a reply's tile and n. */
const DELIVER_BYTES = 4 + 2 + 4 + 4;
const DELIVER_WIDE_BYTES = 4 + 8 + 8 + 4;
const REPLY_HEAD_BYTES = 4 + 4;

/** Reply bodies up to this size are copied into the record word by word (larger: TypedArray.set). */
const SMALL_BODY_BYTES = 64;

export type MessageKind = 'deliver' | 'reply';

/** A message's wire type (u16 at HEADER.type), read in place; -1 when it is too short. */
export function messageType(bytes: Uint8Array): number {
  const t = HEADER.type;
  return bytes.length >= t + 2 ? u16le(bytes, t) : -1;
}

/** A message's msg_id (u32 at HEADER.id), read in place; -1 when it is too short. */
export function messageId(bytes: Uint8Array): number {
  const i = HEADER.id;
  return bytes.length >= i + 4 ? u32le(bytes, i) : -1;
}

/**
 * Appends records to one buffer and hands it to `sink` whenever the next record would not
 * fit (and on `drain`). The buffer is reused after each hand-over: the sink must consume
 * the bytes before returning.
 */
export class TraceRecordWriter {
  private buf: Buffer;
  private view: DataView;
  private pos = 0;
  /** The cycle of the last stamped record (a stamp holds the cycles since). */
  private lastTime = 0;
  private readonly kinds = new Map<string, Buffer>();
  /** Bytes handed to the sink so far. */
  drained = 0;

  constructor(
    private readonly sink: (bytes: Uint8Array) => void,
    private readonly batchBytes: number,
  ) {
    this.buf = Buffer.alloc(Math.max(batchBytes, 1 + STAMP_MAX_BYTES + DELIVER_WIDE_BYTES));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Bytes appended and not yet handed over. */
  get pending(): number {
    return this.pos;
  }

  entry(json: string): void {
    const n = Buffer.byteLength(json, 'utf8');
    this.room(5 + n);
    this.buf[this.pos] = REC_ENTRY;
    this.view.setUint32(this.pos + 1, n, true);
    this.pos += 5;
    this.pos += this.buf.write(json, this.pos, 'utf8');
  }

  event(timeCycles: number, sequence: number, kind: string, payloadJson: string | undefined): void {
    const k = this.kindBytes(kind);
    const n = payloadJson === undefined ? 0 : Buffer.byteLength(payloadJson, 'utf8');
    let p = this.stamp(REC_EVENT, timeCycles, sequence, 1 + k.length + 4 + n);
    this.buf[p] = k.length;
    k.copy(this.buf, p + 1);
    p += 1 + k.length;
    this.view.setUint32(p, payloadJson === undefined ? NO_PAYLOAD : n, true);
    p += 4;
    if (payloadJson !== undefined) p += this.buf.write(payloadJson, p, 'utf8');
    this.pos = p;
  }

  /**
   * A message crossing the mesh, for a caller that has its kind as a value (the tapped
   * path's tracer, a JSON file rebuilt): a request's header fields, or a reply's bytes
   * (`body`; its type, msg_id and size are its own, so `type`, `msgId` and `length` are
   * not read for a reply).
   */
  message(kind: MessageKind, timeCycles: number, sequence: number, tile: number, type: number, msgId: number, length: number, body: Uint8Array | null): void {
    if (kind === 'deliver') this.deliver(timeCycles, sequence, tile, type, msgId, length);
    else if (body === null) throw new TypeError('a reply record needs the reply\'s bytes');
    else this.reply(timeCycles, sequence, tile, body);
  }

  /** A request's record: its header fields and size (its bytes follow from the config and the replies before). */
  deliver(timeCycles: number, sequence: number, tile: number, type: number, msgId: number, length: number): void {
    if ((type & 0xffff) !== type || msgId >>> 0 !== msgId) {
      this.deliverWide(timeCycles, sequence, tile, type, msgId, length);
      return;
    }
    const p = this.stamp(REC_DELIVER, timeCycles, sequence, DELIVER_BYTES);
    const v = this.view;
    v.setUint32(p, tile, true);
    v.setUint16(p + 4, type, true);
    v.setUint32(p + 6, msgId, true);
    v.setUint32(p + 10, length, true);
    this.pos = p + DELIVER_BYTES;
  }

  /** A request whose type or msg_id is not a u16 and a u32 (a tapped message cut short: -1). */
  private deliverWide(timeCycles: number, sequence: number, tile: number, type: number, msgId: number, length: number): void {
    const p = this.stamp(REC_DELIVER_WIDE, timeCycles, sequence, DELIVER_WIDE_BYTES);
    const v = this.view;
    v.setUint32(p, tile, true);
    v.setFloat64(p + 4, type, true);
    v.setFloat64(p + 12, msgId, true);
    v.setUint32(p + 20, length, true);
    this.pos = p + DELIVER_WIDE_BYTES;
  }

  /** A reply's record: its size and every byte of it (its header is its own first bytes). */
  reply(timeCycles: number, sequence: number, tile: number, body: Uint8Array): void {
    const n = body.length;
    const p = this.stamp(REC_REPLY, timeCycles, sequence, REPLY_HEAD_BYTES + n);
    const v = this.view;
    v.setUint32(p, tile, true);
    v.setUint32(p + 4, n, true);
    const at = p + REPLY_HEAD_BYTES;
    this.pos = at + n;
    // A reply is mostly a 16-20 byte DONE: words beat TypedArray.set's call for those.
    if (n <= SMALL_BODY_BYTES) this.words(at, body);
    else this.buf.set(body, at);
  }

  /**
   * Writes a record's tag and stamp (the cycles since the previous stamp, the sequence
   * number), with room for `rest` more bytes after them; returns where those go. The caller
   * sets `pos` past them.
   */
  private stamp(tag: number, timeCycles: number, sequence: number, rest: number): number {
    let p = this.pos;
    if (p + 1 + STAMP_MAX_BYTES + rest > this.batchBytes) {
      this.room(1 + STAMP_MAX_BYTES + rest);
      p = this.pos;
    }
    const dt = timeCycles - this.lastTime;
    this.lastTime = timeCycles;
    this.buf[p] = tag;
    const v = this.view;
    if (dt >>> 0 === dt && dt !== WIDE && sequence >>> 0 === sequence && sequence !== WIDE) {
      v.setUint32(p + 1, dt, true);
      v.setUint32(p + 5, sequence, true);
      return p + 9;
    }
    return this.wideNumber(this.wideNumber(p + 1, dt, timeCycles), sequence, sequence);
  }

  /** A stamp's number at `p`: u32 `small` if it fits, else WIDE and `value` as f64; returns the end. */
  private wideNumber(p: number, small: number, value: number): number {
    const v = this.view;
    if (small >>> 0 === small && small !== WIDE) {
      v.setUint32(p, small, true);
      return p + 4;
    }
    v.setUint32(p, WIDE, true);
    v.setFloat64(p + 4, value, true);
    return p + 12;
  }

  /** Copies body to the record at `at`: four bytes a store, then the last few. */
  private words(at: number, body: Uint8Array): void {
    const n = body.length;
    const v = this.view;
    let i = 0;
    for (; i + 4 <= n; i += 4) v.setUint32(at + i, u32le(body, i), true);
    const buf = this.buf;
    for (; i < n; i++) buf[at + i] = body[i]!;
  }

  /** Hands over whatever is pending. */
  drain(): void {
    if (this.pos === 0) return;
    this.sink(this.buf.subarray(0, this.pos));
    this.drained += this.pos;
    this.pos = 0;
  }

  /** Makes room for `n` more bytes: drains a full batch, grows for a record larger than one. */
  private room(n: number): void {
    if (this.pos + n <= this.batchBytes) return;
    this.drain();
    if (n > this.buf.length) {
      this.buf = Buffer.alloc(n);
      this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    }
  }

  private kindBytes(kind: string): Buffer {
    let k = this.kinds.get(kind);
    if (k === undefined) {
      k = Buffer.from(kind, 'utf8');
      if (k.length > 255) throw new RangeError(`trace event kind "${kind.slice(0, 40)}..." is ${k.length} bytes; the limit is 255`);
      this.kinds.set(kind, k);
    }
    return k;
  }
}
