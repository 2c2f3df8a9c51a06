// The msg_ids a tile was sent, newest send last, with the send sequence number and how many
// answers each got: at most `limit` ids, the one sent longest ago dropped first (a re-send
// moves its id to the newest place). The same bookkeeping as a Map in insertion order with
// delete-and-set per send, without a Map entry or an object per message.
//
// A ring of entries in send order, each field in its own typed array indexed by ring position:
// a send appends one entry at the head, and when more than `limit` ids are remembered the
// oldest live entry at the tail is marked dead. A re-send marks its id's older entry dead and
// appends a new one carrying its answers. Both ends move one entry per send, so a send writes
// a few bytes next to the last send's and no hash table is touched: an open-addressing table
// (the structure before this one) cost a random cell per insert and per eviction, the
// heaviest part of the reply order in a whole-run profile (docs/performance.md).
//
// An id is looked up by scanning back from the newest entry. Nearly every reply answers the
// message sent last (found at once), and a new id above every id sent in its half of the id
// space (the hub's step ids and walk ids each count up) is known to be absent without a scan:
// a scan happens only for a re-send, a stale, replayed or forged reply, or after the ids wrap.
// Dead entries of re-sends are squeezed out when the ring fills; the ring holds up to twice
// `limit` entries (growing 16-fold from 256), so that costs at most one pass per `limit` sends.
//
// The newest entry's id, send number and answers are also kept as plain fields, where the
// answers are authoritative (written to the ring before the next send), so a reply to the
// message sent last, nearly every reply, touches no ring memory; and while no entry in the ring
// is dead (no re-send: a clean run), dropping the oldest is moving the tail, without reading it.

const FIRST_CAPACITY = 256;
const GROWTH = 16;
/** `find`: the id is not remembered. */
export const NOT_REMEMBERED = -1;
const NONE = NOT_REMEMBERED;
/** The slot `find` gives for the newest entry (its answers and send number are the fields). */
const NEWEST = -2;
/** `answers` of an entry no longer remembered (re-sent later, or dropped as the oldest). */
const DEAD = 255;
/** Ids at and above this are the walk range (msg-ids.ts): each half counts up on its own. */
const HIGH_HALF = 0x80000000;

