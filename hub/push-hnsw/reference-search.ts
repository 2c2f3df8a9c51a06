// The reference push-hnsw must equal: the plain synchronous HNSW search of hub/hnsw over the
// same index and ef, with the tile's arithmetic (fp16 query and vectors, lane-order f32,
// tile/reference/distances.ts) and ties to the lower id. The CLI checks every query of a
// push-hnsw run against it; the tests check it on small indexes.
import { kernelOrderDistance } from '../../tile/reference/distances.ts';
import { DTYPE_FP16 } from '../../wat/layout.ts';
import type { EncodedDataset } from '../encoded-dataset.ts';
import type { HnswIndex } from '../hnsw/index.ts';
import type { Candidate } from '../topk-merge.ts';
import { METRIC_CODES } from '../work/message-builder.ts';

export function referenceHnswSearch(index: HnswIndex, data: EncodedDataset, queryId: number, ef: number, k: number): Candidate[] {
  const query = data.queryBytes(queryId);
  const metric = METRIC_CODES[data.spec.metric];
  const distanceOf = (id: number) => kernelOrderDistance(DTYPE_FP16, metric, query, data.computeVectorBytes(id), data.dim);
  const r = index.createSearcher().searchWithDistance(distanceOf, k, ef);
  return Array.from(r.ids, (id, i) => ({ id, dist: r.distances[i]! }));
}

/** Queries whose answer equals the reference search, ids and distance bits, in order. */
export function countEqualToReference(answers: ReadonlyMap<number, readonly Candidate[]>, reference: (queryId: number) => Candidate[]): { equal: number; differing: number[] } {
  let equal = 0;
  const differing: number[] = [];
  for (const [q, got] of [...answers.entries()].sort((a, b) => a[0] - b[0])) {
    const want = reference(q);
    const same = got.length === want.length && got.every((c, i) => c.id === want[i]!.id && Object.is(Math.fround(c.dist), Math.fround(want[i]!.dist)));
    if (same) equal++;
    else differing.push(q);
  }
  return { equal, differing };
}
