// The Full-profile path: when no healthy tile can take a unit, the hub computes it itself
// with the reference kernel (tile/reference/distances.ts), whose arithmetic is the tile's
// bit for bit, so a query answered partly by the hub has the same result as one answered
// wholly by tiles. Its cost is charged to the hub's CPU in simulated cycles. Each driver
// answers its own units with these helpers (ModeDriver.computeLocally).
import { kernelOrderDistance } from '../tile/reference/distances.ts';
import { DTYPE_FP16 } from '../wat/layout.ts';
import type { EncodedDataset } from './encoded-dataset.ts';
import { METRIC_CODES } from './work/message-builder.ts';
import { mergeTopK, type Candidate } from './topk-merge.ts';

/** Query q's distance to each id, as the tile computes it, in the order given. */
export function localDistances(data: EncodedDataset, queryId: number, ids: Iterable<number>): Candidate[] {
  const query = data.queryBytes(queryId);
  const metric = METRIC_CODES[data.spec.metric];
  const out: Candidate[] = [];
  if (data.pq6) {
    // PQ6 data: the tile's asymmetric distances over the codes (bit for bit, tile/reference/pq6.ts).
    const all = data.pq6DistancesOf(queryId);
    for (const id of ids) out.push({ id, dist: all[id]! });
    return out;
  }
  for (const id of ids) out.push({ id, dist: kernelOrderDistance(DTYPE_FP16, metric, query, data.computeVectorBytes(id), data.dim) });
  return out;
}

/** The top-k of query q over whole blocks, merged block by block as a tile does. */
export function localBlockScan(data: EncodedDataset, queryId: number, blockIds: readonly number[]): { candidates: Candidate[]; distances: number } {
  let best: Candidate[] = [];
  let distances = 0;
  for (const b of blockIds) {
    const { firstId, count } = data.block(b);
    const ids = Array.from({ length: count }, (_, i) => firstId + i);
    best = mergeTopK(best, localDistances(data, queryId, ids), data.spec.k);
    distances += count;
  }
  return { candidates: best, distances };
}
