// Construction parameters: validation and the derived values (M0, mL).

import { HnswParamError } from './errors.ts';
import { isMetric, type Metric } from './metric.ts';

export interface HnswParams {
  /** Max neighbors per node on layers > 0; layer 0 allows M0 = 2 * M. */
  readonly M: number;
  readonly efConstruction: number;
  /** Default 'l2'. */
  readonly metric?: Metric;
}

export interface ResolvedParams {
  readonly M: number;
  readonly M0: number;
  readonly efConstruction: number;
  readonly metric: Metric;
  /** Level multiplier 1 / ln(M). */
  readonly mL: number;
}

export const M_MIN = 2;
export const M_MAX = 1024;
export const EF_CONSTRUCTION_MAX = 1 << 20;

export function resolveParams(params: HnswParams): ResolvedParams {
  const { M, efConstruction } = params;
  const metric = params.metric ?? 'l2';
  if (!Number.isInteger(M) || M < M_MIN || M > M_MAX) {
    throw new HnswParamError(`M must be an integer in ${M_MIN}..${M_MAX}, got ${M}`);
  }
  if (!Number.isInteger(efConstruction) || efConstruction < 1 || efConstruction > EF_CONSTRUCTION_MAX) {
    throw new HnswParamError(`efConstruction must be an integer in 1..${EF_CONSTRUCTION_MAX}, got ${efConstruction}`);
  }
  if (!isMetric(metric)) throw new HnswParamError(`metric must be 'l2', 'ip' or 'cosine', got ${String(metric)}`);
  return { M, M0: 2 * M, efConstruction, metric, mL: 1 / Math.log(M) };
}
