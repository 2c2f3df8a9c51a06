// A TOPK_RESULT as the hub reads it (the answer to every READ_TOPK: one per unit), in place:
// the header and the entries straight from the bytes into one reused set of words, with no
// cursor, no DataView, no BigInt and no object per entry. The full decoder
// (messages/replies.ts) makes a BigInt id and an object per entry, which the hub only turned
// back into numbers (docs/performance.md, "The reply's side"). It accepts exactly the
// TOPK_RESULT replies the full decoder (codec.ts decodeMessage) accepts and reads the same
// fields; anything else (another type, a wrong length, a count above TOPK_MAX, a reserved
// bit set, a seal that does not check) is left to the full decoder, which gives the same
// answer or the same error it always gave (test/hub-read-reply.test.ts holds them together).
import { HEADER, HEADER_BYTES, MsgType, TopkResult } from './constants.ts';
import { crc32cUpdate } from './crc32c.ts';
import { u16le, u32le } from './le-bytes.ts';
import type { TopkEntry, TopkResultMsg } from './types.ts';
import { MSG_CRC_BYTES, MSG_F_CRC } from '../wat/layout.ts';

const SEALED_TYPE = MsgType.TOPK_RESULT | MSG_F_CRC;
/** Words per entry, the wire's own order: id low half, id high half, distance bits, aux. */
const WORDS = TopkResult.entryBytes / 4;
const ID_LO = TopkResult.entryId / 4;
const ID_HI = ID_LO + 1;
const DIST = TopkResult.entryDist / 4;
const AUX = TopkResult.entryAux / 4;
/** An id's high half above this makes it larger than Number.MAX_SAFE_INTEGER (2^53 - 1). */
const SAFE_HI_MAX = 0x1f_ffff;
const TWO_32 = 2 ** 32;


/**
 * A TOPK_RESULT's entries as numbers: each entry's four u32 words as the wire has them (the id
 * as two halves, so every u64 is exact), the distance also as the f32 the bits make. It is a
 * TopkResultMsg: `entries` gives the protocol's form (BigInt ids), made only when asked.
 */
export class TopkInPlace implements TopkResultMsg {
  readonly type = 'TOPK_RESULT' as const;
  msgId = 0;
  count = 0;
  private readonly words: Uint32Array;
  /** The same memory as `words`, so a distance's bits read as its f32 without a conversion call. */
  private readonly floats: Float32Array;

  constructor(capacity: number = TopkResult.maxEntries) {
    this.words = new Uint32Array(capacity * WORDS);
    this.floats = new Float32Array(this.words.buffer);
  }

  /** The entries of a decoded TOPK_RESULT (a test's, a tap's), in a fresh object sized to them. */
  static of(m: TopkResultMsg): TopkInPlace {
    const t = new TopkInPlace(m.entries.length);
    t.msgId = m.msgId;
    t.count = m.entries.length;
    m.entries.forEach((e, i) => {
      t.words[i * WORDS + ID_LO] = Number(e.id & 0xffff_ffffn);
      t.words[i * WORDS + ID_HI] = Number(e.id >> 32n);
      t.floats[i * WORDS + DIST] = e.dist;
      t.words[i * WORDS + AUX] = e.aux;
    });
    return t;
  }

  /** Entry i's id as a number, or -1 when it is above Number.MAX_SAFE_INTEGER (idText has it). */
  idOf(i: number): number {
    const hi = this.words[i * WORDS + ID_HI]!;
    return hi > SAFE_HI_MAX ? -1 : hi * TWO_32 + this.words[i * WORDS + ID_LO]!;
  }

  /** Entry i's id in decimal, exact for every u64 (as a BigInt prints it). */
  idText(i: number): string {
    return String(this.idBig(i));
  }

  /** Entry i's distance: the f32 as a number. */
  distOf(i: number): number {
    return this.floats[i * WORDS + DIST]!;
  }

  /** Entry i's distance as its f32 bits. */
  distBitsOf(i: number): number {
    return this.words[i * WORDS + DIST]!;
  }

  /** The protocol's form of the entries (fresh objects): what the full decoder gives. */
  get entries(): TopkEntry[] {
    return Array.from({ length: this.count }, (_, i) => ({ id: this.idBig(i), dist: this.distOf(i), aux: this.words[i * WORDS + AUX]! }));
  }

  /** Fills the entries from a TOPK_RESULT's payload at `at` (its count checked by the caller). */
  fill(bytes: Uint8Array, msgId: number, count: number, at: number): void {
    const w = this.words;
    for (let i = 0; i < count * WORDS; i++, at += 4) w[i] = u32le(bytes, at);
    this.msgId = msgId;
    this.count = count;
  }

  private idBig(i: number): bigint {
    return (BigInt(this.words[i * WORDS + ID_HI]!) << 32n) | BigInt(this.words[i * WORDS + ID_LO]!);
  }
}

/**
 * Reads `bytes` into `into` when they are a well-formed TOPK_RESULT: unsealed (only when
 * `sealedOnly` is false), or sealed with a CRC32C that checks. Returns false, leaving `into`
 * as it was, for everything else: the caller decodes those in full.
 */
export function readTopkInPlace(bytes: Uint8Array, into: TopkInPlace, sealedOnly: boolean): boolean {
  const type = bytes.length >= HEADER_BYTES ? u16le(bytes, HEADER.type) : -1;
  let end = bytes.length;
  if (type === SEALED_TYPE) {
    end -= MSG_CRC_BYTES;
    if (end < HEADER_BYTES || u32le(bytes, end) !== crc32cUpdate(bytes, 0, end)) return false;
  } else if (type !== MsgType.TOPK_RESULT || sealedOnly) {
    return false;
  }
  const length = u16le(bytes, HEADER.length);
  if (length !== end - HEADER_BYTES || length < TopkResult.headerBytes) return false;
  const count = u32le(bytes, HEADER_BYTES + TopkResult.count);
  if (count > TopkResult.maxEntries || length !== TopkResult.headerBytes + count * TopkResult.entryBytes) return false;
  if (u32le(bytes, HEADER_BYTES + TopkResult.reserved) !== 0) return false;
  into.fill(bytes, u32le(bytes, HEADER.id), count, HEADER_BYTES + TopkResult.headerBytes);
  return true;
}
