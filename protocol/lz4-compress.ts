// LZ4 block compression of a block stream, piece by piece, for the hub to send to Hot
// tiles (docs/protocol.md "LZ4 chunks"). Greedy, one hash table of 4,096 positions (the
// shape of lz4's fast mode, not its exact output): deterministic, a pure function of the
// stream. A piece is one LZ4 block whose matches may reach back to the stream's first
// byte, because the tile decodes every piece in place after the pieces before it.
// The format's end rules hold for every piece: the last match starts at least 12 bytes
// before the piece's end and ends at least 5 before it (lz4's doc/lz4_Block_format.md).
import { u32le } from './le-bytes.ts';
import { LZ4_LAST_LITERALS, LZ4_MAX_OFFSET, LZ4_MFLIMIT, LZ4_MIN_MATCH } from '../wat/layout.ts';

const HASH_LOG = 12;

function hash(seq: number): number {
  return Math.imul(seq, 2654435761) >>> (32 - HASH_LOG);
}

/** Appends an LZ4 length extension: 255s, then the rest. */
function pushExtension(out: number[], n: number): void {
  for (; n >= 255; n -= 255) out.push(255);
  out.push(n);
}

/** One sequence: literals s[from, to), then (unless last) a match of `length` at `offset`. */
function pushSequence(out: number[], s: Uint8Array, from: number, to: number, offset = 0, length = 0): void {
  const literals = to - from;
  const matchCode = length - LZ4_MIN_MATCH;
  out.push((Math.min(literals, 15) << 4) | (offset ? Math.min(matchCode, 15) : 0));
  if (literals >= 15) pushExtension(out, literals - 15);
  for (let i = from; i < to; i++) out.push(s[i]!);
  if (!offset) return;
  out.push(offset & 0xff, offset >>> 8);
  if (matchCode >= 15) pushExtension(out, matchCode - 15);
}

/** Compresses pieces of one stream; positions it has seen stay in its table for later pieces. */
export class Lz4StreamCompressor {
  private readonly table = new Int32Array(1 << HASH_LOG).fill(-1);
  /** Positions below this are in the table (or were skipped inside a match). */
  private indexed = 0;

  constructor(private readonly stream: Uint8Array) {}

  private insert(p: number): void {
    this.table[hash(u32le(this.stream, p))] = p;
  }

  /**
   * stream[start, end) as one LZ4 block. Matches may reach back into stream[0, start)
   * (decoded before it). May be called again for the same start with another end.
   */
  compress(start: number, end: number): Uint8Array {
    const s = this.stream;
    if (start < 0 || end > s.length || start > end) throw new RangeError(`piece [${start}, ${end}) is outside a stream of ${s.length} B`);
    for (; this.indexed + 4 <= start; this.indexed++) this.insert(this.indexed);
    const out: number[] = [];
    let anchor = start;
    const matchStartLimit = end - LZ4_MFLIMIT;
    const matchEndLimit = end - LZ4_LAST_LITERALS;
    for (let i = start; i <= matchStartLimit; ) {
      const seq = u32le(s, i);
      const h = hash(seq);
      let ref = this.table[h]!;
      this.table[h] = i;
      // A table entry at or past i is from an earlier, longer try at this piece.
      if (ref < 0 || ref >= i || i - ref > LZ4_MAX_OFFSET || u32le(s, ref) !== seq) {
        i++;
        continue;
      }
      let length = LZ4_MIN_MATCH;
      while (i + length < matchEndLimit && s[ref + length] === s[i + length]) length++;
      while (i > anchor && ref > 0 && s[i - 1] === s[ref - 1]) {
        i--;
        ref--;
        length++;
      }
      pushSequence(out, s, anchor, i, i - ref, length);
      for (let p = i + 1; p < i + length && p <= matchStartLimit; p++) this.insert(p);
      i += length;
      anchor = i;
    }
    pushSequence(out, s, anchor, end);
    return Uint8Array.from(out);
  }
}

/** One LZ4 block of the whole input (no dictionary): what tests and the CLI's figures use. */
export function lz4CompressBlock(input: Uint8Array): Uint8Array {
  return new Lz4StreamCompressor(input).compress(0, input.length);
}
