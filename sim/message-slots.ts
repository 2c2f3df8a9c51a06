// Messages in flight across the mesh, by slot number. A `deliver` or `reply` event's
// payload is the slot (a small integer the event queue stores as is), so a message in
// flight costs no object of its own: the tile and the bytes wait here, slots are reused.

export class MessageSlots {
  private bytes: (Uint8Array | null)[] = [];
  private tiles = new Int32Array(256);
  private readonly free: number[] = [];

  /** Messages waiting (put and not yet taken). */
  get inFlight(): number {
    return this.bytes.length - this.free.length;
  }

  put(tile: number, bytes: Uint8Array): number {
    const slot = this.free.pop();
    if (slot !== undefined) {
      this.bytes[slot] = bytes;
      this.tiles[slot] = tile;
      return slot;
    }
    const fresh = this.bytes.length;
    if (fresh === this.tiles.length) {
      const grown = new Int32Array(this.tiles.length * 2);
      grown.set(this.tiles);
      this.tiles = grown;
    }
    this.bytes.push(bytes);
    this.tiles[fresh] = tile;
    return fresh;
  }

  tileOf(slot: number): number {
    return this.tiles[slot]!;
  }

  /** The bytes, still in flight (the trace reads them before the handler takes them). */
  peek(slot: number): Uint8Array {
    return this.bytes[slot]!;
  }

  /** The bytes, and the slot is free again. */
  take(slot: number): Uint8Array {
    const bytes = this.bytes[slot]!;
    this.bytes[slot] = null;
    this.free.push(slot);
    return bytes;
  }
}
