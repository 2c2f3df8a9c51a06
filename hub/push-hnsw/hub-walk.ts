// Push-hnsw's search: the standard HNSW search (Malkov & Yashunin, Algorithms 2 and 5; the
// same steps as hub/hnsw/search.ts) written as a generator that does no arithmetic. At
// every expansion it yields the ids whose distances it does not know yet and waits; the
// driver has tiles compute them and resumes it with the answers. So the hub does the
// graph bookkeeping and the tiles the distances, and the result is exactly what the
// synchronous search gives with the tile's arithmetic (tested against
// HnswSearcher.searchWithDistance with kernelOrderDistance).
//
//   upper layers: greedy descent (ef = 1) from the entry point to layer 1
//   layer 0:      beam of width max(ef, k); candidates nearest first, results farthest
//                 first, every comparison by (distance, id) so ties go to the lower id
//
// A distance is asked for once per query: the upper layers' answers are reused on layer
// 0 (the synchronous search recomputes them; the value is the same).
import { closerThan, DistIdHeap } from '../hnsw/heap.ts';
import type { LayeredGraph } from '../hnsw/layers.ts';
import type { Candidate } from '../topk-merge.ts';

/** Distances the walk asked for, by id. */
export type DistanceAnswers = ReadonlyMap<number, number>;

/** What a finished walk gives: the whole beam (max(ef, k) entries at most, ascending by
 *  (distance, id); the answer is its first k) and how it got there. */
export interface HubWalkResult {
  beam: Candidate[];
  /** Neighbor lists read, on any layer. */
  expansions: number;
  /** Distances asked of the tiles. */
  distances: number;
}

export type HubWalk = Generator<number[], HubWalkResult, DistanceAnswers>;

export function* hubWalk(graph: LayeredGraph, ef: number, k: number): HubWalk {
  const known = new Map<number, number>();
  const stats = { expansions: 0, distances: 0 };
  function* need(ids: Iterable<number>): Generator<number[], void, DistanceAnswers> {
    const missing = [...new Set(ids)].filter((id) => !known.has(id));
    if (missing.length === 0) return;
    const got = yield missing;
    for (const id of missing) {
      const d = got.get(id);
      if (d === undefined) throw new RangeError(`the distance of node ${id} was asked for and not given`);
      known.set(id, d);
    }
    stats.distances += missing.length;
  }
  if (graph.maxLevel < 0) return { beam: [], ...stats };
  let cur = graph.entryPoint;
  yield* need([cur]);
  for (let layer = graph.maxLevel; layer >= 1; layer--) {
    for (;;) {
      const list = graph.neighbors(cur, layer);
      stats.expansions++;
      yield* need(list);
      let best = cur;
      for (const nb of list) if (closerThan(known.get(nb)!, nb, known.get(best)!, best)) best = nb;
      if (best === cur) break;
      cur = best;
    }
  }
  const beam = yield* searchBaseLayer(graph, cur, Math.max(ef, k), known, need, stats);
  return { beam, ...stats };
}

function* searchBaseLayer(
  graph: LayeredGraph,
  entry: number,
  ef: number,
  known: Map<number, number>,
  need: (ids: Iterable<number>) => Generator<number[], void, DistanceAnswers>,
  stats: { expansions: number },
): Generator<number[], Candidate[], DistanceAnswers> {
  const visited = new Set<number>([entry]);
  const C = new DistIdHeap('nearest-first');
  const W = new DistIdHeap('farthest-first');
  C.push(known.get(entry)!, entry);
  W.push(known.get(entry)!, entry);
  while (C.size > 0) {
    const cDist = C.topDistance();
    const cId = C.topId();
    C.pop();
    if (closerThan(W.topDistance(), W.topId(), cDist, cId)) break;
    const fresh: number[] = [];
    for (const e of graph.neighbors(cId, 0)) {
      if (visited.has(e)) continue;
      visited.add(e);
      fresh.push(e);
    }
    stats.expansions++;
    yield* need(fresh);
    for (const e of fresh) {
      const d = known.get(e)!;
      if (W.size < ef || closerThan(d, e, W.topDistance(), W.topId())) {
        C.push(d, e);
        W.push(d, e);
        if (W.size > ef) W.pop();
      }
    }
  }
  const ids = new Uint32Array(W.size);
  const dist = new Float64Array(W.size);
  const n = W.drainAscending(ids, dist);
  return Array.from({ length: n }, (_, i) => ({ id: ids[i]!, dist: dist[i]! }));
}