export class SentIds {
  /** Ring capacity (a power of two); `mask` = capacity - 1. */
  private mask = -1;
  private capacity = 0;
  private readonly maxCapacity: number;
  private ids = new Int32Array(0);
  /** Answers counted up to 2 (all a verdict asks is "more than one"), or DEAD. */
  private answers = new Uint8Array(0);
  private seqs = new Float64Array(0);
  /** Entries appended so far (the next one's absolute index) and the oldest that may be live. */
  private head = 0;
  private tail = 0;
  /** Live entries (ids remembered), at most `limit`; entries marked DEAD between tail and head. */
  private live = 0;
  private dead = 0;
  /** The newest entry (valid once head > 0): its id, send number, answers and ring position. */
  private newestId = 0;
  private newestSeq = 0;
  private newestAnswers = 0;
  private newestAt = 0;
  /** The highest id (as unsigned) sent in each half of the id space, -1 before the first. */
  private highestLow = -1;
  private highestHigh = -1;

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`sent-id limit ${limit} must be a positive integer`);
    this.maxCapacity = Math.max(FIRST_CAPACITY, 2 ** Math.ceil(Math.log2(2 * limit)));
  }

  /** The slot holding `msgId` (a ring position, or NEWEST), or -1 when it is not remembered.
   *  Valid until the next `sent`. */
  protected find(msgId: number): number {
    const id = msgId | 0;
    if (this.head === 0) return NONE;
    if (id === this.newestId) return NEWEST;
    const { ids, answers, mask } = this;
    for (let i = this.head - 2; i >= this.tail; i--) {
      const p = i & mask;
      if (ids[p] === id && answers[p] !== DEAD) return p;
    }
    return NONE;
  }

  /** `msgId` was sent as send number `seq`: it becomes the newest (a re-send keeps its answers). */
  protected sent(msgId: number, seq: number): void {
    if (this.head > 0) this.answers[this.newestAt] = this.newestAnswers; // the ring is whole again
    let answers = 0;
    if (this.isNew(msgId >>> 0)) {
      // Above every id sent in its half: not remembered, nothing to look up.
    } else {
      let slot = this.find(msgId);
      if (slot === NEWEST) slot = this.newestAt;
      if (slot >= 0) {
        answers = this.answers[slot]!;
        this.answers[slot] = DEAD;
        this.dead++;
        this.live--;
      }
    }
    if (this.head - this.tail === this.capacity) this.makeRoom();
    const p = this.head & this.mask;
    this.ids[p] = msgId | 0;
    this.answers[p] = answers;
    this.seqs[p] = seq;
    this.head++;
    this.newestId = msgId | 0;
    this.newestSeq = seq;
    this.newestAnswers = answers;
    this.newestAt = p;
    if (++this.live > this.limit) this.dropOldest();
  }

  /** Counts an answer to the slot's id; returns the answers so far (2 means two or more). */
  protected answered(slot: number): number {
    if (slot === NEWEST) return (this.newestAnswers = this.newestAnswers < 2 ? this.newestAnswers + 1 : 2);
    const n = this.answers[slot]! < 2 ? this.answers[slot]! + 1 : 2;
    this.answers[slot] = n;
    return n;
  }

  protected seqOf(slot: number): number {
    return slot === NEWEST ? this.newestSeq : this.seqs[slot]!;
  }

  /** Whether `unsigned` is above every id sent in its half (and records it as the highest). */
  private isNew(unsigned: number): boolean {
    if (unsigned >= HIGH_HALF) {
      if (unsigned <= this.highestHigh) return false;
      this.highestHigh = unsigned;
      return true;
    }
    if (unsigned <= this.highestLow) return false;
    this.highestLow = unsigned;
    return true;
  }

  /** Marks the oldest live entry dead (more than `limit` ids were remembered). */
  private dropOldest(): void {
    // Entries before the tail are forgotten by position: nothing is written to drop one.
    if (this.dead > 0) this.skipDeadAtTail();
    this.tail++;
    this.live--;
  }

  /** Moves the tail past dead entries. */
  private skipDeadAtTail(): void {
    const { answers, mask } = this;
    while (this.tail < this.head && answers[this.tail & mask] === DEAD) {
      this.tail++;
      this.dead--;
    }
  }

  /** The ring is full: drop the dead entries at the tail, then grow, or squeeze out dead entries. */
  private makeRoom(): void {
    this.skipDeadAtTail();
    if (this.head - this.tail < this.capacity) return;
    if (this.capacity < this.maxCapacity) this.grow(this.capacity === 0 ? FIRST_CAPACITY : Math.min(this.maxCapacity, this.capacity * GROWTH));
    else this.compact();
  }

  /** Rewrites the live entries, in order, from the tail on (at most `limit` <= half the ring). */
  private compact(): void {
    const { ids, answers, seqs, mask } = this;
    let w = this.tail;
    for (let r = this.tail; r < this.head; r++) {
      const from = r & mask;
      if (answers[from] === DEAD) continue;
      const to = w & mask;
      ids[to] = ids[from]!;
      answers[to] = answers[from]!;
      seqs[to] = seqs[from]!;
      w++;
    }
    this.head = w;
    this.dead = 0;
  }

  private grow(capacity: number): void {
    const ids = new Int32Array(capacity);
    const answers = new Uint8Array(capacity);
    const seqs = new Float64Array(capacity);
    const mask = capacity - 1;
    for (let i = this.tail; i < this.head; i++) {
      const from = i & this.mask;
      ids[i & mask] = this.ids[from]!;
      answers[i & mask] = this.answers[from]!;
      seqs[i & mask] = this.seqs[from]!;
    }
    this.ids = ids;
    this.answers = answers;
    this.seqs = seqs;
    this.capacity = capacity;
    this.mask = mask;
  }
}
