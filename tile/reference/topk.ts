// Reference top-K with the kernel's order: ascending by (key(dist), id), where key is the
// IEEE total-order key of the f32 bits compared unsigned (-0 < +0, canonical NaN after
// +inf) and equal distances go to the lower id.
import { CANONICAL_NAN_BITS, TOPK_MAX } from '../../wat/layout.ts';

export interface Candidate {
  id: bigint;
  /** f32 bits of the distance. */
  distBits: number;
}

export function distanceKey(bits: number): number {
  return (bits ^ ((bits >> 31) | 0x80000000)) >>> 0;
}

/** The bits as the kernel keeps them: any NaN becomes the canonical NaN. */
export function canonical(bits: number): number {
  const b = bits >>> 0;
  return (b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0 ? CANONICAL_NAN_BITS : b;
}

/** Negative when a sorts before b. */
export function compareCandidates(a: Candidate, b: Candidate): number {
  const ka = distanceKey(canonical(a.distBits));
  const kb = distanceKey(canonical(b.distBits));
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export class TopKError extends RangeError {
  override name = 'TopKError';
}

/** The best k of candidates with distinct ids. */
export function referenceTopK(candidates: readonly Candidate[], k: number): Candidate[] {
  if (!Number.isInteger(k) || k < 1 || k > TOPK_MAX) throw new TopKError(`k ${k} is outside 1..${TOPK_MAX}`);
  const ids = new Set(candidates.map((c) => c.id));
  if (ids.size !== candidates.length) throw new TopKError('referenceTopK needs distinct ids; use mergeTopK for re-sent candidates');
  return candidates
    .map((c) => ({ id: c.id, distBits: canonical(c.distBits) }))
    .sort(compareCandidates)
    .slice(0, k);
}

/**
 * The kernel's merge, step by step: truncate to k, then each candidate in order is
 * skipped when its id is already held, else inserted in order, the worst falling off.
 */
export function mergeTopK(buffer: readonly Candidate[], candidates: readonly Candidate[], k: number): Candidate[] {
  if (!Number.isInteger(k) || k < 1 || k > TOPK_MAX) throw new TopKError(`k ${k} is outside 1..${TOPK_MAX}`);
  if (candidates.length === 0) return buffer.slice();
  const out = buffer.slice(0, k);
  for (const c of candidates) {
    const cand = { id: c.id, distBits: canonical(c.distBits) };
    if (out.some((e) => e.id === cand.id)) continue;
    const p = out.filter((e) => compareCandidates(e, cand) < 0).length;
    if (p >= k) continue;
    out.splice(p, 0, cand);
    if (out.length > k) out.pop();
  }
  return out;
}
