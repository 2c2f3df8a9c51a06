// What a run asks of the tiles: the vector encoding on the wire, the metric, k, and how
// work is laid over the mesh. Validated once, at the edge, with errors that name the
// limit and the value.
import { HOT_IMAGE_MAX_DIM_FP16, MAX_DIM_FP16, TOPK_MAX } from '../wat/layout.ts';
import { pq6RunShapeProblem } from './pq6/run-shape.ts';

/** pq6: PQ 6-bit codes trained on the hub, scored by the Hot image (docs/format.md "PQ 6-bit codes"). */
export type WireDtype = 'fp16' | 'i8' | 'pq6';
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
  // fp16 up to the Hot image's 1,024 dims (chips; bare Core tiles stop at 384, and the
  // profile rule refuses the rest with its reason: tile/pack/profile.ts). i8 travels as SQ
  // codes dequantized to fp16 on the tile, whose SQ parameters hold 384 dims in both images.
  if (spec.dtype === 'pq6') {
    const problem = pq6RunShapeProblem(spec.dim, spec.metric);
    if (problem) throw new SearchSpecError(problem);
    return spec;
  }
  const limit = spec.dtype === 'fp16' ? HOT_IMAGE_MAX_DIM_FP16 : MAX_DIM_FP16;
  if (!Number.isInteger(spec.dim) || spec.dim < 1 || spec.dim > limit) {
    const why = spec.dim < 1 ? 'below 1' : spec.dtype === 'fp16' ? `above the Hot profile limit of ${limit} for fp16 vectors` : `above the limit of ${limit} for i8 vectors (a tile's SQ parameters hold ${limit} dims)`;
    throw new SearchSpecError(`dim ${spec.dim} is ${why} (a tile serves 1..${limit}${spec.dtype === 'fp16' ? `; bare Core tiles 1..${MAX_DIM_FP16}` : ''})`);
  }
  return spec;
}
