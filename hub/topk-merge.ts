// The hub's global top-K merge, in the tile's own order (tile/reference/topk.ts): by the
// f32 distance's total-order key, then the lower id; an id already held is not taken twice.
import { mergeTopK as kernelMerge, type Candidate as KernelCandidate } from '../tile/reference/topk.ts';

export interface Candidate {
  id: number;
  /** The f32 distance as the tile reported it. */
  dist: number;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function toKernel(c: Candidate): KernelCandidate {
  f32[0] = c.dist;
  return { id: BigInt(c.id), distBits: u32[0]! };
}

function fromKernel(c: KernelCandidate): Candidate {
  u32[0] = c.distBits;
  return { id: Number(c.id), dist: f32[0]! };
}

export function mergeTopK(current: readonly Candidate[], incoming: readonly Candidate[], k: number): Candidate[] {
  return kernelMerge(current.map(toKernel), incoming.map(toKernel), k).map(fromKernel);
}
