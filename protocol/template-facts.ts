// What the hub and the transport need to know of a message template besides its bytes, as
// numbers made once, where the template is encoded. The hub sends each of a block's chunk
// templates once per query (~7,500 templates, 15 MB in the default run), so by the time one
// is sent again its object and header are out of every cache: reading its type, length or
// LOAD_BLOCK fields per message (the stats, the transport, the trace's deliver record) was
// a cache miss each (docs/performance.md, "A template's facts"). The facts sit in one small
// typed array per list of templates, in the list's order, and travel with the message as
// numbers; the only read of a template per message is the copy where it is delivered.
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

/** Encoded templates (msg_id 0) and their facts, index for index. */
export interface TemplateSet {
  /** The bytes: read only where a message is written out (the copy). */
  readonly bytes: readonly Uint8Array[];
  /** FACTS_STRIDE numbers per template: template i's at i * FACTS_STRIDE (FACT_*). */
  readonly facts: Int32Array;
}

/** The templates with their facts, read from their bytes once: the one place facts are made. */
export function templateSet(bytes: readonly Uint8Array[]): TemplateSet {
  const facts = new Int32Array(bytes.length * FACTS_STRIDE);
  for (let i = 0; i < bytes.length; i++) readFacts(bytes[i]!, facts, i * FACTS_STRIDE);
  return { bytes, facts };
}

/** One template's facts: the set templateSet makes for it alone. */
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
