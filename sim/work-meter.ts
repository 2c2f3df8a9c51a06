// One tile's meter of kernel work: the work counters' delta across each message, priced by
// the cost model, and the run's totals, in one record of numbers per tile (tiles' records side
// by side in shared pages). It prices exactly as workCyclesInto (message-cost.ts) does, term
// by term in the same order, with the model's per-unit figures read once instead of through
// the cost functions' argument checks on every message (a counter delta is always an integer
// >= 0); a model or shape those figures cannot come from (a metric the fp16 kernel has no cost
// for, a k below 1, a missing figure) is priced by workCyclesInto itself, with its errors.
//
// A message's "before" is the counters the previous charge left in the record: the counters
// are not read before the call unless something else may have changed them since (the caller
// says so by calling `start`: TileNode.run). Per message the record's lines are first touches
// of memory the kernel's call has just evicted, so a block chunk's figures share two of them
// (docs/performance.md, "The deliver path in one pass" and "The tile call, round 6").
import {
  advanceWorkCounter,
  snapshotWorkCounters,
  W_CRC_BYTES,
  W_DEQUANT,
  W_DIST_ELEMS,
  W_DISTANCES,
  W_IO_BYTES,
  W_LZ4_SEQUENCES,
  W_MERGED,
  W_MESSAGES,
  W_PQ_CODES,
  WORK_COUNTER_WORDS,
  WORK_SNAPSHOT_WORDS,
} from '../tile/work-counters.ts';
import type { CostModel } from './cost-model.ts';
import { workCyclesInto, zeroWorkCounts, zeroWorkCycles, type ComputeShape, type TileWorkCounts, type TileWorkCycles } from './message-cost.ts';

// A record: the counters as the tile's last charged message left them ([0, 9), in the
// WorkCounters order), then the run's counts and cycles. A block chunk, nearly every message,
// moves only the I/O and message counters: their counts and the io, dispatch and total cycles
// come first ([9, 14)), then the owner's two numbers ([14, 16): TileNode's busy times, read by
// the same delivery), so such a message touches the record's first 128 bytes; a counter at 0
// adds nothing (x + 0 is x for the totals, which are never -0).
const N_MESSAGES = 9;
const N_IO = 10;
const C_IO = 11;
const C_DISPATCH = 12;
const C_TOTAL = 13;
/** The two numbers of a record that are its owner's (zero at first, never touched by the meter). */
export const RECORD_OWNER_0 = 14;
export const RECORD_OWNER_1 = 15;
const N_DISTANCES = 16;
const N_DIST_ELEMS = 17;
const N_MERGED = 18;
const N_CRC = 19;
const N_DEQUANT = 20;
const N_PQ = 21;
const N_LZ4 = 22;
const C_DISTANCE = 23;
const C_MERGE = 24;
const C_CRC = 25;
const C_DEQUANT = 26;
const C_PQ = 27;
const C_LZ4 = 28;
/** Numbers per record (29 used): 256 bytes, so every record starts at the same offset within a cache line as its page. */
const RECORD_STRIDE = 32;
/** Records per shared page: the tiles' records side by side in one Float64Array, so a delivery reads no typed-array object of its tile's own. */
const PAGE_RECORDS = 64;
/** Where each count sits, in the WorkCounters order; each cycles figure, in the TileWorkCycles order. */
const COUNT_AT = [N_DISTANCES, N_DIST_ELEMS, N_MERGED, N_CRC, N_DEQUANT, N_IO, N_MESSAGES, N_PQ, N_LZ4] as const;
const CYCLES_AT = [C_DISTANCE, C_MERGE, C_CRC, C_IO, C_DISPATCH, C_DEQUANT, C_PQ, C_LZ4, C_TOTAL] as const;
// The delta of a message priced through the cost functions (a model whose figures cannot be
// read once), in the WorkCounters order; the per-message path keeps its delta in locals (a
// shared scratch array would be one more line the kernel's call evicts).
const DELTA = new Float64Array(WORK_SNAPSHOT_WORDS);
const MESSAGES = 6;

