// Which runs can carry PQ 6-bit data (--dtype pq6; docs/format.md "PQ 6-bit codes"): M is
// the largest valid one for the dim (defaultPq6M: most bits a vector), one subspace of the
// codebook (64 x w fp16) must fit one LOAD_PARAMS message (w <= 15 at 2,024 B, 2,020 B
// sealed), and the tile's PQ6 table is squared L2 only.
import { LoadParams } from '../../protocol/constants.ts';
import { MSG_CRC_BYTES, PQ6_K } from '../../wat/layout.ts';
import type { MetricName } from '../search-spec.ts';
import { defaultPq6M } from './train.ts';

/** Data bytes of one LOAD_PARAMS message (4 fewer when sealed). */
export function pq6PieceRoom(sealed: boolean): number {
  return sealed ? LoadParams.maxDataBytes - MSG_CRC_BYTES : LoadParams.maxDataBytes;
}

/** Bytes of one subspace's centroids: 64 x (dim / M) fp16. */
export function pq6SubspaceBytes(dim: number, m: number): number {
  return PQ6_K * (dim / m) * 2;
}

/** Why a run cannot carry PQ6 data at this dim and metric, or undefined. */
export function pq6RunShapeProblem(dim: number, metric: MetricName): string | undefined {
  if (metric !== 'l2') return `--dtype pq6 scores squared L2 only (the tile's PQ table), got --metric ${metric}`;
  const m = Number.isInteger(dim) && dim >= 1 ? defaultPq6M(dim) : undefined;
  if (m === undefined) return `--dtype pq6 needs a dim that a multiple of 4 in 4..32 divides (M subspaces), got dim ${dim}`;
  if (pq6SubspaceBytes(dim, m) > pq6PieceRoom(true)) {
    return `--dtype pq6 at dim ${dim} (M ${m}): one subspace's centroids are ${pq6SubspaceBytes(dim, m)} B, above the ${pq6PieceRoom(true)} B a LOAD_PARAMS message carries (dim / M must be at most 15)`;
  }
  return undefined;
}
