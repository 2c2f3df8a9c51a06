// Counters the hub keeps while it runs; the report is built from them.
import { BlockFlag, HEADER, HEADER_BYTES, LoadBlock } from '../protocol/constants.ts';
import { stampedLength } from '../protocol/stamped-message.ts';

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

  /** A message sent: counted by type, and a LOAD_BLOCK chunk by what it carries. */
  countSent(template: Uint8Array, sealed: boolean, type: string): void {
    const bytes = stampedLength(template, sealed);
    // A chunk's length and flags are its template's: the msg_id stamp and the seal touch neither.
    if (type === 'LOAD_BLOCK') this.countBlockChunk(template);
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
  private countBlockChunk(message: Uint8Array): void {
    // Byte reads, not a DataView: this runs for every block chunk sent (docs/performance.md).
    const data = (message[HEADER.length]! | (message[HEADER.length + 1]! << 8)) - LoadBlock.headerBytes;
    const c = this.blockChunks;
    c.chunks++;
    c.dataBytes += data;
    if (message[HEADER_BYTES + LoadBlock.flags]! & BlockFlag.LZ4) {
      const at = HEADER_BYTES + LoadBlock.headerBytes; // the u32 decoded size, little-endian
      c.lz4Chunks++;
      c.streamBytes += (message[at]! | (message[at + 1]! << 8) | (message[at + 2]! << 16) | (message[at + 3]! << 24)) >>> 0;
    } else {
      c.streamBytes += data;
    }
  }

  countFault(kind: string): void {
    this.faultsByKind.set(kind, (this.faultsByKind.get(kind) ?? 0) + 1);
  }
}
