// Event trace recorder. Every entry becomes one canonical JSON line (sorted keys, see
// canonical-json.ts). A running SHA-256 over the exact bytes gives a run's trace hash
// without keeping the trace in memory; optionally the lines stream to a .jsonl file.
//
// Why buffered: hashing and writing per line costs a native call each; batching ~64 KiB
// keeps tracing cheap enough to leave on. The hash is over the same bytes the file gets,
// so `sha256sum trace.jsonl` equals `hashHex()`.

import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { canonicalJson } from './canonical-json.ts';

const DEFAULT_FLUSH_CHARS = 64 * 1024;

export interface TraceOptions {
  /** Stream lines to this .jsonl file (created or truncated). */
  filePath?: string;
  /** Keep every line in memory too (tests, small runs). */
  keepLines?: boolean;
  /** Buffered characters before hashing/writing a batch. */
  flushChars?: number;
}

/** Sees every dispatched event as it is recorded (a chrome-trace writer, a report); never changes the hashed lines. */
export type TraceListener = (timeCycles: number, kind: string, payload: unknown) => void;

export class TraceClosedError extends Error {
  override name = 'TraceClosedError';
}

export class TraceRecorder {
  private readonly hash: Hash = createHash('sha256');
  private readonly fd: number | undefined;
  private readonly keptLines: string[] | undefined;
  private readonly flushChars: number;
  private pending: string[] = [];
  private pendingChars = 0;
  private lines = 0;
  private bytes = 0;
  private closedHash: string | undefined;
  listener: TraceListener | null = null;

  constructor(options: TraceOptions = {}) {
    this.fd = options.filePath === undefined ? undefined : openSync(options.filePath, 'w');
    this.keptLines = options.keepLines ? [] : undefined;
    this.flushChars = options.flushChars ?? DEFAULT_FLUSH_CHARS;
  }

  get lineCount(): number {
    return this.lines;
  }

  /** UTF-8 bytes recorded so far (flushed or not). */
  get byteCount(): number {
    return this.bytes + Buffer.byteLength(this.pending.join(''), 'utf8');
  }

  /** Lines kept in memory; only with `keepLines: true`. */
  get keptLineList(): readonly string[] {
    if (this.keptLines === undefined) throw new Error('trace was created without keepLines: true');
    return this.keptLines;
  }

  /** Appends an arbitrary entry (a fault injected, a config choice...). */
  record(entry: Record<string, unknown>): void {
    this.append(canonicalJson(entry));
  }

  /**
   * Appends a dispatched event. Built by hand in sorted key order (kind, payload, seq, t)
   * to skip an object allocation per event; equals canonicalJson of the same object.
   */
  recordEvent(timeCycles: number, sequence: number, kind: string, payload: unknown): void {
    this.listener?.(timeCycles, kind, payload);
    const payloadJson = payload === undefined ? '' : `"payload":${canonicalJson(payload)},`;
    this.append(`{"kind":${JSON.stringify(kind)},${payloadJson}"seq":${sequence},"t":${timeCycles}}`);
  }

  /** SHA-256 (hex) of every byte recorded so far; the recorder stays usable. */
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

  private append(json: string): void {
    if (this.closedHash !== undefined) throw new TraceClosedError('trace is closed; no more entries can be recorded');
    const line = `${json}\n`;
    this.keptLines?.push(json);
    this.pending.push(line);
    this.pendingChars += line.length;
    this.lines++;
    if (this.pendingChars >= this.flushChars) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const chunk = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingChars = 0;
    this.bytes += chunk.length;
    this.hash.update(chunk);
    if (this.fd !== undefined) writeChunk(this.fd, chunk);
  }
}

/** writeSync may write fewer bytes than asked; loop until the chunk is out. */
function writeChunk(fd: number, chunk: Buffer): void {
  let offset = 0;
  while (offset < chunk.length) offset += writeSync(fd, chunk, offset, chunk.length - offset);
}
