// What a READ_TOPK answer must be before the hub merges it: a reply can be well sealed (its
// CRC32C right) and still not be an answer to what was asked (a forged or confused reply).
// Its entries must be at most the k the tile was loaded with, each id one the unit could
// have produced (its blocks' range, its batch, the dataset), no id twice, and in the tile's
// own order: ascending by the f32 distance's total-order key, equal distances by lower id.
import type { TopkEntry } from '../../protocol/types.ts';
import { f32Bits } from '../../tile/reference/fp16.ts';
import { compareCandidates, type Candidate } from '../../tile/reference/topk.ts';
import type { EncodedDataset } from '../encoded-dataset.ts';
import type { TileJob, WorkUnit } from './job.ts';

export interface PartialExpectation {
  k: number;
  /** Whether the unit could have produced this id. */
  has(id: number): boolean;
  what: string;
}

/** What the answer of `unitKey` in `job` may hold. Built per READ_TOPK answer, so the
 *  block ranges are read in a loop and `what` (only for a fault's text) is made when asked. */
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
  const blockIds = unit.kind === 'scan' ? unit.blockIds : [unit.blockId];
  return {
    k,
    has: (id) => {
      // data.block's range without its object: [first, first + count), count cut at n.
      const per = data.vectorsPerBlock;
      for (let i = 0; i < blockIds.length; i++) {
        const first = blockIds[i]! * per;
        if (id >= first && id < first + Math.min(per, data.n - first)) return true;
      }
      return false;
    },
    get what() {
      return `blocks ${blockIds.map((b) => data.block(b).blockId).join(',')}`;
    },
  };
}

const MAX_SAFE_ID = BigInt(Number.MAX_SAFE_INTEGER);
/** Up to this many entries, "no id twice" is a scan of the earlier ones instead of a Set. */
const SCAN_FOR_TWICE = 32;
/** Two reused candidates for the order check (no object per entry). */
const before: Candidate = { id: 0n, distBits: 0 };
const after: Candidate = { id: 0n, distBits: 0 };

/** Why these entries are not an answer to the unit, or null when they can be. */
export function partialProblem(entries: readonly TopkEntry[], expect: PartialExpectation): string | null {
  if (entries.length > expect.k) return `${entries.length} entries, more than k ${expect.k}`;
  const seen = entries.length > SCAN_FOR_TWICE ? new Set<bigint>() : null;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.id > MAX_SAFE_ID || !expect.has(Number(e.id))) return `id ${e.id} is not in ${expect.what}`;
    if (seen ? seen.has(e.id) : seenBefore(entries, i)) return `id ${e.id} twice`;
    seen?.add(e.id);
    if (i > 0) {
      const prev = entries[i - 1]!;
      before.id = prev.id;
      before.distBits = f32Bits(prev.dist);
      after.id = e.id;
      after.distBits = f32Bits(e.dist);
      if (compareCandidates(before, after) >= 0) return `entries ${i - 1} and ${i} are not in the tile's order`;
    }
  }
  return null;
}

/** Whether an entry before `i` has entry i's id. */
function seenBefore(entries: readonly TopkEntry[], i: number): boolean {
  const id = entries[i]!.id;
  for (let j = 0; j < i; j++) if (entries[j]!.id === id) return true;
  return false;
}
