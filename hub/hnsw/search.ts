// HNSW search (Malkov & Yashunin, Algorithms 2 and 5): greedy descent through the upper
// layers with ef = 1, then a beam of width ef on layer 0. Every comparison uses the
// (distance, id) order, so equal distances resolve to the lower id.
//
// A searcher owns its scratch (visited marks, heaps, output rows) and is reused across
// queries; it also counts distance computations and node expansions (neighbor lists
// read), which is what a tile in pull mode turns into NEED_BLOCK / NEED_NEIGHBORS messages.

import { HnswParamError, HnswRangeError } from './errors.ts';
import { closerThan, DistIdHeap } from './heap.ts';
import type { LayeredGraph } from './layers.ts';
import { metricDistance, norm, type Metric } from './metric.ts';
import { VisitedMarks } from './visited.ts';

/** What search and build need from an index. */
export interface HnswCore {
  readonly vectors: Float32Array;
  readonly dim: number;
  readonly metric: Metric;
  /** Row norms for cosine, else null. */
  readonly norms: Float64Array | null;
  readonly graph: LayeredGraph;
}

/** Ascending by (distance, id). */
export interface SearchResult {
  readonly ids: Uint32Array;
  readonly distances: Float64Array;
}

export interface SearchStats {
  readonly distanceCount: number;
  /** Nodes whose neighbor list was read, on any layer. */
  readonly expansionCount: number;
}

export interface InstrumentedSearchResult extends SearchResult {
  readonly stats: SearchStats;
}

export class HnswSearcher {
  distanceCount = 0;
  expansionCount = 0;
  /** Output of the last searchLayerInto: `outCount` rows, ascending by (distance, id). */
  outIds = new Uint32Array(64);
  outDist = new Float64Array(64);
  outCount = 0;
  /** Output of the last greedyDescend. */
  greedyId = 0;
  greedyDist = 0;

  private readonly core: HnswCore;
  private readonly visited: VisitedMarks;
  private readonly candidates = new DistIdHeap('nearest-first', 256);
  private readonly results = new DistIdHeap('farthest-first', 256);
  private queryVec: Float32Array = new Float32Array(0);
  private queryOff = 0;
  private queryNorm = 0;
  /** Set only during searchWithDistance: the caller's distance from the query to a node. */
  private distanceOf: ((id: number) => number) | null = null;

  constructor(core: HnswCore) {
    this.core = core;
    this.visited = new VisitedMarks(core.graph.size);
  }

  /** Points the searcher at a query row; `queryNorm` is only read for cosine. */
  setQuery(vec: Float32Array, offset: number, queryNorm: number): void {
    this.queryVec = vec;
    this.queryOff = offset;
    this.queryNorm = queryNorm;
  }

  distanceTo(id: number): number {
    this.distanceCount++;
    if (this.distanceOf) return this.distanceOf(id);
    const c = this.core;
    const idNorm = c.norms === null ? 0 : c.norms[id]!;
    return metricDistance(c.metric, this.queryVec, this.queryOff, this.queryNorm, c.vectors, id * c.dim, idNorm, c.dim);
  }

  /**
   * Greedy walk (ef = 1) from `entryId` on layers topLayer..bottomLayer, moving to the
   * closest neighbor while that improves. Result in greedyId / greedyDist.
   */
  greedyDescend(entryId: number, entryDist: number, topLayer: number, bottomLayer: number): void {
    const graph = this.core.graph;
    let cur = entryId;
    let curDist = entryDist;
    for (let layer = topLayer; layer >= bottomLayer; layer--) {
      const adjacency = graph.layers[layer]!;
      for (;;) {
        const row = graph.rowOf(cur, layer);
        const base = row * adjacency.stride;
        const count = adjacency.counts[row]!;
        this.expansionCount++;
        let bestId = cur;
        let bestDist = curDist;
        for (let j = 0; j < count; j++) {
          const nb = adjacency.ids[base + j]!;
          const d = this.distanceTo(nb);
          if (closerThan(d, nb, bestDist, bestId)) {
            bestId = nb;
            bestDist = d;
          }
        }
        if (bestId === cur) break;
        cur = bestId;
        curDist = bestDist;
      }
    }
    this.greedyId = cur;
    this.greedyDist = curDist;
  }

