// Event trace recorder. Every entry becomes one binary record (trace-records.ts) appended
// to a reusable buffer; a running SHA-256 over those bytes, one update per ~64 KiB batch,
// gives the run's trace hash without keeping the trace in memory.
//
// Canonical JSON lines (trace-jsonl.ts) are made only when asked for: streamed to a .jsonl
// file (`--trace`) and/or kept in memory (tests). They carry everything the records do, so
// `traceHashOfJsonl(file)` equals `hashHex()`. Until issue 14 the hash was taken over the
// JSON lines themselves; building one per event cost more than the rest of the trace.

import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { canonicalJson } from './canonical-json.ts';
import { eventLine, messageLine } from './trace-jsonl.ts';
import { TraceRecordWriter, messageId, messageType, type MessageKind } from './trace-records.ts';

const DEFAULT_FLUSH_BYTES = 64 * 1024;

export interface TraceOptions {
  /** Stream canonical JSON lines to this .jsonl file (created or truncated). */
  filePath?: string;
  /** Keep every JSON line in memory too (tests, small runs). */
  keepLines?: boolean;
  /** Buffered record bytes (and JSON characters) before hashing/writing a batch. */
  flushBytes?: number;
}

/** Sees every dispatched event as it is recorded (a chrome-trace writer, a report); never changes the hash.
 *  For `deliver` and `reply` the payload is the transport's slot number (the bytes are in flight there). */
export type TraceListener = (timeCycles: number, kind: string, payload: unknown) => void;

export class TraceClosedError extends Error {
  override name = 'TraceClosedError';
}

export class TraceRecorder {
  private readonly hash: Hash = createHash('sha256');
  private readonly records: TraceRecordWriter;
  private readonly fd: number | undefined;
  private readonly keptLines: string[] | undefined;
  /** True when JSON lines are wanted at all (a file or kept lines). */
  private readonly json: boolean;
  private readonly flushBytes: number;
  private pendingLines: string[] = [];
  private pendingChars = 0;
  private lines = 0;
  private closedHash: string | undefined;
  listener: TraceListener | null = null;

  constructor(options: TraceOptions = {}) {
    this.flushBytes = options.flushBytes ?? DEFAULT_FLUSH_BYTES;
    this.records = new TraceRecordWriter((bytes) => this.hash.update(bytes), this.flushBytes);
    this.fd = options.filePath === undefined ? undefined : openSync(options.filePath, 'w');
    this.keptLines = options.keepLines ? [] : undefined;
    this.json = this.fd !== undefined || this.keptLines !== undefined;
  }

  /** Entries recorded so far. */
  get lineCount(): number {
    return this.lines;
  }

  /** Bytes of binary records so far (hashed or not): what the hash is taken over. */
  get byteCount(): number {
    return this.records.drained + this.records.pending;
  }

  /** JSON lines kept in memory; only with `keepLines: true`. */
  get keptLineList(): readonly string[] {
    if (this.keptLines === undefined) throw new Error('trace was created without keepLines: true');
    return this.keptLines;
  }

  /** Appends an arbitrary entry (a fault injected, a config choice...). */
  record(entry: Record<string, unknown>): void {
    this.open();
    const json = canonicalJson(entry);
    this.records.entry(json);
    if (this.json) this.line(json);
  }

  /** Appends a dispatched event with a plain-data payload (its canonical JSON is recorded). */
  recordEvent(timeCycles: number, sequence: number, kind: string, payload: unknown): void {
    this.open();
    this.listener?.(timeCycles, kind, payload);
    this.event(timeCycles, sequence, kind, payload === undefined ? undefined : canonicalJson(payload));
  }

  /** `recordEvent` with the payload's canonical JSON already made by the caller (which must
   *  equal canonicalJson(payload): an event kind whose payload has a fixed shape). */
  recordEventJson(timeCycles: number, sequence: number, kind: string, payload: unknown, payloadJson: string): void {
    this.open();
    this.listener?.(timeCycles, kind, payload);
    this.event(timeCycles, sequence, kind, payloadJson);
  }

  private event(timeCycles: number, sequence: number, kind: string, payloadJson: string | undefined): void {
    this.records.event(timeCycles, sequence, kind, payloadJson);
    if (this.json) this.line(eventLine(timeCycles, sequence, kind, payloadJson));
  }

  /**
   * Appends a message crossing the mesh, read in place: no payload object, no JSON. A reply
   * (`body`: the bytes the hub receives) is recorded with every byte, so the hash pins the
   * answers. `listenerPayload` is what the listener sees as the event's payload.
   */
  recordMessage(kind: MessageKind, timeCycles: number, sequence: number, tile: number, type: number, msgId: number, length: number, body: Uint8Array | null, listenerPayload: unknown): void {
    this.open();
    this.listener?.(timeCycles, kind, listenerPayload);
    this.records.message(kind, timeCycles, sequence, tile, type, msgId, length, body);
    if (this.json) this.line(messageLine(kind, timeCycles, sequence, tile, type, msgId, length, body));
  }

  /** `recordMessage` of a request (no bytes), for a caller that knows the kind. */
  recordDeliver(timeCycles: number, sequence: number, tile: number, type: number, msgId: number, length: number, listenerPayload: unknown): void {
    this.open();
    if (this.listener !== null) this.listener(timeCycles, 'deliver', listenerPayload);
    this.records.deliver(timeCycles, sequence, tile, type, msgId, length);
    if (this.json) this.line(messageLine('deliver', timeCycles, sequence, tile, type, msgId, length, null));
  }

  /** `recordMessage` of a reply, every byte of `body` (its type and msg_id read from it). */
  recordReply(timeCycles: number, sequence: number, tile: number, body: Uint8Array, listenerPayload: unknown): void {
    this.open();
    if (this.listener !== null) this.listener(timeCycles, 'reply', listenerPayload);
    this.records.reply(timeCycles, sequence, tile, body);
    if (this.json) this.line(messageLine('reply', timeCycles, sequence, tile, messageType(body), messageId(body), body.length, body));
  }

  /** SHA-256 (hex) of every record so far; the recorder stays usable. */
  hashHex(): string {
    if (this.closedHash !== undefined) return this.closedHash;
    this.flush();
    return this.hash.copy().digest('hex');
  }

  /** Flushes, closes the file, and returns the final hash. Idempotent. */
  close(): string {
    if (this.closedHash !== undefined) return this.closedHash;
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.closedHash = this.hash.digest('hex');
    return this.closedHash;
  }

  private open(): void {
    if (this.closedHash !== undefined) throw new TraceClosedError('trace is closed; no more entries can be recorded');
    this.lines++;
  }

  private line(json: string): void {
    this.keptLines?.push(json);
    if (this.fd === undefined) return;
    this.pendingLines.push(`${json}\n`);
    this.pendingChars += json.length + 1;
    if (this.pendingChars >= this.flushBytes) this.flushLines();
  }

  private flush(): void {
    this.records.drain();
    this.flushLines();
  }

  private flushLines(): void {
    if (this.pendingLines.length === 0 || this.fd === undefined) return;
    const chunk = Buffer.from(this.pendingLines.join(''), 'utf8');
    this.pendingLines = [];
    this.pendingChars = 0;
    writeChunk(this.fd, chunk);
  }
}

/** writeSync may write fewer bytes than asked; loop until the chunk is out. */
function writeChunk(fd: number, chunk: Buffer): void {
  let offset = 0;
  while (offset < chunk.length) offset += writeSync(fd, chunk, offset, chunk.length - offset);
}
