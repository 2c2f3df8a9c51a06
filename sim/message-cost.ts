// Simulated cycles a tile spends on one message, from what its kernel really did: the
// delta of the kernel's work counters (WORK_PTR in wat/layout.ts, read by
// tile/work-counters.ts) across the rvf_on_message call, times the cost model's per-unit
// cycles (docs/cost-model.md). Never
// from the reply type: a pull-mode chunk answered with NEED_BLOCK pays for its distances
// exactly as a push-mode chunk answered with DONE does.
import type { WorkCounters } from '../tile/work-counters.ts';
import { crc32cCycles, dequantCycles, ioCopyCycles, lz4SequenceCycles, pqLookupCycles, topkMergeCycles, workDistanceCycles, type CostModel, type TileMetric } from './cost-model.ts';

export interface ComputeShape {
  metric: TileMetric;
  /** The run's k: the depth of the top-K heap a merge sifts through. */
  k: number;
}

/** What one message (or a whole run, summed) made the kernel do, as its counters say. */
export type TileWorkCounts = WorkCounters;

export interface TileWorkCycles {
  distance: number;
  merge: number;
  crc: number;
  io: number;
  dispatch: number;
  dequant: number;
  pq: number;
  lz4: number;
  total: number;
}

export function zeroWorkCounts(): TileWorkCounts {
  return { distances: 0, distElems: 0, merged: 0, crcBytes: 0, dequant: 0, ioBytes: 0, messages: 0, pqCodes: 0, lz4Sequences: 0 };
}

export function zeroWorkCycles(): TileWorkCycles {
  return { distance: 0, merge: 0, crc: 0, io: 0, dispatch: 0, dequant: 0, pq: 0, lz4: 0, total: 0 };
}

/** Cycles of one message's work (the kernel computes in fp16: i8 is dequantized first). */
export function workCycles(model: CostModel, shape: ComputeShape, w: TileWorkCounts): TileWorkCycles {
  return workCyclesInto(model, shape, w, zeroWorkCycles());
}

/** workCycles into the caller's object (the simulator reuses one per tile: no object per message). */
export function workCyclesInto(model: CostModel, shape: ComputeShape, w: TileWorkCounts, c: TileWorkCycles): TileWorkCycles {
  // A counter at 0 costs 0 in every formula below: skipping the call saves its checks on
  // the many counters a typical message leaves at 0 (dequant, pq, lz4, crc).
  c.distance = w.distances === 0 && w.distElems === 0 ? 0 : workDistanceCycles(model, 'fp16', shape.metric, w.distances, w.distElems);
  c.merge = w.merged === 0 ? 0 : topkMergeCycles(model, w.merged, shape.k);
  // One CRC setup per message that ran one: the counters give bytes, not runs.
  c.crc = w.crcBytes === 0 ? 0 : crc32cCycles(model, w.crcBytes);
  c.io = w.ioBytes === 0 ? 0 : ioCopyCycles(model, w.ioBytes);
  c.dispatch = w.messages * model.messageDispatchCycles;
  c.dequant = w.dequant === 0 ? 0 : dequantCycles(model, w.dequant);
  c.pq = w.pqCodes === 0 ? 0 : pqLookupCycles(model, w.pqCodes);
  // The decoded and compressed bytes are in io; this is the per-sequence parsing.
  c.lz4 = w.lz4Sequences === 0 ? 0 : lz4SequenceCycles(model, w.lz4Sequences);
  c.total = c.distance + c.merge + c.crc + c.io + c.dispatch + c.dequant + c.pq + c.lz4;
  return c;
}

/** Adds `w` into `into`, field by field: run totals (the per-message sums are sim/work-meter.ts's). */
export function addWork<T extends object>(into: T, w: T): void {
  const a = into as Record<string, number>;
  const b = w as Record<string, number>;
  for (const k in b) a[k] = (a[k] ?? 0) + b[k]!;
}
