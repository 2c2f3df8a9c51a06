// Chips (issue 17, spec section 5 "RVF Hot Profile (Chip)"): the mesh's tiles grouped into
// chips of `tilesPerChip` consecutive tile ids, each chip with one shared memory its tiles
// reach. The shared memory holds the index's Layer A (every node above layer 0: its vector
// and its upper-layer lists, pinned) and, in what is left, a vector cache (LRU).
//
// The hub mirrors each chip's memory exactly (the same deterministic inputs in the same
// order), so it knows which vectors a chip holds when it builds a block for one of its
// tiles: those vectors' bytes do not cross the hub link, the chip fills them in from its
// memory. The tile receives the same bytes either way, so answers are identical; only the
// hub-link bytes and the timing change. Costs: docs/cost-model.md ("Chips").

/** How a run's tiles are grouped into chips. */
export interface ChipLayout {
  chips: number;
  tilesPerChip: number;
  /** Shared memory per chip, bytes. */
  sharedBytes: number;
  /** false: no vector cache (Layer A stays: it is the index, not the cache). */
  cache: boolean;
  /** Pull: one query's walks spread over one chip's tiles with a shared visited set (chip-beam.ts). */
  beam?: boolean;
}

/** The spec's "~10K vectors in shared cache" at 384 fp16 dims (776 B a vector), plus room for Layer A. */
export const DEFAULT_CHIP_SHARED_BYTES = 8 * 1024 * 1024;
export const DEFAULT_TILES_PER_CHIP = 16;

/** Cycles from a tile's request to the first byte out of chip shared memory (assumption, docs/cost-model.md). */
export const CHIP_SHARED_LATENCY_CYCLES = 20;
/** Bytes per cycle chip shared memory delivers into the chip's mesh (assumption: one 128-bit word a cycle). */
export const CHIP_SHARED_BYTES_PER_CYCLE = 16;

/** Cycles the chip spends reading `bytes` out of its shared memory for one message. */
export function chipReadCycles(bytes: number): number {
  return bytes === 0 ? 0 : CHIP_SHARED_LATENCY_CYCLES + Math.ceil(bytes / CHIP_SHARED_BYTES_PER_CYCLE);
}

export class ChipLayoutError extends RangeError {
  override name = 'ChipLayoutError';
}

/** What is pinned in every chip: Layer A's vector ids and its size in bytes. */
export interface LayerA {
  ids: ReadonlySet<number>;
  bytes: number;
}

/** One chip's shared memory as the hub mirrors it. */
export class ChipMemory {
  /** Cached vector ids, least recently used first (Map keeps insertion order). */
  private readonly cached = new Map<number, true>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly layerA: LayerA,
    /** Vectors the cache holds at most (0: cache off). */
    readonly cacheVectors: number,
  ) {}

  /**
   * Whether the chip holds each id, in order; a held cached id becomes most recently used,
   * a missing one is stored as it passes through (evicting the least recently used).
   */
  serve(ids: readonly number[]): boolean[] {
    return ids.map((id) => {
      if (this.layerA.ids.has(id)) {
        this.hits++;
        return true;
      }
      if (this.cached.delete(id)) {
        this.cached.set(id, true);
        this.hits++;
        return true;
      }
      this.misses++;
      if (this.cacheVectors > 0) {
        if (this.cached.size >= this.cacheVectors) this.cached.delete(this.cached.keys().next().value as number);
        this.cached.set(id, true);
      }
      return false;
    });
  }
}

/**
 * Cycles the chip spends on `entries` lookups or claims in a chip beam's shared visited set
 * (chip-beam.ts): one shared-memory access each, not overlapped (assumption, docs/cost-model.md).
 */
export function sharedSetCycles(entries: number): number {
  return entries * CHIP_SHARED_LATENCY_CYCLES;
}

/** Per message (by msg_id): bytes the chip serves instead of the hub link, and other chip work on its way. The transport takes them. */
export class ChipLedger {
  private readonly saved = new Map<number, number>();
  private readonly work = new Map<number, number>();
  /** Hub-link bytes saved over the run (messages actually sent). */
  savedBytes = 0;
  /** Cycles of chip work (the chip beam's shared set) charged to messages sent. */
  workCycles = 0;

  note(msgId: number, bytes: number): void {
    if (bytes > 0) this.saved.set(msgId, bytes);
  }

  /** The chip works `cycles` on message `msgId` before passing it to the tile. */
  noteWork(msgId: number, cycles: number): void {
    if (cycles > 0) this.work.set(msgId, cycles);
  }

  /** The chip work on message `msgId`, in cycles (once, as `take`: the set is updated when the message first passes). */
  workOn(msgId: number): number {
    const c = this.work.get(msgId) ?? 0;
    this.work.delete(msgId);
    this.workCycles += c;
    return c;
  }

  /** The bytes the chip serves of message `msgId` (once: a re-sent message crosses the hub link whole). */
  take(msgId: number): number {
    const b = this.saved.get(msgId) ?? 0;
    this.saved.delete(msgId);
    this.savedBytes += b;
    return b;
  }
}

/** Every chip's memory, the tile -> chip map, and the ledger the transport reads. */
export class Chips {
  readonly memories: ChipMemory[];
  readonly ledger = new ChipLedger();
  readonly cacheVectors: number;

  constructor(
    readonly layout: ChipLayout,
    readonly layerA: LayerA,
    /** Bytes one cached vector takes (the block stride). */
    vectorBytes: number,
  ) {
    checkLayout(layout);
    const free = layout.sharedBytes - layerA.bytes;
    if (free < 0) {
      throw new ChipLayoutError(`--chip-memory ${layout.sharedBytes} B cannot hold the index's Layer A (${layerA.ids.size} nodes, ${layerA.bytes} B); give at least ${layerA.bytes} B`);
    }
    this.cacheVectors = layout.cache ? Math.floor(free / vectorBytes) : 0;
    this.memories = Array.from({ length: layout.chips }, () => new ChipMemory(layerA, this.cacheVectors));
  }

  chipOf(tileId: number): number {
    return Math.floor(tileId / this.layout.tilesPerChip);
  }

  memoryOf(tileId: number): ChipMemory {
    return this.memories[this.chipOf(tileId)]!;
  }

  get hits(): number {
    return this.memories.reduce((a, m) => a + m.hits, 0);
  }

  get misses(): number {
    return this.memories.reduce((a, m) => a + m.misses, 0);
  }
}

function checkLayout(l: ChipLayout): void {
  for (const [name, v] of [['--chips', l.chips], ['--tiles-per-chip', l.tilesPerChip], ['--chip-memory', l.sharedBytes]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new ChipLayoutError(`${name} must be a whole number of at least 1, got ${v}`);
  }
}

/**
 * Bytes of each chunk of an explicit-id block stream that are vectors the chip holds:
 * vector i is bytes [i * stride, (i + 1) * stride) of the stream, a chunk covers
 * [start, end). The ids at the stream's end always cross the hub link (they name what
 * the chip fills in).
 */
export function heldBytesPerChunk(held: readonly boolean[], stride: number, chunkRanges: readonly (readonly [number, number])[]): number[] {
  return chunkRanges.map(([start, end]) => {
    let bytes = 0;
    const first = Math.floor(start / stride);
    for (let i = first; i < held.length && i * stride < end; i++) {
      if (!held[i]) continue;
      bytes += Math.min(end, (i + 1) * stride) - Math.max(start, i * stride);
    }
    return bytes;
  });
}
