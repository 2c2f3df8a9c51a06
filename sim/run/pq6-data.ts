// --dtype pq6 (docs/format.md "PQ 6-bit codes"): the hub trains the run's codebook on its
// base vectors before the run, seeded from the run's seed (hub/pq6/train.ts), with the
// largest M the dim allows (hub/pq6/run-shape.ts checked it fits the messages).
import type { EncodedDataset } from '../../hub/encoded-dataset.ts';
import type { Prng } from '../../hub/prng.ts';
import { referenceTopK } from '../../tile/reference/topk.ts';
import { defaultPq6M, trainPq6, type Pq6Codebook } from '../../hub/pq6/train.ts';
import type { RunData } from './dataset-source.ts';
import type { RunConfig } from './run-config.ts';

export function pq6Option(config: Pick<RunConfig, 'dtype'>, data: Pick<RunData, 'base' | 'dim'>, prng: Prng): { pq6Book?: Pq6Codebook } {
  if (config.dtype !== 'pq6') return {};
  const m = defaultPq6M(data.dim);
  if (m === undefined) throw new RangeError(`--dtype pq6: no M divides dim ${data.dim}`);
  return { pq6Book: trainPq6(data.base, data.dim, m, prng.derive('pq6-train')) };
}

/** Each query's top-k ids by brute force over the PQ6 reference distances (the tiles' order: distance, then the lower id). */
export function pq6BruteForce(encoded: EncodedDataset, k: number): number[][] {
  const out: number[][] = [];
  for (let q = 0; q < encoded.queryCount; q++) {
    const bits = new Uint32Array(encoded.pq6DistancesOf(q).buffer);
    out.push(referenceTopK(Array.from(bits, (distBits, id) => ({ id: BigInt(id), distBits })), k).map((e) => Number(e.id)));
  }
  return out;
}
