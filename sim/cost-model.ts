// Tile compute cost model, in tile cycles. Plain named constants plus small functions so
// the hub (or the simulator driving it) can charge cycles for what a tile does. Every
// figure and its source is explained in docs/cost-model.md; the short version:
//
// * Machine assumption: the tile issues one WASM v128 or scalar op per cycle (in order, no
//   dual issue). The spec's ARM NEON figure (8 fp16 lanes per cycle, ~48 cycles for a
//   384-dim distance) is the "ideal" anchor: SPEC_IDEAL_COST_MODEL reproduces it exactly.
// * WASM v128 has no fp16 arithmetic and no fused multiply-add, so the default model
//   (WASM_V128_COST_MODEL) charges, per chunk of lanes, the ops the kernel really issues:
//   loads, fp16->f32 widening, and separate sub/mul/add on f32x4 halves.
//
// All results are integers: cycle counts drive simulated time, which is integral.

export type TileDtype = 'f32' | 'fp16' | 'i8' | 'binary';
export type TileMetric = 'l2' | 'ip' | 'cosine' | 'hamming';

/** Per-dtype distance kernel cost: cycles per chunk of `lanesPerChunk` elements, per metric. */
export interface DistanceKernelCost {
  /** Elements one chunk covers (one v128 register of data; bits for binary). */
  lanesPerChunk: number;
  /** Ops per chunk shared by every metric: data load, query load(s), widening. */
  commonCyclesPerChunk: number;
  /** Extra ops per chunk for the metric's arithmetic; absent = metric unsupported. */
  metricCyclesPerChunk: Partial<Record<TileMetric, number>>;
}

export interface CostModel {
  name: string;
  distance: Record<TileDtype, DistanceKernelCost>;
  /** Loop control per chunk (index add + compare/branch). */
  loopCyclesPerChunk: number;
  /** Per distance: call, horizontal sum of the f32x4 accumulator, store of the result. */
  distanceFixedCycles: number;
  /** Extra per cosine distance: sqrt of the data norm, multiply, divide. */
  cosineFinishCycles: number;
  /** Top-K: compare a candidate against the heap's worst entry (load, compare, branch). */
  topkCompareCyclesPerCandidate: number;
  /** Top-K: per heap level when a candidate is inserted (sift-down step). */
  topkSiftCyclesPerLevel: number;
  /** Reading a message header, validating it, and branching to its handler. */
  messageDispatchCycles: number;
  /** Copying I/O buffer bytes into scratch: v128 load + store per 16 bytes... */
  ioCopyBytesPerChunk: number;
  ioCopyCyclesPerChunk: number;
  /** ...plus a fixed setup per copy (bounds checks, call). */
  ioCopyFixedCycles: number;
  /** CRC32C, byte-at-a-time table lookup (WASM has no CRC instruction). */
  crc32cCyclesPerByte: number;
  crc32cFixedCycles: number;
  /** i8 -> fp16 dequantization, per 8 elements (one v128 of output). */
  dequantCyclesPer8Elems: number;
  /** PQ: per code looked up in the asymmetric distance table (load code, load entry, add). */
  pqCyclesPerCode: number;
  /**
   * LZ4 (Hot image): per sequence decoded, both walks of wat/hot/20-lz4.wat (the checking
   * walk, then the writing walk): token, lengths, offset, five bounds checks, branches. The
   * bytes themselves are charged as I/O (compressed + decoded).
   */
  lz4CyclesPerSequence: number;
}

/** The spec's NEON figure: 8 fp16 lanes per cycle, so a 384-dim fp16 distance is 48 cycles. */
export const SPEC_NEON_CYCLES_PER_384_DIM_FP16 = 48;

