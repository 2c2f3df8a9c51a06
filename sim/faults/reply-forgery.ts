// Replies rewritten by the injector and sealed again (their CRC32C right), so only what they
// say is wrong: `forged` (an answer to something else, or a top-K no tile could produce) and
// `sdc` (a silent compute error: one distance plausibly wrong, the list still in order).
import { decodeTileMessage, encodeMessage } from '../../protocol/codec.ts';
import { isSealed, sealMessage } from '../../protocol/integrity.ts';
import type { TileMessage, TopkEntry } from '../../protocol/types.ts';
import { f32Bits } from '../../tile/reference/fp16.ts';
import { compareCandidates } from '../../tile/reference/topk.ts';

/** unknown-id: a msg_id never sent; other-id: an earlier message's id; out-of-range: an id no
 *  unit holds; unsorted: two entries swapped out of the tile's order. */
export const FORGERIES = ['unknown-id', 'other-id', 'out-of-range', 'unsorted'] as const;
export type Forgery = (typeof FORGERIES)[number];

function decoded(bytes: Uint8Array): TileMessage | null {
  try {
    return decodeTileMessage(bytes);
  } catch {
    return null;
  }
}

function reseal(m: TileMessage, sealed: boolean): Uint8Array {
  const bytes = encodeMessage(m);
  return sealed ? sealMessage(bytes) : bytes;
}

/** The forgeries that can apply to this reply (the top-K ones need a top-K). */
export function forgeriesFor(bytes: Uint8Array): Forgery[] {
  const m = decoded(bytes);
  if (!m) return [];
  if (m.type !== 'TOPK_RESULT' || m.entries.length === 0) return ['unknown-id', 'other-id'];
  return m.entries.length >= 2 ? [...FORGERIES] : ['unknown-id', 'other-id', 'out-of-range'];
}

/** `pick(n)` draws 0..n-1 (the injector's stream or a script's value). */
export function forge(bytes: Uint8Array, forgery: Forgery, pick: (n: number) => number): Uint8Array {
  const m = decoded(bytes)!;
  const sealed = isSealed(bytes);
  if (forgery === 'unknown-id') return reseal({ ...m, msgId: 0x7ff00000 + pick(0x100000) }, sealed);
  if (forgery === 'other-id') {
    const back = 1 + pick(4); // an earlier message's id (a later one near the start of the run)
    return reseal({ ...m, msgId: m.msgId > back ? m.msgId - back : m.msgId + back }, sealed);
  }
  if (m.type !== 'TOPK_RESULT') throw new RangeError(`forgery ${forgery} needs a TOPK_RESULT`);
  const entries = m.entries.map((e) => ({ ...e }));
  if (forgery === 'out-of-range') entries[pick(entries.length)]!.id = (1n << 40n) + BigInt(pick(1000));
  else {
    const i = pick(entries.length - 1);
    [entries[i], entries[i + 1]] = [entries[i + 1]!, entries[i]!];
  }
  return reseal({ ...m, entries }, sealed);
}

const key = (e: TopkEntry) => ({ id: e.id, distBits: f32Bits(e.dist) });

/** Whether an sdc can apply: a top-K with at least one entry. */
export function sdcApplies(bytes: Uint8Array): boolean {
  const m = decoded(bytes);
  return m?.type === 'TOPK_RESULT' && m.entries.length > 0;
}

/** One entry's distance scaled by 1 + (permille + 50) / 1000 (a 5% to 105% error, never a
 *  no-op), the list put back in the tile's order: framing, CRC and order all intact. */
export function silentError(bytes: Uint8Array, entry: number, permille: number): Uint8Array {
  const m = decoded(bytes)!;
  if (m.type !== 'TOPK_RESULT') throw new RangeError('sdc needs a TOPK_RESULT');
  const entries = m.entries.map((e) => ({ ...e }));
  const e = entries[entry % entries.length]!;
  e.dist = e.dist === 0 ? 1e-3 : Math.fround(e.dist * (1 + (permille + 50) / 1000));
  entries.sort((a, b) => compareCandidates(key(a), key(b)));
  return reseal({ ...m, entries }, isSealed(bytes));
}
