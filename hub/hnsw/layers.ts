// The HNSW graph as compact typed arrays. Layer 0 holds every node, indexed by id, with
// stride M0. Layer l >= 1 holds only the nodes whose level is >= l, in ascending id order,
// with stride M; `slotOf` maps a node id to its row in that layer (-1 when absent).
// Unused neighbor slots hold NO_NODE so the arrays, and hence the file, are fully defined.

import { HnswRangeError } from './errors.ts';

/** Filler for unused neighbor slots and "no entry point". */
export const NO_NODE = 0xffffffff;

/** Highest level a node may have; levels are stored as u8. */
export const MAX_LEVEL = 64;

export interface LayerAdjacency {
  /** Nodes present on this layer. */
  readonly nodeCount: number;
  /** Neighbor slots per node row. */
  readonly stride: number;
  /** Neighbors in use per row, length nodeCount. */
  readonly counts: Uint32Array;
  /** Neighbor ids, row-major, length nodeCount * stride. */
  readonly ids: Uint32Array;
  /** Node id -> row; null on layer 0 where row === id. */
  readonly slotOf: Int32Array | null;
}

export class LayeredGraph {
  readonly size: number;
  readonly levels: Uint8Array;
  readonly layers: readonly LayerAdjacency[];
  entryPoint: number;
  /** Highest layer reachable from the entry point; -1 while the graph is empty. */
  maxLevel: number;

  private constructor(levels: Uint8Array, layers: LayerAdjacency[], entryPoint: number, maxLevel: number) {
    this.size = levels.length;
    this.levels = levels;
    this.layers = layers;
    this.entryPoint = entryPoint;
    this.maxLevel = maxLevel;
  }

  /** Empty adjacency for nodes with the given levels (no edges, no entry point). */
  static allocate(levels: Uint8Array, M: number, M0: number): LayeredGraph {
    const layers: LayerAdjacency[] = [];
    const topLevel = maxOf(levels);
    for (let layer = 0; layer <= topLevel; layer++) {
      const nodeCount = countAtOrAbove(levels, layer);
      const stride = layer === 0 ? M0 : M;
      const slotOf = layer === 0 ? null : buildSlotMap(levels, layer);
      const ids = new Uint32Array(nodeCount * stride).fill(NO_NODE);
      layers.push({ nodeCount, stride, counts: new Uint32Array(nodeCount), ids, slotOf });
    }
    return new LayeredGraph(levels, layers, NO_NODE, -1);
  }

  /** Wraps arrays read from a file; the caller has validated their shapes. */
  static fromArrays(levels: Uint8Array, layers: LayerAdjacency[], entryPoint: number, maxLevel: number): LayeredGraph {
    return new LayeredGraph(levels, layers, entryPoint, maxLevel);
  }

  /** Row of `id` on `layer`, unchecked: the caller knows the node is on the layer. */
  rowOf(id: number, layer: number): number {
    return layer === 0 ? id : this.layers[layer]!.slotOf![id]!;
  }

  levelOf(id: number): number {
    this.checkId(id);
    return this.levels[id]!;
  }

  /** View (no copy) of the neighbor ids of `id` on `layer`. Do not write through it. */
  neighbors(id: number, layer: number): Uint32Array {
    this.checkId(id);
    const level = this.levels[id]!;
    if (!Number.isInteger(layer) || layer < 0 || layer > level) {
      throw new HnswRangeError(`layer ${layer} does not exist for node ${id}: valid layers are 0..${level}`);
    }
    const adjacency = this.layers[layer]!;
    const row = this.rowOf(id, layer);
    const start = row * adjacency.stride;
    return adjacency.ids.subarray(start, start + adjacency.counts[row]!);
  }

  checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.size) {
      const range = this.size === 0 ? 'the index is empty' : `valid ids are 0..${this.size - 1}`;
      throw new HnswRangeError(`node id ${id} does not exist: ${range}`);
    }
  }
}

export function maxOf(levels: Uint8Array): number {
  let top = -1;
  for (let i = 0; i < levels.length; i++) if (levels[i]! > top) top = levels[i]!;
  return top;
}

export function countAtOrAbove(levels: Uint8Array, layer: number): number {
  let count = 0;
  for (let i = 0; i < levels.length; i++) if (levels[i]! >= layer) count++;
  return count;
}

function buildSlotMap(levels: Uint8Array, layer: number): Int32Array {
  const slotOf = new Int32Array(levels.length).fill(-1);
  let next = 0;
  for (let id = 0; id < levels.length; id++) if (levels[id]! >= layer) slotOf[id] = next++;
  return slotOf;
}
