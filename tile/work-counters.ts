// Host-side view of the kernel's work counters: eight u32s at WORK_PTR that the kernel adds
// to where the work happens (docs/memory-map.md "Work counters"), and the Hot image's LZ4
// sequence counter in the state word just below them (ST_LZ4_SEQUENCES; 0 on a Core tile). The simulator charges a
// message's cycles from the DELTA across one rvf_on_message call; the counters wrap, so a
// delta is taken modulo 2^32.
import {
  WK_CRC_BYTES,
  WK_DEQUANT,
  WK_DIST_ELEMS,
  WK_DISTANCES,
  WK_IO_BYTES,
  WK_MERGED,
  WK_MESSAGES,
  WK_PQ_CODES,
  WORK_PTR,
  STATE_PTR,
  ST_LZ4_SEQUENCES,
} from '../wat/layout.ts';
import type { TileInstance } from './tile-instance.ts';

export interface WorkCounters {
  distances: number;
  distElems: number;
  merged: number;
  crcBytes: number;
  dequant: number;
  ioBytes: number;
  messages: number;
  pqCodes: number;
  /** LZ4 sequences decoded (Hot image). */
  lz4Sequences: number;
}

/** Each counter's offset from WORK_PTR, in the interface's order. */
export const WORK_COUNTER_OFFSETS: Readonly<Record<keyof WorkCounters, number>> = {
  distances: WK_DISTANCES,
  distElems: WK_DIST_ELEMS,
  merged: WK_MERGED,
  crcBytes: WK_CRC_BYTES,
  dequant: WK_DEQUANT,
  ioBytes: WK_IO_BYTES,
  messages: WK_MESSAGES,
  pqCodes: WK_PQ_CODES,
  lz4Sequences: STATE_PTR + ST_LZ4_SEQUENCES - WORK_PTR, // -4: the state word below the eight
};

// The counters as u32 word indexes into tile memory (TileInstance.words): WORK_PTR and the
// state word are 4-aligned, so the counters read as plain array elements (sim/work-meter.ts
// reads them one by one into locals with advanceWorkCounter).
export const W_DISTANCES = (WORK_PTR + WK_DISTANCES) >>> 2;
export const W_DIST_ELEMS = (WORK_PTR + WK_DIST_ELEMS) >>> 2;
export const W_MERGED = (WORK_PTR + WK_MERGED) >>> 2;
export const W_CRC_BYTES = (WORK_PTR + WK_CRC_BYTES) >>> 2;
export const W_DEQUANT = (WORK_PTR + WK_DEQUANT) >>> 2;
export const W_IO_BYTES = (WORK_PTR + WK_IO_BYTES) >>> 2;
export const W_MESSAGES = (WORK_PTR + WK_MESSAGES) >>> 2;
export const W_PQ_CODES = (WORK_PTR + WK_PQ_CODES) >>> 2;
export const W_LZ4_SEQUENCES = (STATE_PTR + ST_LZ4_SEQUENCES) >>> 2;
if ((WORK_PTR | STATE_PTR | ST_LZ4_SEQUENCES) & 3) throw new Error('work counters must be 4-byte aligned (wat/layout.ts)');
if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error('cogsim needs a little-endian host (the kernel\'s memory is little-endian)');

/** Words a work-counter snapshot holds (snapshotWorkCounters). */
export const WORK_SNAPSHOT_WORDS = 9;

/**
 * The counters as they are now, into `snap[at..at + 9)` (WORK_SNAPSHOT_WORDS u32s, or nine
 * numbers of a wider record): the simulator's per-message "before", nine element copies
 * from the tile's word view.
 */
export function snapshotWorkCounters(words: Uint32Array, snap: Uint32Array | Float64Array, at = 0): void {
  snap[at] = words[W_DISTANCES]!;
  snap[at + 1] = words[W_DIST_ELEMS]!;
  snap[at + 2] = words[W_MERGED]!;
  snap[at + 3] = words[W_CRC_BYTES]!;
  snap[at + 4] = words[W_DEQUANT]!;
  snap[at + 5] = words[W_IO_BYTES]!;
  snap[at + 6] = words[W_MESSAGES]!;
  snap[at + 7] = words[W_PQ_CODES]!;
  snap[at + 8] = words[W_LZ4_SEQUENCES]!;
}

/**
 * One counter's delta since `before[at]` (the word at index `word` now minus it, modulo 2^32),
 * and the counter now into `before[at]`: the next message's "before" (sim/work-meter.ts folds
 * the snapshot into the previous message's charge).
 */
export function advanceWorkCounter(words: Uint32Array, word: number, before: Float64Array, at: number): number {
  const now = words[word]!;
  const delta = (now - before[at]!) >>> 0;
  before[at] = now;
  return delta;
}

/** The nine counters' word indexes in the WorkCounters order (snapshotWorkCounters' order). */
export const WORK_COUNTER_WORDS: readonly number[] = [W_DISTANCES, W_DIST_ELEMS, W_MERGED, W_CRC_BYTES, W_DEQUANT, W_IO_BYTES, W_MESSAGES, W_PQ_CODES, W_LZ4_SEQUENCES];

/** The counters now minus `snap`, modulo 2^32, as an object (advanceWorkCounter on a copy of `snap`). */
export function workDeltaSince(words: Uint32Array, snap: Uint32Array | Float64Array, out: WorkCounters): WorkCounters {
  const d = Float64Array.from(snap.subarray(0, WORK_SNAPSHOT_WORDS));
  let i = 0;
  for (const key in WORK_COUNTER_OFFSETS) {
    out[key as keyof WorkCounters] = advanceWorkCounter(words, WORK_COUNTER_WORDS[i]!, d, i);
    i++;
  }
  return out;
}

/** No work yet: the delta since it is the counters themselves. */
const ZERO_SNAPSHOT = new Uint32Array(WORK_SNAPSHOT_WORDS);

/** The nine counters as the kernel left them in the tile's memory, through the same word reads as the simulator's per-message delta. */
export function readWorkCounters(tile: Pick<TileInstance, 'words'>): WorkCounters {
  return workDeltaSince(tile.words, ZERO_SNAPSHOT, { distances: 0, distElems: 0, merged: 0, crcBytes: 0, dequant: 0, ioBytes: 0, messages: 0, pqCodes: 0, lz4Sequences: 0 });
}

/** after - before for every counter, modulo 2^32 (a counter that wrapped still gives the work done). */
export function workDelta(before: WorkCounters, after: WorkCounters): WorkCounters {
  return workDeltaInto(before, after, { distances: 0, distElems: 0, merged: 0, crcBytes: 0, dequant: 0, ioBytes: 0, messages: 0, pqCodes: 0, lz4Sequences: 0 });
}

/** workDelta into the caller's object (which may be `after` itself). */
export function workDeltaInto(before: WorkCounters, after: WorkCounters, out: WorkCounters): WorkCounters {
  out.distances = (after.distances - before.distances) >>> 0;
  out.distElems = (after.distElems - before.distElems) >>> 0;
  out.merged = (after.merged - before.merged) >>> 0;
  out.crcBytes = (after.crcBytes - before.crcBytes) >>> 0;
  out.dequant = (after.dequant - before.dequant) >>> 0;
  out.ioBytes = (after.ioBytes - before.ioBytes) >>> 0;
  out.messages = (after.messages - before.messages) >>> 0;
  out.pqCodes = (after.pqCodes - before.pqCodes) >>> 0;
  out.lz4Sequences = (after.lz4Sequences - before.lz4Sequences) >>> 0;
  return out;
}
