// Host-side view of the kernel's work counters: eight u32s at WORK_PTR that the kernel adds
// to where the work happens (docs/memory-map.md "Work counters"). The simulator charges a
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
};

const NAMES = Object.keys(WORK_COUNTER_OFFSETS) as (keyof WorkCounters)[];

/** The eight counters as the kernel left them in the tile's memory. */
export function readWorkCounters(tile: Pick<TileInstance, 'view'>): WorkCounters {
  const view = tile.view;
  const out = {} as WorkCounters;
  for (const name of NAMES) out[name] = view.getUint32(WORK_PTR + WORK_COUNTER_OFFSETS[name], true);
  return out;
}

/** after - before for every counter, modulo 2^32 (a counter that wrapped still gives the work done). */
export function workDelta(before: WorkCounters, after: WorkCounters): WorkCounters {
  const out = {} as WorkCounters;
  for (const name of NAMES) out[name] = (after[name] - before[name]) >>> 0;
  return out;
}
