// A reply's payload digest for its trace line: the trace hash must change when any byte a
// tile sent back changes, but SHA-256 per reply (hundreds of thousands per run) would cost
// more than the rest of the trace. Two 32-bit FNV-1a lanes with different offsets and odd
// multipliers: every step of a lane is a bijection of its state for a fixed byte, so a
// change confined to one byte always changes both lanes; the pair makes accidental
// collisions of larger changes about 2^-64 likely.

/** 16 hex digits: lane a, then lane b. */
export function payloadDigest(bytes: Uint8Array): string {
  let a = 0x811c9dc5;
  let b = 0x6a09e667;
  for (let i = 0; i < bytes.length; i++) {
    const x = bytes[i]!;
    a = Math.imul(a ^ x, 0x01000193);
    b = Math.imul(b ^ x, 0x5bd1e995);
  }
  return hex8(a) + hex8(b);
}

/** Two hex digits per byte value, made once: toString(16) + padStart per digest was ~2% of a run. */
const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex8(v: number): string {
  return HEX2[(v >>> 24) & 0xff]! + HEX2[(v >>> 16) & 0xff]! + HEX2[(v >>> 8) & 0xff]! + HEX2[v & 0xff]!;
}
