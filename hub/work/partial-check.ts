// What a READ_TOPK answer must be before the hub merges it: a reply can be well sealed (its
// CRC32C right) and still not be an answer to what was asked (a forged or confused reply).
// Its entries must be at most the k the tile was loaded with, each id one the unit could
// have produced (its blocks' range, its batch, the dataset), no id twice, and in the tile's
// own order: ascending by the f32 distance's total-order key, equal distances by lower id.
import type { TopkEntry } from '../../protocol/types.ts';
import { f32Bits } from '../../tile/reference/fp16.ts';
import { compareCandidates } from '../../tile/reference/topk.ts';
import type { EncodedDataset } from '../encoded-dataset.ts';
import type { TileJob, WorkUnit } from './job.ts';

export interface PartialExpectation {
  k: number;
  /** Whether the unit could have produced this id. */
  has(id: number): boolean;
  what: string;
}

/** What the answer of `unitKey` in `job` may hold. */
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
  const blocks = (unit.kind === 'scan' ? unit.blockIds : [unit.blockId]).map((b) => data.block(b));
  return { k, has: (id) => blocks.some((b) => id >= b.firstId && id < b.firstId + b.count), what: `blocks ${blocks.map((b) => b.blockId).join(',')}` };
}

/** Why these entries are not an answer to the unit, or null when they can be. */
export function partialProblem(entries: readonly TopkEntry[], expect: PartialExpectation): string | null {
  if (entries.length > expect.k) return `${entries.length} entries, more than k ${expect.k}`;
  const seen = new Set<bigint>();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.id > BigInt(Number.MAX_SAFE_INTEGER) || !expect.has(Number(e.id))) return `id ${e.id} is not in ${expect.what}`;
    if (seen.has(e.id)) return `id ${e.id} twice`;
    seen.add(e.id);
    if (i > 0) {
      const prev = entries[i - 1]!;
      if (compareCandidates({ id: prev.id, distBits: f32Bits(prev.dist) }, { id: e.id, distBits: f32Bits(e.dist) }) >= 0) return `entries ${i - 1} and ${i} are not in the tile's order`;
    }
  }
  return null;
}
