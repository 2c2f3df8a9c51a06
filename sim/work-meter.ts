// One tile's meter of kernel work: the work counters read before and after each message,
// the delta priced by the cost model, and the run's totals, all in one Float64Array per
// tile. It prices exactly as workCyclesInto (message-cost.ts) does, term by term in the same
// order, with the model's per-unit figures read once instead of through the cost functions'
// argument checks on every message (a counter delta is always an integer >= 0); a model or
// shape those figures cannot come from (a metric the fp16 kernel has no cost for, a k below
// 1, a missing figure) is priced by workCyclesInto itself, with the cost functions' errors.
//
// Per message the delta, its cycles and the totals used to be four objects and a snapshot
// array per tile; one record touches fewer lines of memory the kernel's call has just evicted
// (docs/performance.md, "The deliver path in one pass").
import { snapshotWorkCounters, WORK_SNAPSHOT_WORDS, workDeltaAdvance } from '../tile/work-counters.ts';
import type { CostModel } from './cost-model.ts';
import { workCyclesInto, zeroWorkCounts, zeroWorkCycles, type ComputeShape, type TileWorkCounts, type TileWorkCycles } from './message-cost.ts';

// The record: the counters as the tile's last charged message left them ([0, 9), in the
// WorkCounters order), then the run's counts and cycles. A block chunk, nearly every message,
// moves only the I/O and message counters: their counts and the io, dispatch and total cycles
// come first ([9, 14)), so such a message touches the record's first 112 bytes (two lines) of
// its 216; a counter at 0 adds nothing (x + 0 is x for the totals, which are never -0).
const N_MESSAGES = 9;
const N_IO = 10;
const C_IO = 11;
const C_DISPATCH = 12;
const C_TOTAL = 13;
const N_DISTANCES = 14;
const N_DIST_ELEMS = 15;
const N_MERGED = 16;
const N_CRC = 17;
const N_DEQUANT = 18;
const N_PQ = 19;
const N_LZ4 = 20;
const C_DISTANCE = 21;
const C_MERGE = 22;
const C_CRC = 23;
const C_DEQUANT = 24;
const C_PQ = 25;
const C_LZ4 = 26;
const RECORD = 27;
/** Where each count sits, in the WorkCounters order; each cycles figure, in the TileWorkCycles order. */
const COUNT_AT = [N_DISTANCES, N_DIST_ELEMS, N_MERGED, N_CRC, N_DEQUANT, N_IO, N_MESSAGES, N_PQ, N_LZ4] as const;
const CYCLES_AT = [C_DISTANCE, C_MERGE, C_CRC, C_IO, C_DISPATCH, C_DEQUANT, C_PQ, C_LZ4, C_TOTAL] as const;
// One message's delta, in the WorkCounters order: shared by every tile (the meter is not
// re-entrant), so it is always in cache, not a line of each tile's record.
const DISTANCES = 0;
const DIST_ELEMS = 1;
const MERGED = 2;
const CRC_BYTES = 3;
const DEQUANT = 4;
const IO_BYTES = 5;
const MESSAGES = 6;
const PQ_CODES = 7;
const LZ4 = 8;
const DELTA = new Float64Array(WORK_SNAPSHOT_WORDS);

/** The model's per-unit cycles for the fp16 kernel and this shape (workCyclesInto's figures), or null when they cannot be read once. */
interface Prices {
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

export class WorkMeter {
  private readonly r = new Float64Array(RECORD);
  private readonly prices: Prices | null;
  /**
   * The tile memory whose counters the record's first nine numbers are (set by `start` and by
   * every `charge`), or null. A message's "before" is then the previous charge's "after", with
   * no read of the counters before the call, as long as nothing else changed them in between:
   * whoever runs other code on the memory or writes it outside a charged message (a corrupted
   * image, a watchdog stop that charges nothing, a host write) calls `forget` (TileNode does).
   */
  private heldFor: Uint32Array | null = null;

  constructor(
    private readonly model: CostModel,
    private readonly shape: ComputeShape,
  ) {
    this.prices = sharedPrices(model, shape);
  }

  /** Just before the kernel call: the counters as they are, unless the last charge left them for this memory. */
  start(words: Uint32Array): void {
    if (this.heldFor === words) return;
    snapshotWorkCounters(words, this.r);
    this.heldFor = words;
  }

  /** The counters may have changed since the last charge (or start): the next start reads them. */
  forget(): void {
    this.heldFor = null;
  }

