// Push-hnsw orchestration: one hub-side HNSW search (hub-walk.ts) per query in flight,
// each expansion turned into batch units for the tiles (the mode's driver,
// hub/modes/push-hnsw-mode.ts, hands them to the hub core).
//
//   start(q)            the search runs to its first need (the entry point's distance)
//   a need (ids)        one round: the ids cut into batches of <= 16, dealt round-robin
//                       over the query's tile group; each batch is a unit (hnswBatchKey)
//   answered(q, batch)  when every batch of the round has answered, the search resumes
//                       with the distances: a new round, or its answer (the first k of the
//                       beam)
//
// Tile groups: with C queries in flight on T tiles, query slot s owns tiles
// s*G .. s*G + G-1 (G = max(1, floor(T / C)), mod T), so a query is loaded once per tile
// of its group and the groups of concurrent queries do not meet. The hub maps a retired
// tile to its nearest healthy one, and the hub-local fallback computes a batch when no
// tile is left; the answer cannot change, the distances are the same bits.
import type { LayeredGraph } from '../hnsw/layers.ts';
import type { Candidate } from '../topk-merge.ts';
import { hnswBatchKey, type HnswBatchUnit } from '../work/job.ts';
import { hubWalk, type HubWalk } from './hub-walk.ts';

export interface PushHnswSettings {
  /** Beam width on layer 0. */
  ef: number;
  /** Neighbours per query (the answer is the beam's first k). */
  k: number;
  /** Vectors per batch: at most the tile's top-K (16), so READ_TOPK returns them all. */
  batchSize: number;
  tileCount: number;
  /** Queries in flight at once (the hub's concurrency): sets the tile group size. */
  concurrency: number;
}

export interface PushHnswStats {
  queries: number;
  /** Expansion rounds (one per need of the search, including the entry point's). */
  rounds: number;
  batches: number;
  /** Distances the tiles computed for the searches (each batch id once). */
  distances: number;
  /** Neighbor lists the hub read (upper layers and layer 0). */
  expansions: number;
}

export type SearchStep = { units: { tileId: number; unit: HnswBatchUnit }[] } | { done: Candidate[] };

interface QuerySearch {
  walk: HubWalk;
  slot: number;
  cursor: number;
  round: number;
  /** The current round's batches not answered yet, by key. */
  waiting: Map<string, HnswBatchUnit>;
  answers: Map<number, number>;
}

export class PushHnswDriver {
  readonly stats: PushHnswStats = { queries: 0, rounds: 0, batches: 0, distances: 0, expansions: 0 };
  private readonly searches = new Map<number, QuerySearch>();
  private readonly slotsInUse = new Set<number>();
  private readonly groupSize: number;

  constructor(
    readonly graph: LayeredGraph,
    readonly settings: PushHnswSettings,
  ) {
    if (!Number.isInteger(settings.batchSize) || settings.batchSize < 1) throw new RangeError(`batch size ${settings.batchSize} must be a positive integer`);
    this.groupSize = Math.max(1, Math.floor(settings.tileCount / Math.max(1, settings.concurrency)));
  }

  /** Starts query q's search: its first round. */
  start(queryId: number): SearchStep {
    if (this.searches.has(queryId)) throw new RangeError(`query ${queryId} is already being searched`);
    let slot = 0;
    while (this.slotsInUse.has(slot)) slot++;
    this.slotsInUse.add(slot);
    const search: QuerySearch = { walk: hubWalk(this.graph, this.settings.ef, this.settings.k), slot, cursor: 0, round: 0, waiting: new Map(), answers: new Map() };
    this.searches.set(queryId, search);
    this.stats.queries++;
    return this.advance(queryId, search, search.walk.next(new Map()));
  }

  /** The batch a unit key names, while its round waits for it (else undefined). */
  batchOf(queryId: number, unitKey: string): HnswBatchUnit | undefined {
    return this.searches.get(queryId)?.waiting.get(unitKey);
  }

  /** Whether `candidates` can be the tile's answer to the batch: exactly its ids, each once. */
  accepts(queryId: number, unitKey: string, candidates: readonly Candidate[]): boolean {
    const batch = this.batchOf(queryId, unitKey);
    if (!batch) return true; // not a waiting batch: the query machine decides (a duplicate)
    const ids = new Set(candidates.map((c) => c.id));
    return candidates.length === batch.ids.length && ids.size === batch.ids.length && batch.ids.every((id) => ids.has(id));
  }

  /** A batch's distances; the next step once the whole round has answered, else null. */
  answered(queryId: number, unitKey: string, candidates: readonly Candidate[]): SearchStep | null {
    const search = this.searches.get(queryId);
    if (!search || !search.waiting.delete(unitKey)) return null;
    for (const c of candidates) search.answers.set(c.id, c.dist);
    if (search.waiting.size > 0) return null;
    const answers = search.answers;
    search.answers = new Map();
    return this.advance(queryId, search, search.walk.next(answers));
  }

  private advance(queryId: number, search: QuerySearch, it: IteratorResult<number[], { beam: Candidate[]; expansions: number; distances: number }>): SearchStep {
    if (it.done) {
      this.searches.delete(queryId);
      this.slotsInUse.delete(search.slot);
      this.stats.distances += it.value.distances;
      this.stats.expansions += it.value.expansions;
      return { done: it.value.beam.slice(0, this.settings.k) };
    }
    const ids = it.value;
    const round = search.round++;
    const units: { tileId: number; unit: HnswBatchUnit }[] = [];
    const size = this.settings.batchSize;
    for (let at = 0, b = 0; at < ids.length; at += size, b++) {
      const unit: HnswBatchUnit = { kind: 'hnsw-batch', queryId, ids: ids.slice(at, at + size), key: hnswBatchKey(queryId, round, b) };
      search.waiting.set(unit.key, unit);
      units.push({ tileId: this.tileFor(search), unit });
    }
    this.stats.rounds++;
    this.stats.batches += units.length;
    return { units };
  }

  private tileFor(search: QuerySearch): number {
    const i = search.cursor++ % this.groupSize;
    return (search.slot * this.groupSize + i) % this.settings.tileCount;
  }
}
