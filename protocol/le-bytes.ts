// Little-endian fields read straight from a message's bytes, without a DataView: the in-place
// readers of the replies nearly every message gets (done-in-place.ts, topk-in-place.ts) and
// the trace's reply record read them once per message. The caller has checked the length.

/** The u16 at `at`. */
export function u16le(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}

/** The u32 at `at`. */
export function u32le(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}
