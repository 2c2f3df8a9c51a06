// The one way an Outgoing record is written: a template of a TemplateTable, its facts copied
// beside it as numbers (protocol/template-facts.ts), so the hub's stats and the transport
// read the message's type, length and chunk figures from the record, never from the cold
// template (docs/performance.md, "A template's facts").
import { FACT_BLOCK_FLAGS, FACT_LENGTH, FACT_STREAM_BYTES, FACT_TYPE, FACTS_STRIDE, type TemplateTable } from '../../protocol/template-facts.ts';
import type { Outgoing } from './mode-driver.ts';

/** An empty record, for a caller that rewrites one record per message (fillOutgoing). */
export function blankOutgoing(): Outgoing {
  return { template: new Uint8Array(0), msgId: 0, sealed: false, requestType: 'none', type: 0, length: 0, blockFlags: 0, streamBytes: 0 };
}

/** Template number `n` of `table`, sent with `msgId` (sealed or not), written into `out`: no copy is made. */
export function fillOutgoing(out: Outgoing, table: TemplateTable, n: number, msgId: number, sealed: boolean, requestType: string): Outgoing {
  const facts = table.facts;
  const at = n * FACTS_STRIDE;
  out.template = table.bytes[n]!;
  out.msgId = msgId;
  out.sealed = sealed;
  out.requestType = requestType;
  out.type = facts[at + FACT_TYPE]!;
  out.length = facts[at + FACT_LENGTH]!;
  out.blockFlags = facts[at + FACT_BLOCK_FLAGS]!;
  out.streamBytes = facts[at + FACT_STREAM_BYTES]!;
  return out;
}
