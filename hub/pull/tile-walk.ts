// The tile's pull-mode walk, replayed in TypeScript (the hub-side LocalWalker and the
// reference the WAT walk is tested against). It follows wat/85-pull.wat step for step:
//
//   W = the tile's result buffer (ef <= 16 entries, sorted by (distance key, id)); an
//       entry's aux is 1 once the node was expanded. The candidate queue is W's
//       unexpanded entries: HNSW never expands a candidate farther than W's worst.
//   seed:   the seed block's vectors are merged into W (kernel merge, ef), their ids
//           marked in the visited filter.
//   loop:   the nearest unexpanded entry of W (W is sorted: the first with aux 0) is
//           marked and expanded: its layer-0 list arrives (LOAD_NEIGHBORS), the ids the
//           filter has not seen are marked and requested (NEED_BLOCK), their vectors
//           arrive as one block and are merged into W. No unexpanded entry: DONE.
//
// Tile-side descent (replayTileDescentWalk, docs/pull-mode.md "Tile-side descent"): before
// the loop the tile descends the upper layers from the entry point with rvf_greedy_step.
// Each step loads node n's list on layer L, asks for the whole list's vectors (n's own
// first while its distance is unknown: the entry), merges them into W and marks them seen,
// and moves to the nearest neighbor by (distance key, id) if it is strictly closer than n;
// when it does not move it goes down a layer, and after layer 1 the loop above starts
// with W = the best ef nodes the descent evaluated (the node reached among them).
//
// Distances are the kernel's, bit for bit (tile/reference/distances.ts), and the merge is
// the kernel's (tile/reference/topk.ts), so the replay gives the tile's W exactly.
import { kernelOrderDistanceBits } from '../../tile/reference/distances.ts';
import { compareCandidates, distanceKey } from '../../tile/reference/topk.ts';
import { DTYPE_FP16, TOPK_MAX } from '../../wat/layout.ts';
import { VisitedFilter, TILE_FILTER, type FilterShape } from './visited-filter.ts';

export interface WalkEntry {
  id: number;
  /** f32 bits of the distance. */
  distBits: number;
  expanded: boolean;
}

export interface WalkSource {
  readonly dim: number;
  readonly metricCode: number;
  /** Layer-0 neighbor ids of a node. */
  neighbors(id: number): ArrayLike<number>;
  /** Neighbor ids on an upper layer (tile-side descent only). */
  upperNeighbors?(id: number, layer: number): ArrayLike<number>;
  /** The vector as fp16 bytes, exactly as the tile computes with it. */
  vectorBytes(id: number): Uint8Array;
}

export interface WalkTrace {
  /** The final W, sorted, with expanded flags (the tile's result buffer). */
  entries: WalkEntry[];
  /** Nodes expanded (NEED_NEIGHBORS sent), in order. */
  expanded: number[];
  /** Vectors requested by NEED_BLOCK (excluding the seed block). */
  requested: number;
  /** Expansions whose list had no unseen id (no NEED_BLOCK). */
  emptyExpansions: number;
  /** Distances the tile computed (seeds + requested; the descent's blocks). */
  distances: number;
  /** Every request the tile sent, in order: `NEED_NEIGHBORS id@layer`, `NEED_BLOCK id,id,...`, `DONE`. */
  requests: string[];
  /** Tile-side descent: the upper-layer lists stepped, in order, as [node, layer]. */
  descent: [number, number][];
  /** Tile-side descent: distances computed on upper layers (included in `distances`). */
  descentVectors: number;
}

/** An entry point and its top layer: where a tile-side descent starts. */
export interface DescentStart {
  id: number;
  layer: number;
}

export { f32FromBits as bitsToF32 } from '../../tile/reference/fp16.ts';

/** Merge into W with the kernel's rule (skip held ids, insert in order, keep ef); new entries unexpanded. */
function mergeInto(w: WalkEntry[], batch: { id: number; distBits: number }[], ef: number): void {
  if (w.length > ef) w.length = ef;
  for (const c of batch) {
    if (w.some((e) => e.id === c.id)) continue;
    const cand = { id: BigInt(c.id), distBits: c.distBits };
    let p = 0;
    while (p < w.length && compareCandidates({ id: BigInt(w[p]!.id), distBits: w[p]!.distBits }, cand) < 0) p++;
    if (p >= ef) continue;
    w.splice(p, 0, { id: c.id, distBits: c.distBits, expanded: false });
    if (w.length > ef) w.pop();
  }
}

export function checkEf(ef: number): void {
  if (!Number.isInteger(ef) || ef < 1 || ef > TOPK_MAX) {
    throw new RangeError(`--ef ${ef} is outside 1..${TOPK_MAX}: the walk's beam is the tile's ${TOPK_MAX}-entry result buffer`);
  }
}

