// The hub's HNSW index: vectors by reference (row-major Float32Array + dim) and the graph
// as compact typed arrays (see layers.ts).

import { buildGraph, checkVectors } from './build.ts';
import { layerA, ROUTING_ENTRY_BYTES, ROUTING_TABLE_BYTES, type LayerATier } from './layer-a.ts';
import type { LayeredGraph } from './layers.ts';
import { rowNorms, type Metric } from './metric.ts';
import { resolveParams, type HnswParams, type ResolvedParams } from './params.ts';
import { HnswSearcher, type HnswCore, type InstrumentedSearchResult, type SearchResult } from './search.ts';

export class HnswIndex implements HnswCore {
  readonly vectors: Float32Array;
  readonly dim: number;
  readonly metric: Metric;
  readonly norms: Float64Array | null;
  readonly graph: LayeredGraph;
  readonly params: ResolvedParams;
  private searcher: HnswSearcher | null = null;

  /** Use buildHnsw or loadIndex; this wraps an already consistent graph. */
  constructor(vectors: Float32Array, dim: number, params: ResolvedParams, graph: LayeredGraph, norms?: Float64Array | null) {
    const n = checkVectors(vectors, dim);
    if (n !== graph.size) throw new RangeError(`graph has ${graph.size} nodes but vectors hold ${n} rows`);
    this.vectors = vectors;
    this.dim = dim;
    this.metric = params.metric;
    this.params = params;
    this.graph = graph;
    this.norms = norms ?? (params.metric === 'cosine' ? rowNorms(vectors, n, dim) : null);
  }

  get size(): number {
    return this.graph.size;
  }

  /** Node every search starts from; NO_NODE (0xFFFFFFFF) when empty. */
  get entryPoint(): number {
    return this.graph.entryPoint;
  }

  /** Highest layer; -1 when empty. */
  get maxLevel(): number {
    return this.graph.maxLevel;
  }

  levelOf(nodeId: number): number {
    return this.graph.levelOf(nodeId);
  }

  /** Neighbor ids of a node on a layer (a view into the index: do not modify). */
  neighbors(nodeId: number, layer: number): Uint32Array {
    return this.graph.neighbors(nodeId, layer);
  }

  /** k nearest ids ascending by (distance, id). Not reentrant: use createSearcher() per concurrent user. */
  search(query: Float32Array, k: number, ef: number): SearchResult {
    return this.sharedSearcher().search(query, k, ef);
  }

  searchInstrumented(query: Float32Array, k: number, ef: number): InstrumentedSearchResult {
    return this.sharedSearcher().searchInstrumented(query, k, ef);
  }

  searchLayer(query: Float32Array, entryPoints: ArrayLike<number>, ef: number, layer: number): SearchResult {
    return this.sharedSearcher().searchLayer(query, entryPoints, ef, layer);
  }

  layerA(byteBudget = ROUTING_TABLE_BYTES, entryBytes = ROUTING_ENTRY_BYTES): LayerATier {
    return layerA(this.graph, byteBudget, entryBytes);
  }

  /** A searcher with its own scratch buffers and counters. */
  createSearcher(): HnswSearcher {
    return new HnswSearcher(this);
  }

  private sharedSearcher(): HnswSearcher {
    this.searcher ??= new HnswSearcher(this);
    return this.searcher;
  }
}

/**
 * Builds an index over `vectors` (n rows of `dim` f32). `nextU32` must return uint32
 * values from a seeded generator; it is called exactly n times, once per node in id order.
 */
export function buildHnsw(vectors: Float32Array, dim: number, params: HnswParams, nextU32: () => number): HnswIndex {
  const resolved = resolveParams(params);
  const { graph, norms } = buildGraph(vectors, dim, resolved, nextU32);
  return new HnswIndex(vectors, dim, resolved, graph, norms);
}
