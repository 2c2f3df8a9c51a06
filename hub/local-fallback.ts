// The Full-profile path: when no healthy tile can take a unit, the hub computes it itself
// with the reference kernel (tile/reference/distances.ts), whose arithmetic is the tile's
// bit for bit, so a query answered partly by the hub has the same result as one answered
// wholly by tiles. Its cost is charged to the hub's CPU in simulated cycles.
import { kernelOrderDistance } from '../tile/reference/distances.ts';
import { DTYPE_FP16 } from '../wat/layout.ts';
import type { EncodedDataset } from './encoded-dataset.ts';
import { METRIC_CODES } from './work/message-builder.ts';
import type { WalkUnit, WorkUnit } from './work/job.ts';
import { mergeTopK, type Candidate } from './topk-merge.ts';

/** Hub CPU cycles per distance: AVX-512, 32 fp16 lanes per cycle (spec section 6), plus a call. */
export const HUB_CYCLES_PER_DISTANCE_BASE = 8;
export const HUB_FP16_LANES_PER_CYCLE = 32;

export interface LocalPartial {
  queryId: number;
  unitKey: string;
  candidates: Candidate[];
}

/** Pull mode's hub-side reference walk: the tile's walk, replayed in TypeScript. */
export interface LocalWalker {
  walk(unit: WalkUnit): { candidates: Candidate[]; distances: number };
}

export class LocalFallback {
  walker: LocalWalker | null = null;

  constructor(private readonly data: EncodedDataset) {}

  compute(units: readonly WorkUnit[]): { cycles: number; partials: LocalPartial[] } {
    let distances = 0;
    const partials = units.map((u) => {
      if (u.kind === 'hnsw-batch') {
        // What the tile's FRESH_TOPK batch returns: every id's distance, in the tile's order.
        const query = this.data.queryBytes(u.queryId);
        const batch = u.ids.map((id) => ({ id, dist: kernelOrderDistance(DTYPE_FP16, METRIC_CODES[this.data.spec.metric], query, this.data.computeVectorBytes(id), this.data.dim) }));
        distances += batch.length;
        return { queryId: u.queryId, unitKey: u.key, candidates: mergeTopK([], batch, batch.length) };
      }
      if (u.kind === 'walk') {
        if (!this.walker) throw new Error(`unit ${u.key}: no hub-side walker to run a pull-mode walk locally`);
        const r = this.walker.walk(u);
        distances += r.distances;
        return { queryId: u.queryId, unitKey: u.key, candidates: r.candidates };
      }
      const blocks = u.kind === 'scan' ? u.blockIds : [u.blockId];
      const query = this.data.queryBytes(u.queryId);
      let best: Candidate[] = [];
      for (const b of blocks) {
        const { firstId, count } = this.data.block(b);
        const batch: Candidate[] = [];
        for (let id = firstId; id < firstId + count; id++) {
          batch.push({ id, dist: kernelOrderDistance(DTYPE_FP16, METRIC_CODES[this.data.spec.metric], query, this.data.computeVectorBytes(id), this.data.dim) });
        }
        distances += count;
        best = mergeTopK(best, batch, this.data.spec.k);
      }
      return { queryId: u.queryId, unitKey: u.key, candidates: best };
    });
    const perDistance = HUB_CYCLES_PER_DISTANCE_BASE + Math.ceil(this.data.dim / HUB_FP16_LANES_PER_CYCLE);
    return { cycles: distances * perDistance, partials };
  }
}
