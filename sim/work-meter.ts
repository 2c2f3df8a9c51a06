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
import { snapshotWorkCounters, WORK_SNAPSHOT_WORDS, workDeltaInPlace } from '../tile/work-counters.ts';
import type { CostModel } from './cost-model.ts';
import { workCyclesInto, zeroWorkCounts, zeroWorkCycles, type ComputeShape, type TileWorkCounts, type TileWorkCycles } from './message-cost.ts';

/** The record: the counters before a message, then its delta ([0, 9)); the run's counts ([9, 18)) and cycles ([18, 27)). */
const DELTA = 0;
const COUNTS = 9;
const CYCLES = 18;
const RECORD = 27;
// Delta and counts in the WorkCounters order (tile/work-counters.ts); cycles in TileWorkCycles order.
const DISTANCES = 0;
const DIST_ELEMS = 1;
const MERGED = 2;
const CRC_BYTES = 3;
const DEQUANT = 4;
const IO_BYTES = 5;
const MESSAGES = 6;
const PQ_CODES = 7;
const LZ4 = 8;
const C_DISTANCE = CYCLES;
const C_MERGE = CYCLES + 1;
const C_CRC = CYCLES + 2;
const C_IO = CYCLES + 3;
const C_DISPATCH = CYCLES + 4;
const C_DEQUANT = CYCLES + 5;
const C_PQ = CYCLES + 6;
const C_LZ4 = CYCLES + 7;
const C_TOTAL = CYCLES + 8;

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

  constructor(
    private readonly model: CostModel,
    private readonly shape: ComputeShape,
  ) {
    this.prices = sharedPrices(model, shape);
  }

  /** Just before the kernel call: the counters as they are. */
  start(words: Uint32Array): void {
    snapshotWorkCounters(words, this.r);
  }

  /**
   * Just after: the cycles of what the counters say the message did, added to the run's
   * totals. A delta that is not exactly one message (a corrupted image scribbled on the
   * counters, a dispatch that did not count) is not trusted: null, and nothing is added.
   */
  charge(words: Uint32Array): number | null {
    const r = this.r;
    workDeltaInPlace(words, r);
    if (r[MESSAGES] !== 1) return null;
    const p = this.prices;
    if (p === null) return this.chargeThroughModel();
    const distances = r[DISTANCES]!;
    const distElems = r[DIST_ELEMS]!;
    const merged = r[MERGED]!;
    const crcBytes = r[CRC_BYTES]!;
    const ioBytes = r[IO_BYTES]!;
    const dequant = r[DEQUANT]!;
    const pqCodes = r[PQ_CODES]!;
    const lz4 = r[LZ4]!;
    // workCyclesInto's terms, each in its formula's order: a counter at 0 costs 0.
    const distance = distances === 0 && distElems === 0 ? 0 : Math.ceil(distElems / p.lanesPerChunk) * p.chunkCycles + distances * p.perDistance;
    const merge = merged === 0 ? 0 : merged * p.comparePerCandidate + merged * p.siftLevels * p.siftPerLevel;
    const crc = crcBytes === 0 ? 0 : p.crcFixed + crcBytes * p.crcPerByte;
    const io = ioBytes === 0 ? 0 : p.ioFixed + Math.ceil(ioBytes / p.ioBytesPerChunk) * p.ioCyclesPerChunk;
    const dispatch = 1 * p.dispatch;
    const dq = dequant === 0 ? 0 : Math.ceil(dequant / 8) * p.dequantPer8;
    const pq = pqCodes === 0 ? 0 : pqCodes * p.pqPerCode;
    const lz = lz4 === 0 ? 0 : lz4 * p.lz4PerSequence;
    const total = distance + merge + crc + io + dispatch + dq + pq + lz;
    this.addCounts();
    r[C_DISTANCE] = r[C_DISTANCE]! + distance;
    r[C_MERGE] = r[C_MERGE]! + merge;
    r[C_CRC] = r[C_CRC]! + crc;
    r[C_IO] = r[C_IO]! + io;
    r[C_DISPATCH] = r[C_DISPATCH]! + dispatch;
    r[C_DEQUANT] = r[C_DEQUANT]! + dq;
    r[C_PQ] = r[C_PQ]! + pq;
    r[C_LZ4] = r[C_LZ4]! + lz;
    r[C_TOTAL] = r[C_TOTAL]! + total;
    return total;
  }

  /** The delta priced by workCyclesInto itself (the cost functions' checks and errors included). */
  private chargeThroughModel(): number {
    const r = this.r;
    const c = workCyclesInto(this.model, this.shape, this.countsAt(DELTA), zeroWorkCycles());
    this.addCounts();
    let i = CYCLES;
    for (const key in c) {
      r[i] = r[i]! + c[key as keyof TileWorkCycles];
      i++;
    }
    return c.total;
  }

  private addCounts(): void {
    const r = this.r;
    for (let i = 0; i < WORK_SNAPSHOT_WORDS; i++) r[COUNTS + i] = r[COUNTS + i]! + r[DELTA + i]!;
  }

  /** What the kernel did over every message charged, by its counters. */
  get counts(): TileWorkCounts {
    return this.countsAt(COUNTS);
  }

  /** The nine counts at `at` (DELTA or COUNTS) as an object, in the WorkCounters order. */
  private countsAt(at: number): TileWorkCounts {
    const c = zeroWorkCounts();
    for (const key in c) c[key as keyof TileWorkCounts] = this.r[at++]!;
    return c;
  }

  /** The cycles charged for it, by category. */
  get cycles(): TileWorkCycles {
    const c = zeroWorkCycles();
    let i = CYCLES;
    for (const key in c) c[key as keyof TileWorkCycles] = this.r[i++]!;
    return c;
  }
}
