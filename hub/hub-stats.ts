// Counters the hub keeps while it runs; the report is built from them.
import { BlockFlag } from '../protocol/constants.ts';
import { stampedLengthOf } from '../protocol/stamped-message.ts';
import { blockChunkDataBytes } from '../protocol/template-facts.ts';
import type { Outgoing } from './core/mode-driver.ts';

/** LOAD_BLOCK chunks sent: how many bytes of block streams they carried, in how many bytes of chunk data. */
export interface BlockChunkStats {
  chunks: number;
  lz4Chunks: number;
  /** Stream bytes the chunks carried (an LZ4 chunk's decoded bytes). */
  streamBytes: number;
  /** Chunk data bytes on the link (an LZ4 chunk's size field and block). */
  dataBytes: number;
}

export class HubStats {
  messagesSent = 0;
  bytesSent = 0;
  readonly sentByType = new Map<string, { messages: number; bytes: number }>();
  readonly faultsByKind = new Map<string, number>();
  retries = 0;
  restarts = 0;
  retirements = 0;
  reassignedUnits = 0;
  hubLocalUnits = 0;
  partials = 0;
  staleReplies = 0;
  errorReplies = 0;
  duplicatePartials = 0;
  jobsFinished = 0;
  readonly blockChunks: BlockChunkStats = { chunks: 0, lz4Chunks: 0, streamBytes: 0, dataBytes: 0 };

  /** The type counted last and its entry: a stream's chunks come one after another, so the map
   *  is looked up only when the type changes (this runs per message sent). */
  private lastType = '';
  private lastEntry = { messages: 0, bytes: 0 };

  /** A message sent: counted by type, and a LOAD_BLOCK chunk by what it carries. Read from
   *  the template's facts `out` carries, never from the template (docs/performance.md). */
  countSent(out: Outgoing): void {
    const type = out.requestType;
    const bytes = stampedLengthOf(out.length, out.sealed);
    // A chunk's length and flags are its template's: the msg_id stamp and the seal touch neither.
    if (type === 'LOAD_BLOCK') this.countBlockChunk(out);
    this.messagesSent++;
    this.bytesSent += bytes;
    if (type !== this.lastType) {
      let entry = this.sentByType.get(type);
      if (entry === undefined) this.sentByType.set(type, (entry = { messages: 0, bytes: 0 }));
      this.lastType = type;
      this.lastEntry = entry;
    }
    this.lastEntry.messages++;
    this.lastEntry.bytes += bytes;
  }

  /** A LOAD_BLOCK message sent (well formed: the hub built it): plain or LZ4 (docs/protocol.md "LZ4 chunks"). */
  private countBlockChunk(out: Outgoing): void {
    const c = this.blockChunks;
    c.chunks++;
    c.dataBytes += blockChunkDataBytes(out.length);
    if (out.blockFlags & BlockFlag.LZ4) c.lz4Chunks++;
    c.streamBytes += out.streamBytes >>> 0; // an LZ4 chunk's u32 decoded size, held as an int32
  }

  countFault(kind: string): void {
    this.faultsByKind.set(kind, (this.faultsByKind.get(kind) ?? 0) + 1);
  }
}