let page = new Float64Array(0);
let pageUsed = PAGE_RECORDS;

/** A new record's page and offset (zeroed). */
function newRecord(): { page: Float64Array; at: number } {
  if (pageUsed === PAGE_RECORDS) {
    page = new Float64Array(PAGE_RECORDS * RECORD_STRIDE);
    pageUsed = 0;
  }
  return { page, at: RECORD_STRIDE * pageUsed++ };
}

/** The model's per-unit cycles for the fp16 kernel and this shape (workCyclesInto's figures), or null when they cannot be read once. */
/** The model's per-unit figures (opaque outside this file: `chargeRecord` reads them). */
export interface Prices {
  lanesPerChunk: number;
  chunkCycles: number;
  perDistance: number;
  comparePerCandidate: number;
  siftLevels: number;
  siftPerLevel: number;
  crcFixed: number;
  crcPerByte: number;
  ioFixed: number;
  ioBytesPerChunk: number;
  ioCyclesPerChunk: number;
  dispatch: number;
  dequantPer8: number;
  pqPerCode: number;
  lz4PerSequence: number;
}

/** The prices last made, for the model and shape they were made for: every tile of a run shares them (one object for all, warm in cache). */
let lastPrices: { model: CostModel; metric: ComputeShape['metric']; k: number; prices: Prices | null } | null = null;

function sharedPrices(model: CostModel, shape: ComputeShape): Prices | null {
  const last = lastPrices;
  if (last !== null && last.model === model && last.metric === shape.metric && last.k === shape.k) return last.prices;
  const prices = pricesOf(model, shape);
  lastPrices = { model, metric: shape.metric, k: shape.k, prices };
  return prices;
}

function pricesOf(model: CostModel, shape: ComputeShape): Prices | null {
  const kernel = model.distance?.fp16;
  const metricCycles = kernel?.metricCyclesPerChunk?.[shape.metric];
  if (kernel === undefined || metricCycles === undefined || !Number.isSafeInteger(shape.k) || shape.k < 1) return null;
  const p: Prices = {
    lanesPerChunk: kernel.lanesPerChunk,
    // workDistanceCycles' grouping: (common + metric + loop) per chunk, (fixed + finish) per distance.
    chunkCycles: kernel.commonCyclesPerChunk + metricCycles + model.loopCyclesPerChunk,
    perDistance: model.distanceFixedCycles + (shape.metric === 'cosine' ? model.cosineFinishCycles : 0),
    comparePerCandidate: model.topkCompareCyclesPerCandidate,
    siftLevels: Math.max(1, Math.ceil(Math.log2(shape.k))),
    siftPerLevel: model.topkSiftCyclesPerLevel,
    crcFixed: model.crc32cFixedCycles,
    crcPerByte: model.crc32cCyclesPerByte,
    ioFixed: model.ioCopyFixedCycles,
    ioBytesPerChunk: model.ioCopyBytesPerChunk,
    ioCyclesPerChunk: model.ioCopyCyclesPerChunk,
    dispatch: model.messageDispatchCycles,
    dequantPer8: model.dequantCyclesPer8Elems,
    pqPerCode: model.pqCyclesPerCode,
    lz4PerSequence: model.lz4CyclesPerSequence,
  };
  // A figure that is not a number (a hand-made model) is priced by the cost functions, as before.
  for (const v of Object.values(p)) if (typeof v !== 'number') return null;
  return p;
}

/**
 * One message's charge on a record (`rec[at..]`) with the model's figures read once: the
 * counters' delta since the record's "before" (the counters now become the next "before"),
 * priced as workCyclesInto prices it and added to the totals; null (nothing added) when the
 * delta is not exactly one message. The tile's per-message path, without the meter object.
 */