  /**
   * Beam search of width ef on one layer (Algorithm 2) from entry points whose distances
   * to the current query are known. Fills outIds/outDist/outCount. The entry arrays may
   * be this searcher's own out arrays: they are consumed before the output is written.
   */
  searchLayerInto(entryIds: Uint32Array, entryDist: Float64Array, entryCount: number, ef: number, layer: number): number {
    const graph = this.core.graph;
    const adjacency = graph.layers[layer]!;
    const visited = this.visited;
    const C = this.candidates;
    const W = this.results;
    visited.reset();
    C.clear();
    W.clear();
    for (let i = 0; i < entryCount; i++) {
      const id = entryIds[i]!;
      if (!visited.visit(id)) continue;
      C.push(entryDist[i]!, id);
      W.push(entryDist[i]!, id);
      if (W.size > ef) W.pop();
    }
    while (C.size > 0) {
      const cDist = C.topDistance();
      const cId = C.topId();
      C.pop();
      // c is worse than the worst kept result only if it was evicted from W: stop.
      if (closerThan(W.topDistance(), W.topId(), cDist, cId)) break;
      const row = graph.rowOf(cId, layer);
      const base = row * adjacency.stride;
      const count = adjacency.counts[row]!;
      this.expansionCount++;
      for (let j = 0; j < count; j++) {
        const e = adjacency.ids[base + j]!;
        if (!visited.visit(e)) continue;
        const d = this.distanceTo(e);
        if (W.size < ef || closerThan(d, e, W.topDistance(), W.topId())) {
          C.push(d, e);
          W.push(d, e);
          if (W.size > ef) W.pop();
        }
      }
    }
    this.ensureOutCapacity(W.size);
    this.outCount = W.drainAscending(this.outIds, this.outDist);
    return this.outCount;
  }

  /** Public building block: beam search on `layer` for an external query. */
  searchLayer(query: Float32Array, entryPoints: ArrayLike<number>, ef: number, layer: number): SearchResult {
    this.beginQuery(query);
    checkPositiveInt('ef', ef);
    const graph = this.core.graph;
    if (!Number.isInteger(layer) || layer < 0 || layer > graph.maxLevel) {
      throw new HnswRangeError(`layer ${layer} does not exist: valid layers are 0..${graph.maxLevel}`);
    }
    const ids = new Uint32Array(entryPoints.length);
    const dists = new Float64Array(entryPoints.length);
    for (let i = 0; i < entryPoints.length; i++) {
      const id = entryPoints[i]!;
      if (graph.levelOf(id) < layer) {
        throw new HnswRangeError(`entry point ${id} is not on layer ${layer}: its level is ${graph.levelOf(id)}`);
      }
      ids[i] = id;
      dists[i] = this.distanceTo(id);
    }
    this.searchLayerInto(ids, dists, ids.length, ef, layer);
    return this.takeOut(this.outCount);
  }

  /** k nearest neighbors of `query`, ascending by (distance, id); ef is raised to k. */
  search(query: Float32Array, k: number, ef: number): SearchResult {
    return this.searchInstrumented(query, k, ef);
  }

  /** As search, plus the distance computations and expansions this query cost. */
  searchInstrumented(query: Float32Array, k: number, ef: number): InstrumentedSearchResult {
    this.beginQuery(query);
    return this.runSearch(k, ef);
  }

  /**
   * The same search with distances from `distanceOf(id)` (the query is the caller's), e.g.
   * a tile's fp16 lane-order arithmetic (push-hnsw's reference). Ties still go to the lower id.
   */
  searchWithDistance(distanceOf: (id: number) => number, k: number, ef: number): InstrumentedSearchResult {
    this.distanceCount = 0;
    this.expansionCount = 0;
    this.distanceOf = distanceOf;
    try {
      return this.runSearch(k, ef);
    } finally {
      this.distanceOf = null;
    }
  }

  private runSearch(k: number, ef: number): InstrumentedSearchResult {
    checkPositiveInt('k', k);
    checkPositiveInt('ef', ef);
    const graph = this.core.graph;
    if (graph.maxLevel < 0) return { ids: new Uint32Array(0), distances: new Float64Array(0), stats: this.stats() };
    const entry = graph.entryPoint;
    this.greedyDescend(entry, this.distanceTo(entry), graph.maxLevel, 1);
    this.outIds[0] = this.greedyId;
    this.outDist[0] = this.greedyDist;
    this.searchLayerInto(this.outIds, this.outDist, 1, Math.max(ef, k), 0);
    return { ...this.takeOut(Math.min(k, this.outCount)), stats: this.stats() };
  }

  private beginQuery(query: Float32Array): void {
    if (!(query instanceof Float32Array) || query.length !== this.core.dim) {
      const got = query instanceof Float32Array ? `length ${query.length}` : typeof query;
      throw new HnswParamError(`query must be a Float32Array of length ${this.core.dim}, got ${got}`);
    }
    this.distanceCount = 0;
    this.expansionCount = 0;
    this.setQuery(query, 0, this.core.metric === 'cosine' ? norm(query, 0, query.length) : 0);
  }

  private stats(): SearchStats {
    return { distanceCount: this.distanceCount, expansionCount: this.expansionCount };
  }

  private takeOut(count: number): SearchResult {
    return { ids: this.outIds.slice(0, count), distances: this.outDist.slice(0, count) };
  }

  private ensureOutCapacity(count: number): void {
    if (this.outIds.length >= count) return;
    let capacity = this.outIds.length;
    while (capacity < count) capacity *= 2;
    const ids = new Uint32Array(capacity);
    const dist = new Float64Array(capacity);
    ids.set(this.outIds);
    dist.set(this.outDist);
    this.outIds = ids;
    this.outDist = dist;
  }
}

function checkPositiveInt(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new HnswParamError(`${name} must be a positive integer, got ${value}`);
}
