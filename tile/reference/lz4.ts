// LZ4 block decoding in plain TypeScript (lz4's doc/lz4_Block_format.md), used only to
// check the kernel's decoder (wat/hot/20-lz4.wat): same inputs, same status, same bytes.
// Written as the format reads, not as the kernel is written: one pass into a growing
// array, the rules checked where the format states them.
import { LZ4_LAST_LITERALS, LZ4_MFLIMIT, LZ4_MIN_MATCH } from '../../wat/layout.ts';
import { ERR_LZ4_BAD_OFFSET, ERR_LZ4_END_RULES, ERR_LZ4_OVERFLOW, ERR_LZ4_TRUNCATED, OK } from '../../wat/status.ts';

export interface Lz4Decoded {
  /** OK or one of the ERR_LZ4_* codes the kernel returns for the same block. */
  status: number;
  /** Offset in the block of the sequence at fault (0 when OK). */
  at: number;
  /** The decoded bytes (complete when OK; what was decoded before the fault otherwise). */
  bytes: Uint8Array;
  /** Sequences decoded, the last (literals-only) one included. */
  sequences: number;
}

/**
 * Decodes `block` into exactly `size` bytes. `dictionary` is what precedes the output (the
 * stream decoded so far): a match may reach into it, never before it.
 */
export function lz4DecodeReference(block: Uint8Array, size: number, dictionary?: Uint8Array): Lz4Decoded {
  const out: number[] = dictionary ? [...dictionary] : [];
  const base = out.length;
  let ip = 0;
  let sequences = 0;
  const fail = (status: number, at: number): Lz4Decoded => ({ status, at, bytes: Uint8Array.from(out.slice(base)), sequences });
  for (;;) {
    const at = ip;
    if (ip >= block.length) return fail(ERR_LZ4_TRUNCATED, at);
    sequences++;
    const token = block[ip++]!;
    let literals = token >> 4;
    if (literals === 15) {
      const ext = readExtension(block, ip);
      if (!ext) return fail(ERR_LZ4_TRUNCATED, at);
      literals += ext.add;
      ip = ext.next;
    }
    if (literals > block.length - ip) return fail(ERR_LZ4_TRUNCATED, at);
    const written = out.length - base;
    if (literals > size - written) return fail(ERR_LZ4_OVERFLOW, at);
    for (let i = 0; i < literals; i++) out.push(block[ip + i]!);
    ip += literals;
    const room = size - (out.length - base);
    // Literals that end the input end the block: the output must then be complete.
    if (ip === block.length) return room === 0 ? { status: OK, at: 0, bytes: Uint8Array.from(out.slice(base)), sequences } : fail(ERR_LZ4_OVERFLOW, at);
    if (room < LZ4_MFLIMIT) return fail(ERR_LZ4_END_RULES, at);
    if (block.length - ip < 2) return fail(ERR_LZ4_TRUNCATED, at);
    const offset = block[ip]! | (block[ip + 1]! << 8);
    ip += 2;
    if (offset === 0 || offset > out.length) return fail(ERR_LZ4_BAD_OFFSET, at);
    let length = (token & 15) + LZ4_MIN_MATCH;
    if ((token & 15) === 15) {
      const ext = readExtension(block, ip);
      if (!ext) return fail(ERR_LZ4_TRUNCATED, at);
      length += ext.add;
      ip = ext.next;
    }
    if (length > room - LZ4_LAST_LITERALS) return fail(ERR_LZ4_END_RULES, at);
    // Byte by byte: an offset shorter than the length repeats the last `offset` bytes.
    for (let i = 0; i < length; i++) out.push(out[out.length - offset]!);
  }
}

/** A length extension: bytes added while they are 255; undefined when the input ends first. */
function readExtension(block: Uint8Array, ip: number): { add: number; next: number } | undefined {
  let add = 0;
  for (;;) {
    if (ip >= block.length) return undefined;
    const b = block[ip++]!;
    add += b;
    if (b !== 255) return { add, next: ip };
  }
}