/** Reproduces the spec's ideal figures exactly: 1 cycle per 8 fp16 lanes, nothing else. */
export const SPEC_IDEAL_COST_MODEL: CostModel = Object.freeze({
  name: 'spec-ideal',
  distance: {
    f32: { lanesPerChunk: 4, commonCyclesPerChunk: 0, metricCyclesPerChunk: { l2: 1, ip: 1, cosine: 1 } },
    fp16: { lanesPerChunk: 8, commonCyclesPerChunk: 0, metricCyclesPerChunk: { l2: 1, ip: 1, cosine: 1 } },
    i8: { lanesPerChunk: 16, commonCyclesPerChunk: 0, metricCyclesPerChunk: { l2: 1, ip: 1, cosine: 1 } },
    binary: { lanesPerChunk: 128, commonCyclesPerChunk: 0, metricCyclesPerChunk: { hamming: 1 } },
  },
  loopCyclesPerChunk: 0,
  distanceFixedCycles: 0,
  cosineFinishCycles: 0,
  topkCompareCyclesPerCandidate: 1,
  topkSiftCyclesPerLevel: 1,
  messageDispatchCycles: 0,
  ioCopyBytesPerChunk: 16,
  ioCopyCyclesPerChunk: 1,
  ioCopyFixedCycles: 0,
  crc32cCyclesPerByte: 1,
  crc32cFixedCycles: 0,
  dequantCyclesPer8Elems: 1,
  pqCyclesPerCode: 1,
  lz4CyclesPerSequence: 1,
});

/** Default: op counts of the tile's WASM v128 kernel (see docs/cost-model.md for each count). */
export const WASM_V128_COST_MODEL: CostModel = Object.freeze({
  name: 'wasm-v128',
  distance: {
    // 4 f32 lanes: data load + query load; l2 = sub,mul,add; ip = mul,add; cosine = ip + data norm mul,add.
    f32: { lanesPerChunk: 4, commonCyclesPerChunk: 2, metricCyclesPerChunk: { l2: 3, ip: 2, cosine: 4 } },
    // 8 fp16 lanes: data load (1) + 2 query loads (query is pre-widened to f32) + widening (14:
    // 2 extends, then per f32x4 half: and, shl, magic mul, sign and, shl, or). Math on two halves.
    fp16: { lanesPerChunk: 8, commonCyclesPerChunk: 17, metricCyclesPerChunk: { l2: 6, ip: 4, cosine: 8 } },
    // 16 i8 lanes: data load + query load + 4 extends to i16x8. l2 = 2 sub + 2 dot + 2 add;
    // ip = 2 dot + 2 add; cosine = ip + data norm (2 dot + 2 add).
    i8: { lanesPerChunk: 16, commonCyclesPerChunk: 6, metricCyclesPerChunk: { l2: 6, ip: 4, cosine: 8 } },
    // 128 bits: data load + query load + xor + i8x16.popcnt + 2 extadd_pairwise + add.
    binary: { lanesPerChunk: 128, commonCyclesPerChunk: 2, metricCyclesPerChunk: { hamming: 5 } },
  },
  loopCyclesPerChunk: 2,
  distanceFixedCycles: 12,
  cosineFinishCycles: 30,
  topkCompareCyclesPerCandidate: 4,
  topkSiftCyclesPerLevel: 8,
  messageDispatchCycles: 24,
  ioCopyBytesPerChunk: 16,
  ioCopyCyclesPerChunk: 2,
  ioCopyFixedCycles: 8,
  crc32cCyclesPerByte: 7,
  crc32cFixedCycles: 10,
  // 8 i8 lanes: load, 2 extends, convert to f32 x2, scale mul x2, offset add x2, narrow to fp16.
  dequantCyclesPer8Elems: 10,
  pqCyclesPerCode: 3,
  lz4CyclesPerSequence: 40,
});

export const DEFAULT_COST_MODEL = WASM_V128_COST_MODEL;

export class CostModelError extends RangeError {
  override name = 'CostModelError';
}

