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
// Distances are the kernel's, bit for bit (tile/reference/distances.ts), and the merge is
// the kernel's (tile/reference/topk.ts), so the replay gives the tile's W exactly.
import { kernelOrderDistanceBits } from '../../tile/reference/distances.ts';
import { compareCandidates } from '../../tile/reference/topk.ts';
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
  /** Distances the tile computed (seeds + requested). */
  distances: number;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
export function bitsToF32(bits: number): number {
  u32[0] = bits;
  return f32[0]!;
}

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

/** Replays one walk: the seed ids, the query (fp16 bytes), beam width ef. */
export function replayTileWalk(src: WalkSource, query: Uint8Array, seeds: readonly number[], ef: number, filterShape: FilterShape = TILE_FILTER): WalkTrace {
  checkEf(ef);
  const filter = new VisitedFilter(filterShape);
  const w: WalkEntry[] = [];
  const dist = (id: number) => kernelOrderDistanceBits(DTYPE_FP16, src.metricCode, query, src.vectorBytes(id), src.dim);
  const trace: WalkTrace = { entries: w, expanded: [], requested: 0, emptyExpansions: 0, distances: 0 };
  if (seeds.length > 0) {
    mergeInto(w, seeds.map((id) => ({ id, distBits: dist(id) })), ef);
    for (const id of seeds) filter.visit(id);
    trace.distances += seeds.length;
  }
  for (;;) {
    const next = w.find((e) => !e.expanded);
    if (!next) break;
    next.expanded = true;
    trace.expanded.push(next.id);
    const fresh: number[] = [];
    const list = src.neighbors(next.id);
    for (let i = 0; i < list.length; i++) if (filter.visit(list[i]!)) fresh.push(list[i]!);
    if (fresh.length === 0) {
      trace.emptyExpansions++;
      continue;
    }
    trace.requested += fresh.length;
    trace.distances += fresh.length;
    mergeInto(w, fresh.map((id) => ({ id, distBits: dist(id) })), ef);
  }
  return trace;
}
