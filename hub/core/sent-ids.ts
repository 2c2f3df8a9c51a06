// The msg_ids a tile was sent, newest send last, with the send sequence number and how many
// answers each got: at most `limit` ids, the one sent longest ago dropped first (a re-send
// moves its id to the newest place). The same bookkeeping as a Map in insertion order with
// delete-and-set per send, without a Map entry or an object per message.
//
// A ring of entries in send order, an entry's fields side by side in one Int32Array (id,
// answers, send number as two words: 16 bytes). A send appends one entry at the head; when
// more than `limit` ids are remembered the tail moves past the oldest live entry. A re-send
// marks its id's older entry dead and appends a new one carrying its answers. Both ends move
// one entry per send, so a send writes next to the last send's and no hash table is touched:
// an open-addressing table (the structure before this one) cost a random cell per insert and
// per eviction, the heaviest part of the reply order in a whole-run profile
// (docs/performance.md).
//
// An id is looked up by scanning back from the newest entry. Nearly every reply answers the
// message sent last (found at once), and a new id above every id sent in its half of the id
// space (the hub's two msg_id ranges each count up, msg-ids.ts) is known to be absent without a
// search: one happens only for a re-send, a stale, replayed or forged reply, or after ids wrap.
// Dead entries of re-sends are squeezed out when the ring fills; the ring holds up to twice
// `limit` entries (growing 4-fold from 64), so that costs at most one pass per `limit` sends.
// Without dead entries (no re-send: a clean run) it never needs more than `limit` entries.
//
// The first ring is small (64 entries, 1 KiB) because a tile of a large array is sent few
// messages: at 4,096 tiles with a block each, 36 per tile in the whole run. Every tile's ring
// is made at its first send, inside the run; a first ring of 256 entries (4 KiB, the size
// before) was 16 MiB of typed-array memory at 4,096 tiles, 64 MiB at 16,384, mostly never
// written, and V8 counts it against its external-memory limit (scavenges and a mark-compact
// marked "external memory pressure"; docs/performance.md, "Allocation at many tiles"). A
// tile sent thousands of messages (the 64-tile default run) grows 64 -> 256 -> 1,024 ->
// 4,096: three copies of at most 1,024 entries, once per tile in the run.
//
// The hub's first rings come from shared chunks (`RingSlab`), 64 rings to a chunk, each a view
// of its part: making a typed array costs ~3.5 us on this machine whatever its size (its
// memory outside the heap, registered with the GC), a view ~0.15 us, and at 4,096 tiles one
// allocation per tile at its first send was ~1.5% of the run's profile. A chunk is made when
// its first ring is taken (inside the run, by the first send that needs it) and is kept
// while any view of it is: a ring that grows leaves its 1 KiB there.
//
// The newest entry's id, send number and answers are also kept as plain fields, where the
// answers are authoritative (written to the ring before the next send), so a reply to the
// message sent last, nearly every reply, touches no ring memory; and while no entry in the ring
// is dead (no re-send: a clean run), dropping the oldest is moving the tail, without reading it.

/** The first ring's entries (a power of two; exported for the tests). */
export const FIRST_CAPACITY = 64;
const GROWTH = 4;
/** `find`: the id is not remembered. */
export const NOT_REMEMBERED = -1;
const NONE = NOT_REMEMBERED;
/** The slot `find` gives for the newest entry (its answers and send number are the fields). */
const NEWEST = -2;
/** Int32 words of an entry: its id, its answers, its send number's low and high 32 bits. */
const WORDS = 4;
const ID = 0;
const ANSWERS = 1;
const SEQ_LO = 2;
const SEQ_HI = 3;
const TWO_32 = 2 ** 32;
/** `answers` of an entry no longer remembered (re-sent later): answers are counted up to 2. */
const DEAD = -1;
/** Ids at and above this are the hub's second msg_id range (msg-ids.ts): each half counts up on its own. */
const HIGH_HALF = 0x80000000;

/** Rings a chunk of a RingSlab holds. */
const RINGS_PER_CHUNK = 64;

/** First rings for many SentIds (one hub's tiles), carved from shared chunks. */
export class RingSlab {
  private chunk = new Int32Array(0);
  private used = 0;

  /** A zeroed first ring (FIRST_CAPACITY entries) of its own. */
  take(): Int32Array {
    const words = FIRST_CAPACITY * WORDS;
    if (this.used === this.chunk.length) {
      this.chunk = new Int32Array(words * RINGS_PER_CHUNK);
      this.used = 0;
    }
    const ring = this.chunk.subarray(this.used, this.used + words);
    this.used += words;
    return ring;
  }
}

export class SentIds {
  /** Ring capacity in entries (a power of two); `mask` = capacity - 1. */
  private mask = -1;
  private capacity = 0;
  private readonly maxCapacity: number;
  /** Entry at ring position p: words p * WORDS + ID, ANSWERS, SEQ_LO, SEQ_HI. */
  private entries: Int32Array = new Int32Array(0);
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