/** Cycles for one distance between the query and one `dim`-element vector (zero-padded to whole chunks). */
export function distanceCycles(model: CostModel, dtype: TileDtype, dim: number, metric: TileMetric): number {
  checkCount('dim', dim, 1);
  return workDistanceCycles(model, dtype, metric, 1, dim);
}

/**
 * Cycles for `distances` distances that together covered `elements` vector elements (each
 * distance's elements padded to whole chunks, as the kernel's counters report them). For
 * one distance of `dim` padded elements this equals distanceCycles.
 */
export function workDistanceCycles(model: CostModel, dtype: TileDtype, metric: TileMetric, distances: number, elements: number): number {
  checkCount('distance count', distances, 0);
  checkCount('distance elements', elements, 0);
  // Elements without distances: the PQ6 table built from LOAD_PARAMS pieces (docs/cost-model.md).
  if (distances === 0 && elements === 0) return 0;
  const kernel = model.distance[dtype];
  const metricCycles = kernel.metricCyclesPerChunk[metric];
  if (metricCycles === undefined) throw new CostModelError(`metric ${metric} is not supported for dtype ${dtype}`);
  const chunks = Math.ceil(elements / kernel.lanesPerChunk);
  const perDistance = model.distanceFixedCycles + (metric === 'cosine' ? model.cosineFinishCycles : 0);
  return chunks * (kernel.commonCyclesPerChunk + metricCycles + model.loopCyclesPerChunk) + distances * perDistance;
}

/** Cycles to dequantize `elements` i8 values to fp16. */
export function dequantCycles(model: CostModel, elements: number): number {
  checkCount('dequantized elements', elements, 0);
  return Math.ceil(elements / 8) * model.dequantCyclesPer8Elems;
}

/** Cycles to look up `codes` PQ codes in the asymmetric distance table. */
export function lz4SequenceCycles(model: CostModel, sequences: number): number {
  checkCount('lz4 sequences', sequences, 0);
  return sequences * model.lz4CyclesPerSequence;
}

export function pqLookupCycles(model: CostModel, codes: number): number {
  checkCount('pq codes', codes, 0);
  return codes * model.pqCyclesPerCode;
}

/** Cycles for distances from the query to a block of `count` vectors. */
export function blockDistanceCycles(model: CostModel, dtype: TileDtype, dim: number, metric: TileMetric, count: number): number {
  checkCount('block vector count', count, 0);
  return count * distanceCycles(model, dtype, dim, metric);
}

/**
 * Cycles to merge `candidates` into a top-`k` heap. Every candidate is compared; each of
 * the `inserted` ones (default: all, the worst case) pays a sift of ceil(log2(k)) levels.
 */
export function topkMergeCycles(model: CostModel, candidates: number, k: number, inserted = candidates): number {
  checkCount('candidate count', candidates, 0);
  checkCount('k', k, 1);
  checkCount('inserted count', inserted, 0);
  if (inserted > candidates) throw new CostModelError(`inserted ${inserted} exceeds candidates ${candidates}`);
  const levels = Math.max(1, Math.ceil(Math.log2(k)));
  return candidates * model.topkCompareCyclesPerCandidate + inserted * levels * model.topkSiftCyclesPerLevel;
}

export function messageDispatchCycles(model: CostModel): number {
  return model.messageDispatchCycles;
}

/** Cycles to copy `bytes` from the I/O buffer into scratch. */
export function ioCopyCycles(model: CostModel, bytes: number): number {
  checkCount('copy bytes', bytes, 0);
  if (bytes === 0) return 0;
  return model.ioCopyFixedCycles + Math.ceil(bytes / model.ioCopyBytesPerChunk) * model.ioCopyCyclesPerChunk;
}

/** Cycles to CRC32C `bytes`. */
export function crc32cCycles(model: CostModel, bytes: number): number {
  checkCount('crc bytes', bytes, 0);
  return model.crc32cFixedCycles + bytes * model.crc32cCyclesPerByte;
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) throw new CostModelError(`${name} must be an integer >= ${min}, got ${value}`);
}
