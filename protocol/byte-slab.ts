// Copies of short-lived messages carved out of large shared buffers. A simulated run with a
// link tap (fault injection, an observer) makes two copies per message (the hub's request
// with its msg_id stamped, the tile's reply out of its I/O buffer; without a tap neither is
// made: stamped-message.ts, sim/sim-transport.ts); `Uint8Array.slice` gives each its own
// ArrayBuffer, whose backing store and GC bookkeeping cost more than the copy
// (docs/performance.md). A view into a
// slab is as independent as a slice for every reader that honours byteOffset (all of
// protocol/, hub/ and sim/ do); a slab is freed once no message in it is alive.

// 64 KiB, not 1 MiB: a fresh 1 MiB buffer is mapped memory the kernel hands over page by
// page (a page fault per 4 KiB first written), where 64 KiB ones come from the allocator's
// reused heap; copies of a 2 KB message measured 0.4-0.6 us against 0.7-2 us
// (docs/performance.md). Every message fits: the tile's I/O buffer is 2 KB.
const SLAB_BYTES = 1 << 16;
/** Larger copies get their own buffer: they would waste most of a slab. */
const MAX_SLAB_COPY = SLAB_BYTES >>> 4;

export class ByteSlab {
  private slab = new Uint8Array(SLAB_BYTES);
  private used = 0;

  /** A copy of src[start, end) that no later copy overlaps. */
  copy(src: Uint8Array, start = 0, end = src.length): Uint8Array {
    if (end - start > MAX_SLAB_COPY) return src.slice(start, end);
    const out = this.carve(end - start);
    out.set(start === 0 && end === src.length ? src : src.subarray(start, end)); // no view for a whole message
    return out;
  }

  /** `n` zeroed bytes of their own (a slab is never written twice) that no later carve overlaps. */
  carve(n: number): Uint8Array {
    if (n > MAX_SLAB_COPY) return new Uint8Array(n);
    // 8-byte aligned, so a reader may lay a typed array of any width over a message.
    let at = (this.used + 7) & ~7;
    if (at + n > SLAB_BYTES) {
      this.slab = new Uint8Array(SLAB_BYTES);
      at = 0;
    }
    this.used = at + n;
    return this.slab.subarray(at, at + n);
  }
}
