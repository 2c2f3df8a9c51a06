// Exact k-NN by scanning every row: the ground truth for recall, and the message-count
// baseline (n distance computations) that graph search is compared against.

import { HnswParamError } from './errors.ts';
import { closerThan } from './heap.ts';
import { metricDistance, norm, type Metric } from './metric.ts';
import type { SearchResult } from './search.ts';

export function bruteForceKnn(vectors: Float32Array, dim: number, metric: Metric, query: Float32Array, k: number): SearchResult {
  if (query.length !== dim) throw new HnswParamError(`query length ${query.length} does not match dim ${dim}`);
  const n = Math.floor(vectors.length / dim);
  const take = Math.min(k, n);
  const ids = new Uint32Array(take);
  const distances = new Float64Array(take);
  if (take <= 0) return { ids, distances };
  const queryNorm = metric === 'cosine' ? norm(query, 0, dim) : 0;
  let filled = 0;
  for (let id = 0; id < n; id++) {
    const rowNorm = metric === 'cosine' ? norm(vectors, id * dim, dim) : 0;
    const d = metricDistance(metric, query, 0, queryNorm, vectors, id * dim, rowNorm, dim);
    if (filled === take && !closerThan(d, id, distances[take - 1]!, ids[take - 1]!)) continue;
    // Insert into the sorted top list; k is small.
    let i = filled < take ? filled++ : take - 1;
    while (i > 0 && closerThan(d, id, distances[i - 1]!, ids[i - 1]!)) {
      ids[i] = ids[i - 1]!;
      distances[i] = distances[i - 1]!;
      i--;
    }
    ids[i] = id;
    distances[i] = d;
  }
  return { ids, distances };
}
