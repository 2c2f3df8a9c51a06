// The tile's visited filter in pull mode, in TypeScript: a Bloom filter over the low 32
// bits of node ids, in the same bytes and with the same hashes as wat/85-pull.wat, so the
// hub-side replay (tile-walk.ts) drops exactly the neighbors the tile drops. A false
// positive drops a neighbor the walk never saw (a recall cost, measured in
// docs/pull-mode.md); there are no false negatives, so no vector is requested twice.
import { PULL_FILTER_BYTES, PULL_HASH_MULS } from '../../wat/layout.ts';

export interface FilterShape {
  /** Filter size in bytes (a power of two). */
  bytes: number;
  /** Hash multipliers, one bit per multiplier. */
  muls: readonly number[];
}

export const TILE_FILTER: FilterShape = { bytes: PULL_FILTER_BYTES, muls: PULL_HASH_MULS };

export class VisitedFilter {
  private readonly bits: Uint8Array;
  private readonly shift: number;

  constructor(readonly shape: FilterShape = TILE_FILTER) {
    const nbits = shape.bytes * 8;
    if (!Number.isInteger(Math.log2(nbits))) throw new RangeError(`filter of ${shape.bytes} B: the bit count must be a power of two`);
    this.bits = new Uint8Array(shape.bytes);
    this.shift = 32 - Math.log2(nbits);
  }

  /** The bit index hash j gives id: the top bits of (low32(id) * mul_j) mod 2^32. */
  bitOf(id: number, j: number): number {
    return Math.imul(id >>> 0, this.shape.muls[j]!) >>> this.shift;
  }

  /** Sets the id's bits; true when at least one was clear (the id was not seen). */
  visit(id: number): boolean {
    let fresh = false;
    for (let j = 0; j < this.shape.muls.length; j++) {
      const b = this.bitOf(id, j);
      const mask = 1 << (b & 7);
      if ((this.bits[b >>> 3]! & mask) === 0) fresh = true;
      this.bits[b >>> 3]! |= mask;
    }
    return fresh;
  }

  clear(): void {
    this.bits.fill(0);
  }
}
