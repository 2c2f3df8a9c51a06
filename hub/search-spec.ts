// What a run asks of the tiles: the vector encoding on the wire, the metric, k, and how
// work is laid over the mesh. Validated once, at the edge, with errors that name the
// limit and the value.
import { MAX_DIM_FP16, MAX_DIM_I8, TOPK_MAX } from '../wat/layout.ts';

export type WireDtype = 'fp16' | 'i8';
export type MetricName = 'l2' | 'ip' | 'cosine';
export type Schedule = 'query' | 'block';

export interface SearchSpec {
  dtype: WireDtype;
  metric: MetricName;
  k: number;
  dim: number;
  schedule: Schedule;
}

export class SearchSpecError extends RangeError {
  override name = 'SearchSpecError';
}

export function checkSearchSpec(spec: SearchSpec): SearchSpec {
  if (!Number.isInteger(spec.k) || spec.k < 1 || spec.k > TOPK_MAX) {
    throw new SearchSpecError(`--k ${spec.k} is outside 1..${TOPK_MAX}: a tile's result buffer holds ${TOPK_MAX} candidates`);
  }
  // i8 travels as SQ codes but is dequantized to fp16 on the tile, so fp16's limit applies.
  const limit = spec.dtype === 'fp16' || spec.dtype === 'i8' ? MAX_DIM_FP16 : MAX_DIM_I8;
  if (!Number.isInteger(spec.dim) || spec.dim < 1 || spec.dim > limit) {
    const why = spec.dim < 1 ? 'below 1' : `above the Core profile limit of ${limit} for ${spec.dtype} vectors`;
    throw new SearchSpecError(`dim ${spec.dim} is ${why} (a tile serves 1..${limit})`);
  }
  return spec;
}