  /** `slab`: where the first ring comes from (null: a typed array of its own). */
  constructor(
    private readonly limit: number,
    private readonly slab: RingSlab | null = null,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`sent-id limit ${limit} must be a positive integer`);
    this.maxCapacity = Math.max(FIRST_CAPACITY, 2 ** Math.ceil(Math.log2(2 * limit)));
  }

  /** Entries the ring has room for now (it grows at run time; a test reads it). */
  get ringCapacity(): number {
    return this.capacity;
  }

  /** The slot holding `msgId` (a ring position, or NEWEST), or -1 when it is not remembered.
   *  Valid until the next `sent`. */
  protected find(msgId: number): number {
    const id = msgId | 0;
    if (this.head === 0) return NONE;
    if (id === this.newestId) return NEWEST;
    const { entries, mask } = this;
    for (let i = this.head - 2; i >= this.tail; i--) {
      const at = (i & mask) * WORDS;
      if (entries[at + ID] === id && entries[at + ANSWERS] !== DEAD) return i & mask;
    }
    return NONE;
  }

  /** `msgId` was sent as send number `seq`: it becomes the newest (a re-send keeps its answers). */
  protected sent(msgId: number, seq: number): void {
    if (this.head > 0) this.entries[this.newestAt * WORDS + ANSWERS] = this.newestAnswers; // the ring is whole again
    let answers = 0;
    if (this.isNew(msgId >>> 0)) {
      // Above every id sent in its half: not remembered, nothing to look up.
    } else {
      let slot = this.find(msgId);
      if (slot === NEWEST) slot = this.newestAt;
      if (slot >= 0) {
        answers = this.entries[slot * WORDS + ANSWERS]!;
        this.entries[slot * WORDS + ANSWERS] = DEAD;
        this.dead++;
        this.live--;
      }
    }
    // The oldest goes before the newest comes (nothing reads the ring in between): a clean
    // run's ring then never holds more than `limit` entries and never grows to twice that
    // (docs/performance.md, "The hub per chunk, round 7").
    if (this.live === this.limit) this.dropOldest();
    if (this.head - this.tail === this.capacity) this.makeRoom();
    const p = this.head & this.mask;
    const at = p * WORDS;
    this.entries[at + ID] = msgId | 0;
    this.entries[at + ANSWERS] = answers;
    this.entries[at + SEQ_LO] = seq | 0;
    this.entries[at + SEQ_HI] = Math.floor(seq / TWO_32);
    this.head++;
    this.newestId = msgId | 0;
    this.newestSeq = seq;
    this.newestAnswers = answers;
    this.newestAt = p;
    this.live++;
  }

  /** The first answer to the newest entry when its id is `msgId` and its send number is at
   *  least `notBefore`: counted as `answered` counts it, and its send number returned; else -1
   *  with nothing changed. `find`, `answered` and `seqOf` in one for the reply nearly every
   *  reply is (ReplyOrder.arrivedNewest). */
  protected firstAnswerToNewest(msgId: number, notBefore: number): number {
    if (this.head === 0 || (msgId | 0) !== this.newestId || this.newestAnswers !== 0 || this.newestSeq < notBefore) return -1;
    this.newestAnswers = 1;
    return this.newestSeq;
  }

  /** Counts an answer to the slot's id; returns the answers so far (2 means two or more). */
  protected answered(slot: number): number {
    if (slot === NEWEST) return (this.newestAnswers = this.newestAnswers < 2 ? this.newestAnswers + 1 : 2);
    const at = slot * WORDS + ANSWERS;
    const n = this.entries[at]! < 2 ? this.entries[at]! + 1 : 2;
    this.entries[at] = n;
    return n;
  }

  protected seqOf(slot: number): number {
    if (slot === NEWEST) return this.newestSeq;
    const at = slot * WORDS;
    return this.entries[at + SEQ_HI]! * TWO_32 + (this.entries[at + SEQ_LO]! >>> 0);
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

  /** Forgets the oldest live entry (more than `limit` ids were remembered). */
  private dropOldest(): void {
    // Entries before the tail are forgotten by position: nothing is written to drop one.
    if (this.dead > 0) this.skipDeadAtTail();
    this.tail++;
    this.live--;
  }

  /** Moves the tail past dead entries. */
  private skipDeadAtTail(): void {
    const { entries, mask } = this;
    while (this.tail < this.head && entries[(this.tail & mask) * WORDS + ANSWERS] === DEAD) {
      this.tail++;
      this.dead--;
    }
  }

  /** The ring is full: drop the dead entries at the tail, then grow, or squeeze out dead entries. */
  private makeRoom(): void {
    this.skipDeadAtTail();
    if (this.head - this.tail < this.capacity) return;
    if (this.capacity === 0) this.grow(FIRST_CAPACITY);
    else if (this.capacity < this.maxCapacity) this.grow(Math.min(this.maxCapacity, this.capacity * GROWTH));
    else this.compact();
  }

  /** Rewrites the live entries, in order, from the tail on (at most `limit` <= half the ring). */
  private compact(): void {
    const { entries, mask } = this;
    let w = this.tail;
    for (let r = this.tail; r < this.head; r++) {
      const from = (r & mask) * WORDS;
      if (entries[from + ANSWERS] === DEAD) continue;
      entries.copyWithin((w & mask) * WORDS, from, from + WORDS);
      w++;
    }
    this.head = w;
    this.dead = 0;
  }

  private grow(capacity: number): void {
    // The first ring is empty (nothing to copy): from the slab when there is one.
    const entries = this.capacity === 0 && this.slab !== null ? this.slab.take() : new Int32Array(capacity * WORDS);
    const mask = capacity - 1;
    const old = this.entries;
    // Word by word: a view per entry (subarray) made thousands of objects per growth, at run time.
    for (let i = this.tail; i < this.head; i++) {
      const from = (i & this.mask) * WORDS;
      const to = (i & mask) * WORDS;
      entries[to] = old[from]!;
      entries[to + 1] = old[from + 1]!;
      entries[to + 2] = old[from + 2]!;
      entries[to + 3] = old[from + 3]!;
    }
    this.entries = entries;
    this.capacity = capacity;
    this.mask = mask;
  }
}
