// "Layer A": the top of the hierarchy, small enough for a tile's 512-byte routing table
// (spec: data memory 0x0200-0x03FF, e.g. 32 entries of 16 B: u64 id + f32 + pad).
// A tile in pull mode starts its greedy descent from these without asking the hub.

import { HnswParamError } from './errors.ts';
import type { LayeredGraph } from './layers.ts';

export const ROUTING_TABLE_BYTES = 512;
export const ROUTING_ENTRY_BYTES = 16;

export interface LayerATier {
  /** Node ids, by level descending then id ascending. */
  readonly ids: Uint32Array;
  /** levels[i] is the level of ids[i]. */
  readonly levels: Uint8Array;
  /** True when upper-layer nodes were left out to respect the budget. */
  readonly truncated: boolean;
}

/**
 * Upper-layer nodes (level >= 1), highest level first, at most
 * floor(byteBudget / entryBytes) of them. A graph with only layer 0 yields its entry point.
 */
export function layerA(graph: LayeredGraph, byteBudget = ROUTING_TABLE_BYTES, entryBytes = ROUTING_ENTRY_BYTES): LayerATier {
  if (!Number.isInteger(byteBudget) || byteBudget < 0) throw new HnswParamError(`byteBudget must be a non-negative integer, got ${byteBudget}`);
  if (!Number.isInteger(entryBytes) || entryBytes < 1) throw new HnswParamError(`entryBytes must be a positive integer, got ${entryBytes}`);
  const capacity = Math.floor(byteBudget / entryBytes);
  if (graph.maxLevel < 0) return { ids: new Uint32Array(0), levels: new Uint8Array(0), truncated: false };
  const ordered: number[] = [];
  let available = 0;
  if (graph.maxLevel === 0) {
    available = 1;
    ordered.push(graph.entryPoint);
  } else {
    for (let level = graph.maxLevel; level >= 1; level--) {
      for (let id = 0; id < graph.size; id++) {
        if (graph.levels[id] !== level) continue;
        available++;
        if (ordered.length < capacity) ordered.push(id);
      }
    }
  }
  const ids = Uint32Array.from(ordered.slice(0, capacity));
  const levels = Uint8Array.from(ids, (id) => graph.levels[id]!);
  return { ids, levels, truncated: available > ids.length };
}