export function chargeRecord(rec: Float64Array, at: number, p: Prices, words: Uint32Array): number | null {
  // Every counter is advanced, whatever the message counted: the record's "before" is the counters now.
  const distances = advanceWorkCounter(words, W_DISTANCES, rec, at);
  const distElems = advanceWorkCounter(words, W_DIST_ELEMS, rec, at + 1);
  const merged = advanceWorkCounter(words, W_MERGED, rec, at + 2);
  const crcBytes = advanceWorkCounter(words, W_CRC_BYTES, rec, at + 3);
  const dequant = advanceWorkCounter(words, W_DEQUANT, rec, at + 4);
  const ioBytes = advanceWorkCounter(words, W_IO_BYTES, rec, at + 5);
  const messages = advanceWorkCounter(words, W_MESSAGES, rec, at + 6);
  const pqCodes = advanceWorkCounter(words, W_PQ_CODES, rec, at + 7);
  const lz4 = advanceWorkCounter(words, W_LZ4_SEQUENCES, rec, at + 8);
  if (messages !== 1) return null;
  // workCyclesInto's terms, each in its formula's order: a counter at 0 costs 0.
  const io = ioBytes === 0 ? 0 : p.ioFixed + Math.ceil(ioBytes / p.ioBytesPerChunk) * p.ioCyclesPerChunk;
  const dispatch = 1 * p.dispatch;
  // Without the rare terms the sum is io + dispatch (their 0s add nothing).
  const rare = distances !== 0 || distElems !== 0 || merged !== 0 || crcBytes !== 0 || dequant !== 0 || pqCodes !== 0 || lz4 !== 0;
  const total = rare ? chargeRare(rec, at, p, distances, distElems, merged, crcBytes, io, dispatch, dequant, pqCodes, lz4) : io + dispatch;
  rec[at + N_MESSAGES] = rec[at + N_MESSAGES]! + 1;
  rec[at + N_IO] = rec[at + N_IO]! + ioBytes;
  rec[at + C_IO] = rec[at + C_IO]! + io;
  rec[at + C_DISPATCH] = rec[at + C_DISPATCH]! + dispatch;
  rec[at + C_TOTAL] = rec[at + C_TOTAL]! + total;
  return total;
}

/**
 * The counts and cycles of the counters a block chunk leaves at 0 (distances, merge, CRC,
 * dequant, PQ, LZ4), added to the totals; the message's total, summed in workCyclesInto's
 * order (distance, merge, crc, io, dispatch, dequant, pq, lz4).
 */
function chargeRare(rec: Float64Array, at: number, p: Prices, distances: number, distElems: number, merged: number, crcBytes: number, io: number, dispatch: number, dequant: number, pqCodes: number, lz4: number): number {
  const distance = distances === 0 && distElems === 0 ? 0 : Math.ceil(distElems / p.lanesPerChunk) * p.chunkCycles + distances * p.perDistance;
  const merge = merged === 0 ? 0 : merged * p.comparePerCandidate + merged * p.siftLevels * p.siftPerLevel;
  const crc = crcBytes === 0 ? 0 : p.crcFixed + crcBytes * p.crcPerByte;
  const dq = dequant === 0 ? 0 : Math.ceil(dequant / 8) * p.dequantPer8;
  const pq = pqCodes === 0 ? 0 : pqCodes * p.pqPerCode;
  const lz = lz4 === 0 ? 0 : lz4 * p.lz4PerSequence;
  rec[at + N_DISTANCES] = rec[at + N_DISTANCES]! + distances;
  rec[at + N_DIST_ELEMS] = rec[at + N_DIST_ELEMS]! + distElems;
  rec[at + N_MERGED] = rec[at + N_MERGED]! + merged;
  rec[at + N_CRC] = rec[at + N_CRC]! + crcBytes;
  rec[at + N_DEQUANT] = rec[at + N_DEQUANT]! + dequant;
  rec[at + N_PQ] = rec[at + N_PQ]! + pqCodes;
  rec[at + N_LZ4] = rec[at + N_LZ4]! + lz4;
  rec[at + C_DISTANCE] = rec[at + C_DISTANCE]! + distance;
  rec[at + C_MERGE] = rec[at + C_MERGE]! + merge;
  rec[at + C_CRC] = rec[at + C_CRC]! + crc;
  rec[at + C_DEQUANT] = rec[at + C_DEQUANT]! + dq;
  rec[at + C_PQ] = rec[at + C_PQ]! + pq;
  rec[at + C_LZ4] = rec[at + C_LZ4]! + lz;
  return distance + merge + crc + io + dispatch + dq + pq + lz;
}

