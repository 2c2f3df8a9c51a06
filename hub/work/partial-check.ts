// What a READ_TOPK answer must be before the hub merges it: a reply can be well sealed (its
// CRC32C right) and still not be an answer to what was asked (a forged or confused reply).
// Its entries must be at most the k the tile was loaded with, each id one the unit could
// have produced (its blocks' range, its batch, the dataset), no id twice, and in the tile's
// own order: ascending by the f32 distance's total-order key, equal distances by lower id.
// The answer is checked as the hub reads it, numbers in place (protocol/topk-in-place.ts):
// no BigInt and no object per entry (docs/performance.md, "The reply's side").
import type { TopkInPlace } from '../../protocol/topk-in-place.ts';
import { canonical, distanceKey } from '../../tile/reference/topk.ts';
import type { EncodedDataset } from '../encoded-dataset.ts';
import type { Candidate } from '../topk-merge.ts';
import type { TileJob, WorkUnit } from './job.ts';

export interface PartialExpectation {
  k: number;
  /** Whether the unit could have produced this id. */
  has(id: number): boolean;
  what: string;
}

/** The ids of a unit of blocks: each block's range [first, first + count), count cut at n,
 *  read from the dataset's numbers without a block object. `what` (only for a fault's text)
 *  is made when asked. */
class BlockIds implements PartialExpectation {
  constructor(
    readonly k: number,
    private readonly data: EncodedDataset,
    private readonly blockIds: readonly number[],
  ) {}

  has(id: number): boolean {
    const per = this.data.vectorsPerBlock;
    const n = this.data.n;
    for (let i = 0; i < this.blockIds.length; i++) {
      const first = this.blockIds[i]! * per;
      if (id >= first && id < first + Math.min(per, n - first)) return true;
    }
    return false;
  }

  get what(): string {
    return `blocks ${this.blockIds.map((b) => this.data.block(b).blockId).join(',')}`;
  }
}

/** What the answer of `unitKey` in `job` may hold. Built per READ_TOPK answer. */
export function expectationOf(data: EncodedDataset, job: TileJob, unitKey: string): PartialExpectation | null {
  const unit: WorkUnit | undefined = job.units.find((u) => u.key === unitKey);
  if (!unit) return null;
  const q = job.steps.find((s) => s.op === 'query' && s.queryId === unit.queryId);
  const k = q?.op === 'query' && q.k !== undefined ? q.k : data.spec.k;
  if (unit.kind === 'hnsw-batch') {
    // One entry per id of the batch, whether or not this job loaded the query (a tile that
    // already holds it is not sent LOAD_QUERY again).
    const ids = new Set(unit.ids);
    return { k: unit.ids.length, has: (id) => ids.has(id), what: `batch ${unit.key}` };
  }
  if (unit.kind === 'walk') return { k, has: (id) => id < data.n, what: `dataset of ${data.n}` };
  return new BlockIds(k, data, unit.kind === 'scan' ? unit.blockIds : [unit.blockId]);
}

/** Up to this many entries, "no id twice" is a scan of the earlier ones instead of a Set. */
const SCAN_FOR_TWICE = 32;

/** Why these entries are not an answer to the unit, or null when they can be. */
export function partialProblem(t: TopkInPlace, expect: PartialExpectation): string | null {
  const n = t.count;
  if (n > expect.k) return `${n} entries, more than k ${expect.k}`;
  const seen = n > SCAN_FOR_TWICE ? new Set<number>() : null;
  let beforeKey = 0;
  let beforeId = 0;
  for (let i = 0; i < n; i++) {
    const id = t.idOf(i); // -1: above Number.MAX_SAFE_INTEGER, never a dataset's id
    if (id < 0 || !expect.has(id)) return `id ${t.idText(i)} is not in ${expect.what}`;
    if (seen ? seen.has(id) : seenBefore(t, i, id)) return `id ${id} twice`;
    seen?.add(id);
    // The tile's order (tile/reference/topk.ts compareCandidates): the distance's key, then the lower id.
    const key = distanceKey(canonical(t.distBitsOf(i)));
    if (i > 0 && (key < beforeKey || (key === beforeKey && id <= beforeId))) return `entries ${i - 1} and ${i} are not in the tile's order`;
    beforeKey = key;
    beforeId = id;
  }
  return null;
}

/** Whether an entry before `i` has the id `id`. */
function seenBefore(t: TopkInPlace, i: number, id: number): boolean {
  for (let j = 0; j < i; j++) if (t.idOf(j) === id) return true;
  return false;
}

/** The entries as the hub merges them (ids checked safe by partialProblem first). */
export function candidatesOf(t: TopkInPlace): Candidate[] {
  const out: Candidate[] = [];
  for (let i = 0; i < t.count; i++) out.push({ id: t.idOf(i), dist: t.distOf(i) });
  return out;
}
