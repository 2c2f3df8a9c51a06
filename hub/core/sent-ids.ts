// The msg_ids a tile was sent, newest send last, with the send sequence number and how many
// answers each got: at most `limit` ids, the one sent longest ago dropped first (a re-send
// moves its id to the newest place). The same bookkeeping as a Map in insertion order with
// delete-and-set per send, without a Map entry or an object per message: every field sits in
// typed arrays indexed by slot (id, links and answers side by side in one Int32Array), the send
// order is a linked list through the slots, and the ids are found through an open-addressing
// table (linear probing, backward-shift deletion). The arrays are made at a tile's first send
// and grow 16-fold up to `limit` (256, then 4,096 slots: two rehashes in a tile's life), so a
// tile never sent anything costs nothing and one sent a little ~8 KiB. A new id above every id
// this table has seen (the hub's ids count up) is known to be absent without a table lookup.

const FIRST_CAPACITY = 256;
const GROWTH = 16;
const NONE = -1;
/** Int32 fields of a slot in `slots`: its id, the slots sent before and after it, its answers. */
const FIELDS = 4;
const ID = 0;
const PREV = 1;
const NEXT = 2;
/** Answers counted up to 2 (all a verdict asks is "more than one"). */
const REPLIES = 3;

export class SentIds {
  private capacity = 0;
  /** Slots handed out so far (slots are never freed: a full table reuses the oldest's). */
  private used = 0;
  private slots = new Int32Array(0);
  private seqs = new Float64Array(0);
  /** Slot + 1 per table cell (0: empty); twice the capacity, so collision runs stay short. */
  private table = new Int32Array(0);
  private mask = 0;
  private shift = 32;
  private oldest = NONE;
  private newest = NONE;
  /** The highest id (as unsigned) ever sent here, -1 before the first: a higher one is new. */
  private highest = -1;

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`sent-id limit ${limit} must be a positive integer`);
  }

  /** The slot holding `msgId`, or -1 when it is not remembered. */
  find(msgId: number): number {
    const id = msgId | 0;
    // Nearly every reply answers the message sent last: found without touching the table.
    if (this.newest !== NONE && this.slots[this.newest * FIELDS + ID] === id) return this.newest;
    const table = this.table;
    if (table.length === 0) return NONE;
    for (let h = this.home(id); ; h = (h + 1) & this.mask) {
      const v = table[h]!;
      if (v === 0) return NONE;
      if (this.slots[(v - 1) * FIELDS + ID] === id) return v - 1;
    }
  }

  /** `msgId` was sent as send number `seq`: it becomes the newest (a re-send keeps its answers). */
  sent(msgId: number, seq: number): void {
    const unsigned = msgId >>> 0;
    let slot = NONE;
    if (unsigned > this.highest) this.highest = unsigned;
    else slot = this.find(msgId);
    if (slot >= 0) {
      this.unlink(slot);
    } else {
      slot = this.freeSlot();
      this.slots[slot * FIELDS + ID] = msgId | 0;
      this.slots[slot * FIELDS + REPLIES] = 0;
      this.insert(slot);
    }
    this.seqs[slot] = seq;
    this.slots[slot * FIELDS + PREV] = this.newest;
    this.slots[slot * FIELDS + NEXT] = NONE;
    if (this.newest === NONE) this.oldest = slot;
    else this.slots[this.newest * FIELDS + NEXT] = slot;
    this.newest = slot;
  }

  /** Counts an answer to the slot's id; returns the answers so far (2 means two or more). */
  answered(slot: number): number {
    const at = slot * FIELDS + REPLIES;
    const n = this.slots[at]! < 2 ? this.slots[at]! + 1 : 2;
    this.slots[at] = n;
    return n;
  }

  seqOf(slot: number): number {
    return this.seqs[slot]!;
  }

  /** A slot for a new id: an unused one, after growing if allowed, else the oldest id's. */
  private freeSlot(): number {
    if (this.used === this.capacity && this.capacity < this.limit) this.grow(Math.min(this.limit, this.capacity === 0 ? FIRST_CAPACITY : this.capacity * GROWTH));
    if (this.used < this.capacity) return this.used++;
    const slot = this.oldest;
    this.unlink(slot);
    this.remove(slot);
    return slot;
  }

  private unlink(slot: number): void {
    const p = this.slots[slot * FIELDS + PREV]!;
    const n = this.slots[slot * FIELDS + NEXT]!;
    if (p === NONE) this.oldest = n;
    else this.slots[p * FIELDS + NEXT] = n;
    if (n === NONE) this.newest = p;
    else this.slots[n * FIELDS + PREV] = p;
  }

  private home(id: number): number {
    return Math.imul(id, 0x9e3779b1) >>> this.shift;
  }

  private insert(slot: number): void {
    let h = this.home(this.slots[slot * FIELDS + ID]!);
    while (this.table[h] !== 0) h = (h + 1) & this.mask;
    this.table[h] = slot + 1;
  }

  /** Takes the slot's id out of the table, shifting later cells of its collision run back. */
  private remove(slot: number): void {
    const table = this.table;
    let hole = this.home(this.slots[slot * FIELDS + ID]!);
    while (table[hole] !== slot + 1) hole = (hole + 1) & this.mask;
    table[hole] = 0;
    for (let j = (hole + 1) & this.mask; table[j] !== 0; j = (j + 1) & this.mask) {
      const k = this.home(this.slots[(table[j]! - 1) * FIELDS + ID]!);
      // The entry at j may move into the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? k > hole && k <= j : k > hole || k <= j;
      if (stays) continue;
      table[hole] = table[j]!;
      table[j] = 0;
      hole = j;
    }
  }

  private grow(capacity: number): void {
    const slots = new Int32Array(capacity * FIELDS);
    slots.set(this.slots);
    this.slots = slots;
    const seqs = new Float64Array(capacity);
    seqs.set(this.seqs);
    this.seqs = seqs;
    const bits = Math.ceil(Math.log2(capacity * 2));
    this.table = new Int32Array(1 << bits);
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
    for (let s = 0; s < this.used; s++) this.insert(s);
    this.capacity = capacity;
  }
}
