// HNSW construction (Malkov & Yashunin, Algorithm 1). Nodes are inserted in id order;
// each node's level is drawn up front, one nextU32() per node in id order, so the layer
// arrays can be sized exactly and the same data + seed always yields the same graph.

import { HnswParamError } from './errors.ts';
import { LayeredGraph, MAX_LEVEL, NO_NODE } from './layers.ts';
import { rowNorms } from './metric.ts';
import type { ResolvedParams } from './params.ts';
import { HnswSearcher, type HnswCore } from './search.ts';
import { NeighborSelector, sortByDistanceThenId } from './select.ts';

const TWO_POW_32 = 4294967296;

/**
 * Level for one node: floor(-ln(u) * mL) with u = (nextU32() + 1) / 2^32 in (0, 1],
 * capped at MAX_LEVEL. Math.log is the only float step; V8's is a fixed fdlibm port.
 */
export function drawLevel(nextU32: () => number, mL: number): number {
  const raw = nextU32();
  if (!Number.isInteger(raw) || raw < 0 || raw >= TWO_POW_32) {
    throw new HnswParamError(`nextU32() must return an integer in 0..2^32-1, got ${raw}`);
  }
  const u = (raw + 1) / TWO_POW_32;
  return Math.min(MAX_LEVEL, Math.floor(-Math.log(u) * mL));
}

export function drawLevels(n: number, mL: number, nextU32: () => number): Uint8Array {
  const levels = new Uint8Array(n);
  for (let id = 0; id < n; id++) levels[id] = drawLevel(nextU32, mL);
  return levels;
}

/** Rows count of `vectors` for `dim`; rejects ragged or non-finite data. */
export function checkVectors(vectors: Float32Array, dim: number): number {
  if (!(vectors instanceof Float32Array)) throw new HnswParamError('vectors must be a Float32Array');
  if (!Number.isInteger(dim) || dim < 1) throw new HnswParamError(`dim must be a positive integer, got ${dim}`);
  if (vectors.length % dim !== 0) {
    throw new HnswParamError(`vectors length ${vectors.length} is not a multiple of dim ${dim}`);
  }
  const n = vectors.length / dim;
  if (n >= NO_NODE) throw new HnswParamError(`too many vectors: ${n}, the limit is ${NO_NODE - 1}`);
  for (let i = 0; i < vectors.length; i++) {
    if (!Number.isFinite(vectors[i]!)) {
      throw new HnswParamError(`vector ${Math.floor(i / dim)} component ${i % dim} is ${vectors[i]}, not finite`);
    }
  }
  return n;
}

export interface BuiltGraph {
  readonly graph: LayeredGraph;
  readonly norms: Float64Array | null;
}

export function buildGraph(vectors: Float32Array, dim: number, params: ResolvedParams, nextU32: () => number): BuiltGraph {
  const n = checkVectors(vectors, dim);
  const levels = drawLevels(n, params.mL, nextU32);
  const graph = LayeredGraph.allocate(levels, params.M, params.M0);
  const norms = params.metric === 'cosine' ? rowNorms(vectors, n, dim) : null;
  const core: HnswCore = { vectors, dim, metric: params.metric, norms, graph };
  const builder = new GraphBuilder(core, params);
  for (let id = 0; id < n; id++) builder.insert(id);
  return { graph, norms };
}

class GraphBuilder {
  private readonly core: HnswCore;
  private readonly graph: LayeredGraph;
  private readonly params: ResolvedParams;
  private readonly searcher: HnswSearcher;
  private readonly selector: NeighborSelector;
  /** Distance of each stored edge, same shape as layer.ids: shrinking needs no recompute. */
  private readonly edgeDist: Float64Array[];
  private entryIds: Uint32Array;
  private entryDist: Float64Array;
  private readonly chosenIds: Uint32Array;
  private readonly chosenDist: Float64Array;
  private readonly overflowIds: Uint32Array;
  private readonly overflowDist: Float64Array;
  private readonly shrunkIds: Uint32Array;
  private readonly shrunkDist: Float64Array;

