// The binary trace record: what the trace hash is taken over. One record per trace entry,
// appended to a reusable buffer that is hashed (and emptied) a batch at a time, so the
// steady state allocates nothing per event and makes one native hash call per ~64 KiB.
// A canonical JSON line per event cost more than the rest of the trace (issue 14,
// docs/performance.md); JSON is now made only when a file or the kept lines ask for it
// (trace-jsonl.ts), and that file holds everything needed to rebuild these bytes.
//
// Layout (little-endian; docs/trace.md "The binary record"):
//   entry    u8 1, u32 n, n bytes of canonical JSON (UTF-8)
//   event    u8 2, f64 t, f64 seq, u8 k, k bytes of the kind (UTF-8), u32 n, n bytes of
//            the payload's canonical JSON (n = 0xffffffff: no payload)
//   message  u8 3 (deliver) or 4 (reply), f64 t, f64 seq, u32 tile, f64 type, f64 msgId,
//            u32 bytes, then for a reply the bytes themselves (so the hash pins every reply
//            byte, each hashed once)
// t and seq are f64 because they are safe integers beyond 2^32; type and msgId are -1 for a
// message too short to carry them.
import { HEADER, HEADER_BYTES } from '../protocol/constants.ts';
import { u16le, u32le } from '../protocol/le-bytes.ts';

export const REC_ENTRY = 1;
export const REC_EVENT = 2;
export const REC_DELIVER = 3;
export const REC_REPLY = 4;
export const NO_PAYLOAD = 0xffff_ffff;

/** Fixed part of a message record: tag, t, seq, tile, type, msgId, bytes. */
const MESSAGE_HEAD_BYTES = 1 + 8 + 8 + 4 + 8 + 8 + 4;

/** Reply bodies up to this size are copied into the record word by word (larger: TypedArray.set). */
const SMALL_BODY_BYTES = 64;

// `reply` takes a header's type and msg_id from its first two words: the type the low half of
// the first, the msg_id the second (wat/layout.ts).
if (HEADER.type !== 0 || HEADER.id !== 4 || HEADER_BYTES !== 8) throw new Error('trace-records.ts reads the message header as two words: type at 0, msg_id at 4');

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
  private readonly kinds = new Map<string, Buffer>();
  /** Bytes handed to the sink so far. */
  drained = 0;

  constructor(
    private readonly sink: (bytes: Uint8Array) => void,
    private readonly batchBytes: number,
  ) {
    this.buf = Buffer.alloc(Math.max(batchBytes, MESSAGE_HEAD_BYTES));
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
    this.room(1 + 16 + 1 + k.length + 4 + n);
    const v = this.view;
    let p = this.pos;
    this.buf[p] = REC_EVENT;
    v.setFloat64(p + 1, timeCycles, true);
    v.setFloat64(p + 9, sequence, true);
    this.buf[p + 17] = k.length;
    k.copy(this.buf, p + 18);
    p += 18 + k.length;
    v.setUint32(p, payloadJson === undefined ? NO_PAYLOAD : n, true);
    p += 4;
    if (payloadJson !== undefined) p += this.buf.write(payloadJson, p, 'utf8');
    this.pos = p;
  }

  /**
   * A message crossing the mesh: its header fields, and for a reply (`body` not null) the
   * bytes themselves after the fixed part. (`deliver` and `reply` are the same records
   * for a caller that knows which it has: the simulator's per-message tracers.)
   */
  message(kind: MessageKind, timeCycles: number, sequence: number, tile: number, type: number, msgId: number, length: number, body: Uint8Array | null): void {
    if (body === null) {
      this.head(kind === 'reply' ? REC_REPLY : REC_DELIVER, timeCycles, sequence, tile, type, msgId, length, 0);
      return;
    }
    const at = this.head(kind === 'reply' ? REC_REPLY : REC_DELIVER, timeCycles, sequence, tile, type, msgId, length, body.length);
    this.body(at, body);
  }

  /** A request's record (no bytes: they follow from the config and the replies before). */
  deliver(timeCycles: number, sequence: number, tile: number, type: number, msgId: number, length: number): void {
    this.head(REC_DELIVER, timeCycles, sequence, tile, type, msgId, length, 0);
  }

  /** A reply's record: its type and msg_id read from `body`, then every byte of it. */
  reply(timeCycles: number, sequence: number, tile: number, body: Uint8Array): void {
    const n = body.length;
    if (n < HEADER_BYTES || n > SMALL_BODY_BYTES) {
      this.body(this.head(REC_REPLY, timeCycles, sequence, tile, messageType(body), messageId(body), n, n), body);
      return;
    }
    // A whole header (nearly every reply: a DONE): its first two words give the type and the
    // msg_id, and are the body's first two words; the rest goes a word at a time. Each byte
    // is read once, four per store (a byte per store cost ~1.5x: docs/performance.md).
    const w0 = u32le(body, 0);
    const w1 = u32le(body, 4);
    const at = this.head(REC_REPLY, timeCycles, sequence, tile, w0 & 0xffff, w1, n, n);
    const v = this.view;
    v.setUint32(at, w0, true);
    v.setUint32(at + 4, w1, true);
    this.words(at, body, HEADER_BYTES);
  }

  /** Writes a message record's fixed part, leaving room for `bodyBytes` after it; returns where the body goes. */
  private head(tag: number, timeCycles: number, sequence: number, tile: number, type: number, msgId: number, length: number, bodyBytes: number): number {
    let p = this.pos;
    if (p + MESSAGE_HEAD_BYTES + bodyBytes > this.batchBytes) {
      this.room(MESSAGE_HEAD_BYTES + bodyBytes);
      p = this.pos;
    }
    const v = this.view;
    this.buf[p] = tag;
    v.setFloat64(p + 1, timeCycles, true);
    v.setFloat64(p + 9, sequence, true);
    v.setUint32(p + 17, tile, true);
    v.setFloat64(p + 21, type, true);
    v.setFloat64(p + 29, msgId, true);
    v.setUint32(p + 37, length, true);
    p += MESSAGE_HEAD_BYTES;
    this.pos = p + bodyBytes;
    return p;
  }

  private body(at: number, body: Uint8Array): void {
    // A reply is mostly a 16-20 byte DONE: words beat TypedArray.set's call for those.
    if (body.length <= SMALL_BODY_BYTES) this.words(at, body, 0);
    else this.buf.set(body, at);
  }

  /** Copies body[from..] to the record at `at + from`: four bytes a store, then the last few. */
  private words(at: number, body: Uint8Array, from: number): void {
    const n = body.length;
    const v = this.view;
    let i = from;
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