  /**
   * Just after (on the same `words` as `start`): the cycles of what the counters say the
   * message did, added to the run's totals; the counters now are the next message's "before".
   * A delta that is not exactly one message (a corrupted image scribbled on the counters, a
   * dispatch that did not count) is not trusted: null, and nothing is added.
   */
  charge(words: Uint32Array): number | null {
    const r = this.r;
    const d = DELTA;
    workDeltaAdvance(words, r, d);
    this.heldFor = words;
    if (d[MESSAGES] !== 1) return null;
    const p = this.prices;
    if (p === null) return this.chargeThroughModel();
    const ioBytes = d[IO_BYTES]!;
    // workCyclesInto's terms, each in its formula's order: a counter at 0 costs 0.
    const io = ioBytes === 0 ? 0 : p.ioFixed + Math.ceil(ioBytes / p.ioBytesPerChunk) * p.ioCyclesPerChunk;
    const dispatch = 1 * p.dispatch;
    const c = this.chargeRare(p);
    // The sum in workCyclesInto's order (distance, merge, crc, io, dispatch, dequant, pq, lz4);
    // without the rare terms it is io + dispatch (their 0s add nothing).
    const total = c === null ? io + dispatch : c[0]! + c[1]! + c[2]! + io + dispatch + c[3]! + c[4]! + c[5]!;
    r[N_MESSAGES] = r[N_MESSAGES]! + 1;
    r[N_IO] = r[N_IO]! + ioBytes;
    r[C_IO] = r[C_IO]! + io;
    r[C_DISPATCH] = r[C_DISPATCH]! + dispatch;
    r[C_TOTAL] = r[C_TOTAL]! + total;
    return total;
  }

  /**
   * The counts and cycles of the counters a block chunk leaves at 0 (distances, merge, CRC,
   * dequant, PQ, LZ4), added to the totals, their cycles into RARE (distance, merge, crc,
   * dequant, pq, lz4); null, touching nothing, when all of them are 0.
   */
  private chargeRare(p: Prices): Float64Array | null {
    const d = DELTA;
    const distances = d[DISTANCES]!;
    const distElems = d[DIST_ELEMS]!;
    const merged = d[MERGED]!;
    const crcBytes = d[CRC_BYTES]!;
    const dequant = d[DEQUANT]!;
    const pqCodes = d[PQ_CODES]!;
    const lz4 = d[LZ4]!;
    if ((distances === 0) && (distElems === 0) && (merged === 0) && (crcBytes === 0) && (dequant === 0) && (pqCodes === 0) && (lz4 === 0)) return null;
    const r = this.r;
    const c = RARE;
    c[0] = distances === 0 && distElems === 0 ? 0 : Math.ceil(distElems / p.lanesPerChunk) * p.chunkCycles + distances * p.perDistance;
    c[1] = merged === 0 ? 0 : merged * p.comparePerCandidate + merged * p.siftLevels * p.siftPerLevel;
    c[2] = crcBytes === 0 ? 0 : p.crcFixed + crcBytes * p.crcPerByte;
    c[3] = dequant === 0 ? 0 : Math.ceil(dequant / 8) * p.dequantPer8;
    c[4] = pqCodes === 0 ? 0 : pqCodes * p.pqPerCode;
    c[5] = lz4 === 0 ? 0 : lz4 * p.lz4PerSequence;
    r[N_DISTANCES] = r[N_DISTANCES]! + distances;
    r[N_DIST_ELEMS] = r[N_DIST_ELEMS]! + distElems;
    r[N_MERGED] = r[N_MERGED]! + merged;
    r[N_CRC] = r[N_CRC]! + crcBytes;
    r[N_DEQUANT] = r[N_DEQUANT]! + dequant;
    r[N_PQ] = r[N_PQ]! + pqCodes;
    r[N_LZ4] = r[N_LZ4]! + lz4;
    r[C_DISTANCE] = r[C_DISTANCE]! + c[0];
    r[C_MERGE] = r[C_MERGE]! + c[1];
    r[C_CRC] = r[C_CRC]! + c[2];
    r[C_DEQUANT] = r[C_DEQUANT]! + c[3];
    r[C_PQ] = r[C_PQ]! + c[4];
    r[C_LZ4] = r[C_LZ4]! + c[5];
    return c;
  }

  /** The delta priced by workCyclesInto itself (the cost functions' checks and errors included). */
  private chargeThroughModel(): number {
    const r = this.r;
    const c = workCyclesInto(this.model, this.shape, countsOf(DELTA, null), zeroWorkCycles());
    for (let i = 0; i < WORK_SNAPSHOT_WORDS; i++) r[COUNT_AT[i]!] = r[COUNT_AT[i]!]! + DELTA[i]!;
    let i = 0;
    for (const key in c) {
      const at = CYCLES_AT[i++]!;
      r[at] = r[at]! + c[key as keyof TileWorkCycles];
    }
    return c.total;
  }

  /** What the kernel did over every message charged, by its counters. */
  get counts(): TileWorkCounts {
    return countsOf(this.r, COUNT_AT);
  }

  /** The cycles charged for it, by category. */
  get cycles(): TileWorkCycles {
    const c = zeroWorkCycles();
    let i = 0;
    for (const key in c) c[key as keyof TileWorkCycles] = this.r[CYCLES_AT[i++]!]!;
    return c;
  }
}

/** The rare categories' cycles of the message being charged (chargeRare), shared as DELTA is. */
const RARE = new Float64Array(6);

/** Nine counts as an object in the WorkCounters order: `a[at[i]]`, or `a[i]` without `at`. */
function countsOf(a: Float64Array, at: readonly number[] | null): TileWorkCounts {
  const c = zeroWorkCounts();
  let i = 0;
  for (const key in c) {
    c[key as keyof TileWorkCounts] = a[at === null ? i : at[i]!]!;
    i++;
  }
  return c;
}