interface WalkRun {
  w: WalkEntry[];
  filter: VisitedFilter;
  dist: (id: number) => number;
  trace: WalkTrace;
}

function startWalk(src: WalkSource, query: Uint8Array, ef: number, filterShape: FilterShape): WalkRun {
  checkEf(ef);
  const w: WalkEntry[] = [];
  return {
    w,
    filter: new VisitedFilter(filterShape),
    dist: (id: number) => kernelOrderDistanceBits(DTYPE_FP16, src.metricCode, query, src.vectorBytes(id), src.dim),
    trace: { entries: w, expanded: [], requested: 0, emptyExpansions: 0, distances: 0, requests: [], descent: [], descentVectors: 0 },
  };
}

/** Replays one walk: the seed ids, the query (fp16 bytes), beam width ef. */
export function replayTileWalk(src: WalkSource, query: Uint8Array, seeds: readonly number[], ef: number, filterShape: FilterShape = TILE_FILTER): WalkTrace {
  const run = startWalk(src, query, ef, filterShape);
  if (seeds.length > 0) {
    mergeInto(run.w, seeds.map((id) => ({ id, distBits: run.dist(id) })), ef);
    for (const id of seeds) run.filter.visit(id);
    run.trace.distances += seeds.length;
  }
  return baseBeam(src, run, ef);
}

/**
 * Replays one walk with the tile-side descent from `start` (the region's entry point and
 * top layer). A graph with only layer 0 has nothing to descend: the entry is the seed.
 */
export function replayTileDescentWalk(src: WalkSource, query: Uint8Array, start: DescentStart, ef: number, filterShape: FilterShape = TILE_FILTER): WalkTrace {
  if (start.layer < 1) return replayTileWalk(src, query, [start.id], ef, filterShape);
  if (!src.upperNeighbors) throw new RangeError('a tile-side descent needs the upper layers (WalkSource.upperNeighbors)');
  const run = startWalk(src, query, ef, filterShape);
  const { w, filter, dist, trace } = run;
  let cur = start.id;
  let curBits: number | null = null; // the tile's ST_CUR_*: unknown until the first block
  let layer = start.layer;
  for (;;) {
    trace.descent.push([cur, layer]);
    const list = Array.from(src.upperNeighbors(cur, layer));
    const ids: number[] = curBits === null ? [cur, ...list] : list;
    if (ids.length > 0) {
      for (const id of ids) filter.visit(id); // marked at request and again at FINAL (idempotent)
      trace.requests.push(`NEED_BLOCK ${ids.join(',')}`);
      const block: { id: number; distBits: number }[] = ids.map((id) => ({ id, distBits: dist(id) }));
      mergeInto(w, block, ef); // the FINAL chunk's compute-and-merge
      trace.distances += ids.length;
      trace.descentVectors += ids.length;
      const curKey = distanceKey(curBits ?? block[0]!.distBits); // unknown: block vector 0 is the node itself
      curBits ??= block[0]!.distBits;
      const nbs = block.slice(ids.length - list.length);
      // rvf_greedy_step: merge the list again (a no-op: held ids are skipped), then the best
      // neighbor by (key, id), taken only when strictly closer than the current node.
      mergeInto(w, nbs, ef);
      let best: { id: number; distBits: number } | null = null;
      for (const c of nbs) {
        if (best === null || compareCandidates({ id: BigInt(c.id), distBits: c.distBits }, { id: BigInt(best.id), distBits: best.distBits }) < 0) best = c;
      }
      if (best !== null && distanceKey(best.distBits) < curKey) {
        cur = best.id;
        curBits = best.distBits;
        trace.requests.push(`NEED_NEIGHBORS ${cur}@${layer}`);
        continue;
      }
    }
    if (layer === 1) break;
    layer--;
    trace.requests.push(`NEED_NEIGHBORS ${cur}@${layer}`);
  }
  return baseBeam(src, run, ef);
}

function baseBeam(src: WalkSource, run: WalkRun, ef: number): WalkTrace {
  const { w, filter, dist, trace } = run;
  for (;;) {
    const next = w.find((e) => !e.expanded);
    if (!next) break;
    next.expanded = true;
    trace.expanded.push(next.id);
    trace.requests.push(`NEED_NEIGHBORS ${next.id}@0`);
    const fresh: number[] = [];
    const list = src.neighbors(next.id);
    for (let i = 0; i < list.length; i++) if (filter.visit(list[i]!)) fresh.push(list[i]!);
    if (fresh.length === 0) {
      trace.emptyExpansions++;
      continue;
    }
    trace.requests.push(`NEED_BLOCK ${fresh.join(',')}`);
    trace.requested += fresh.length;
    trace.distances += fresh.length;
    mergeInto(w, fresh.map((id) => ({ id, distBits: dist(id) })), ef);
  }
  trace.requests.push('DONE');
  return trace;
}