  constructor(core: HnswCore, params: ResolvedParams) {
    this.core = core;
    this.graph = core.graph;
    this.params = params;
    this.searcher = new HnswSearcher(core);
    this.selector = new NeighborSelector(core);
    this.edgeDist = this.graph.layers.map((layer) => new Float64Array(layer.ids.length));
    this.entryIds = new Uint32Array(params.efConstruction + 1);
    this.entryDist = new Float64Array(params.efConstruction + 1);
    this.chosenIds = new Uint32Array(params.M0 + 1);
    this.chosenDist = new Float64Array(params.M0 + 1);
    this.overflowIds = new Uint32Array(params.M0 + 1);
    this.overflowDist = new Float64Array(params.M0 + 1);
    // Separate from chosen*: link() runs while the new node's chosen list is being walked.
    this.shrunkIds = new Uint32Array(params.M0 + 1);
    this.shrunkDist = new Float64Array(params.M0 + 1);
  }

  insert(q: number): void {
    const { graph, searcher, core } = this;
    const level = graph.levels[q]!;
    searcher.setQuery(core.vectors, q * core.dim, core.norms === null ? 0 : core.norms[q]!);
    if (graph.maxLevel < 0) {
      graph.entryPoint = q;
      graph.maxLevel = level;
      return;
    }
    const ep = graph.entryPoint;
    searcher.greedyDescend(ep, searcher.distanceTo(ep), graph.maxLevel, level + 1);
    this.entryIds[0] = searcher.greedyId;
    this.entryDist[0] = searcher.greedyDist;
    let entryCount = 1;
    for (let layer = Math.min(level, graph.maxLevel); layer >= 0; layer--) {
      const found = searcher.searchLayerInto(this.entryIds, this.entryDist, entryCount, this.params.efConstruction, layer);
      // The paper passes all of W down as the next layer's entry points.
      this.entryIds.set(searcher.outIds.subarray(0, found));
      this.entryDist.set(searcher.outDist.subarray(0, found));
      entryCount = found;
      const chosen = this.selector.select(this.entryIds, this.entryDist, found, this.params.M, this.chosenIds, this.chosenDist);
      this.writeRow(q, layer, this.chosenIds, this.chosenDist, chosen);
      for (let i = 0; i < chosen; i++) this.link(this.chosenIds[i]!, q, this.chosenDist[i]!, layer);
    }
    if (level > graph.maxLevel) {
      graph.entryPoint = q;
      graph.maxLevel = level;
    }
  }

  /** Adds the edge e -> q; when e's row is full, re-selects its neighbors by the heuristic. */
  private link(e: number, q: number, distance: number, layer: number): void {
    const adjacency = this.graph.layers[layer]!;
    const dist = this.edgeDist[layer]!;
    const row = this.graph.rowOf(e, layer);
    const base = row * adjacency.stride;
    const count = adjacency.counts[row]!;
    if (count < adjacency.stride) {
      adjacency.ids[base + count] = q;
      dist[base + count] = distance;
      adjacency.counts[row] = count + 1;
      return;
    }
    const ids = this.overflowIds;
    const ds = this.overflowDist;
    ids.set(adjacency.ids.subarray(base, base + count));
    ds.set(dist.subarray(base, base + count));
    ids[count] = q;
    ds[count] = distance;
    sortByDistanceThenId(ids, ds, count + 1);
    const kept = this.selector.select(ids, ds, count + 1, adjacency.stride, this.shrunkIds, this.shrunkDist);
    this.writeRow(e, layer, this.shrunkIds, this.shrunkDist, kept);
  }

  private writeRow(node: number, layer: number, ids: Uint32Array, ds: Float64Array, count: number): void {
    const adjacency = this.graph.layers[layer]!;
    const dist = this.edgeDist[layer]!;
    const row = this.graph.rowOf(node, layer);
    const base = row * adjacency.stride;
    for (let i = 0; i < count; i++) {
      adjacency.ids[base + i] = ids[i]!;
      dist[base + i] = ds[i]!;
    }
    adjacency.ids.fill(NO_NODE, base + count, base + adjacency.stride);
    dist.fill(0, base + count, base + adjacency.stride);
    adjacency.counts[row] = count;
  }
}