/**
 * One tile's meter: its record (in a page shared with other tiles' records), the model's
 * figures, and the model and shape for what those figures cannot price.
 */
export class WorkMeter {
  /** The page holding the record, and where the record starts in it. */
  readonly page: Float64Array;
  readonly at: number;
  /** The model's figures read once (shared by every meter of the model and shape), or null: then every charge goes through the cost functions. */
  readonly prices: Prices | null;

  constructor(
    private readonly model: CostModel,
    private readonly shape: ComputeShape,
  ) {
    const { page, at } = newRecord();
    this.page = page;
    this.at = at;
    this.prices = sharedPrices(model, shape);
  }

  /**
   * Just before the kernel call: the counters as they are, the next charge's "before". A
   * caller that knows nothing changed them since the last charge (which left them there) may
   * skip it; whoever cannot (a new memory, another image run on it, a host write, a trap that
   * charged nothing) calls it (TileNode.run).
   */
  start(words: Uint32Array): void {
    snapshotWorkCounters(words, this.page, this.at);
  }

  /**
   * Just after (on the same `words`): the cycles of what the counters say the message did,
   * added to the run's totals; the counters now are the next message's "before". A delta that
   * is not exactly one message (a corrupted image scribbled on the counters, a dispatch that
   * did not count) is not trusted: null, and nothing is added.
   */
  charge(words: Uint32Array): number | null {
    const p = this.prices;
    if (p !== null) return chargeRecord(this.page, this.at, p, words);
    for (let i = 0; i < WORK_SNAPSHOT_WORDS; i++) DELTA[i] = advanceWorkCounter(words, WORK_COUNTER_WORDS[i]!, this.page, this.at + i);
    return DELTA[MESSAGES] !== 1 ? null : this.chargeThroughModel();
  }

  /** The delta priced by workCyclesInto itself (the cost functions' checks and errors included). */
  private chargeThroughModel(): number {
    const r = this.page;
    const c = workCyclesInto(this.model, this.shape, countsOf(DELTA, 0, null), zeroWorkCycles());
    for (let i = 0; i < WORK_SNAPSHOT_WORDS; i++) r[this.at + COUNT_AT[i]!] = r[this.at + COUNT_AT[i]!]! + DELTA[i]!;
    let i = 0;
    for (const key in c) {
      const at = this.at + CYCLES_AT[i++]!;
      r[at] = r[at]! + c[key as keyof TileWorkCycles];
    }
    return c.total;
  }

  /** What the kernel did over every message charged, by its counters. */
  get counts(): TileWorkCounts {
    return countsOf(this.page, this.at, COUNT_AT);
  }

  /** The cycles charged for it, by category. */
  get cycles(): TileWorkCycles {
    const c = zeroWorkCycles();
    let i = 0;
    for (const key in c) c[key as keyof TileWorkCycles] = this.page[this.at + CYCLES_AT[i++]!]!;
    return c;
  }
}

/** Nine counts as an object in the WorkCounters order: `a[base + at[i]]`, or `a[base + i]` without `at`. */
function countsOf(a: Float64Array, base: number, at: readonly number[] | null): TileWorkCounts {
  const c = zeroWorkCounts();
  let i = 0;
  for (const key in c) {
    c[key as keyof TileWorkCounts] = a[base + (at === null ? i : at[i]!)]!;
    i++;
  }
  return c;
}
