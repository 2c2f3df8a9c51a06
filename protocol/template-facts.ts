// What the hub and the transport need to know of a message template besides its bytes, as
// numbers made once, where the template is encoded. The hub sends each of a block's chunk
// templates once per query (~7,500 templates, 15 MB in the default run), so by the time one
// is sent again its object and header are out of every cache: reading its type, length or
// LOAD_BLOCK fields per message (the stats, the transport, the trace's deliver record) was
// a cache miss each (docs/performance.md, "A template's facts"). The facts sit in a typed
// array beside the templates (TemplateTable, by template number) and travel with the message
// as numbers; the only read of a template per message is the copy where it is delivered.
import { BlockFlag, HEADER, HEADER_BYTES, LoadBlock, MsgType } from './constants.ts';

/** Numbers per template in TemplateSet.facts. */
export const FACTS_STRIDE = 4;
/** The header's u16 type, as encoded (msg_id 0, unsealed: stamped-message.ts adds the seal flag). */
export const FACT_TYPE = 0;
/** The template's bytes (the seal's CRC, when sealed, comes on top). */
export const FACT_LENGTH = 1;
/** A LOAD_BLOCK chunk's flags byte (BlockFlag); 0 for any other message. */
export const FACT_BLOCK_FLAGS = 2;
/** A LOAD_BLOCK chunk's stream bytes (an LZ4 chunk's decoded size, a plain chunk's data bytes); 0 for any other message. */
export const FACT_STREAM_BYTES = 3;

/**
 * Encoded templates (msg_id 0) and their facts, by template number. A sender keeps the table
 * it reads per message (a builder's one table, MessageBuilder) and a template's number, so
 * finding a message's template and facts touches the table's two arrays, which every message
 * of the table uses, and the template's entry in each: no object per block or per template.
 */
export class TemplateTable {
  /** The templates by number: read only where a message is written out (the copy). */
  readonly bytes: Uint8Array[] = [];
  /** FACTS_STRIDE numbers per template (FACT_*): template n's at n * FACTS_STRIDE. A larger
   *  array replaces it as the table grows: read it through the table. */
  facts: Int32Array;

  /** `capacity`: templates the table holds before it first grows. */
  constructor(capacity = 16) {
    this.facts = new Int32Array(capacity * FACTS_STRIDE);
  }

  /** Adds `templates`, numbered on from the last, their facts read once here; returns them as a set. */
  add(templates: readonly Uint8Array[]): TemplateSet {
    const first = this.bytes.length;
    const need = (first + templates.length) * FACTS_STRIDE;
    if (need > this.facts.length) {
      const grown = new Int32Array(Math.max(need, this.facts.length * 2));
      grown.set(this.facts);
      this.facts = grown;
    }
    for (let i = 0; i < templates.length; i++) {
      this.bytes.push(templates[i]!);
      readFacts(templates[i]!, this.facts, (first + i) * FACTS_STRIDE);
    }
    return { table: this, first, count: templates.length };
  }
}

/** A run of a table's templates, numbered first .. first + count - 1 (a block's chunks, a query's parts). */
export interface TemplateSet {
  readonly table: TemplateTable;
  readonly first: number;
  readonly count: number;
}

/** Templates in a table of their own: a set its owner may drop (a cache's entry, a message made
 *  for one send) takes its templates with it, where a shared table would keep them. */
export function templateSet(templates: readonly Uint8Array[]): TemplateSet {
  return new TemplateTable(templates.length).add(templates);
}

/** One template in a table of its own. */
export function templateOf(template: Uint8Array): TemplateSet {
  return templateSet([template]);
}

/** A LOAD_BLOCK chunk's data bytes (after its LOAD_BLOCK header), from its facts. */
export function blockChunkDataBytes(length: number): number {
  return length - HEADER_BYTES - LoadBlock.headerBytes;
}

function readFacts(m: Uint8Array, facts: Int32Array, at: number): void {
  if (m.length < HEADER_BYTES) throw new RangeError(`a message template needs its ${HEADER_BYTES} B header, this one has ${m.length} B`);
  const length = m[HEADER.length]! | (m[HEADER.length + 1]! << 8);
  // The stats read a chunk's data bytes from its length: the header must say what the bytes are.
  if (length !== m.length - HEADER_BYTES) throw new RangeError(`a message template's header gives ${length} B of payload, it has ${m.length - HEADER_BYTES} B`);
  const type = m[HEADER.type]! | (m[HEADER.type + 1]! << 8);
  facts[at + FACT_TYPE] = type;
  facts[at + FACT_LENGTH] = m.length;
  if (type !== MsgType.LOAD_BLOCK) return;
  const flags = m[HEADER_BYTES + LoadBlock.flags]!;
  facts[at + FACT_BLOCK_FLAGS] = flags;
  const d = HEADER_BYTES + LoadBlock.headerBytes; // an LZ4 chunk's data starts with its u32 decoded size
  facts[at + FACT_STREAM_BYTES] = flags & BlockFlag.LZ4 ? (m[d]! | (m[d + 1]! << 8) | (m[d + 2]! << 16) | (m[d + 3]! << 24)) : blockChunkDataBytes(m.length);
}
