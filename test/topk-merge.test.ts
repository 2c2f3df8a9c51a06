// The hub's merge on numbers (hub/topk-merge.ts) against the reference merge on BigInt
// candidates (tile/reference/topk.ts), as the hub called it before: the same lists, the same
// values, the same errors, over random inputs with ties, repeated ids, NaNs, zeros of both
// signs, infinities, unsorted lists and every k.
import { describe, expect, it } from 'vitest';
import { mergeTopK, type Candidate } from '../hub/topk-merge.ts';
import { mergeTopK as referenceMerge, type Candidate as KernelCandidate } from '../tile/reference/topk.ts';
import { Prng } from '../hub/prng.ts';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The hub's merge as it was: through the reference's BigInt candidates and back. */
function throughReference(current: readonly Candidate[], incoming: readonly Candidate[], k: number): Candidate[] {
  const toKernel = (c: Candidate): KernelCandidate => {
    f32[0] = c.dist;
    return { id: BigInt(c.id), distBits: u32[0]! };
  };
  const fromKernel = (c: KernelCandidate): Candidate => {
    u32[0] = c.distBits;
    return { id: Number(c.id), dist: f32[0]! };
  };
  return referenceMerge(current.map(toKernel), incoming.map(toKernel), k).map(fromKernel);
}

function outcome(f: () => Candidate[]): unknown {
  try {
    // Object.is tells NaN, -0 and +0 apart; the list as [id, dist] pairs.
    return f().map((c) => [c.id, Object.is(c.dist, -0) ? '-0' : Number.isNaN(c.dist) ? 'NaN' : c.dist]);
  } catch (e) {
    return `${(e as Error).name}`;
  }
}

describe('hub top-K merge', () => {
  it('gives what the reference merge gives, over 3,000 random merges', () => {
    const prng = new Prng(7);
    const r = (): number => prng.nextFloat();
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    // A NaN with its sign bit set: as f32 bits 0xffc00000, which the kernel's order takes as
    // the canonical NaN (after +inf), not as the total-order key of those bits (before -inf).
    const negativeNaN = new Float64Array(new BigUint64Array([0xfff8000000000001n]).buffer)[0]!;
    const special = [0, -0, Infinity, -Infinity, NaN, negativeNaN, 1.5, 1.5, 2.25, 1e-40, 3.4e38];
    const candidate = (): Candidate => ({ id: Math.floor(r() * 12), dist: r() < 0.3 ? pick(special) : r() < 0.5 ? Math.floor(r() * 6) / 2 : r() * 10 });
    const list = (n: number): Candidate[] => Array.from({ length: n }, candidate);
    let nonEmpty = 0;
    for (let i = 0; i < 3_000; i++) {
      const k = r() < 0.05 ? pick([0, 17, 2.5]) : 1 + Math.floor(r() * 16);
      // The current list: a merge's own output (sorted, distinct), or anything (unsorted, repeats).
      const current = r() < 0.6 ? throughReference([], list(Math.floor(r() * 20)), 16) : list(Math.floor(r() * 20));
      const incoming = r() < 0.1 ? [] : list(Math.floor(r() * 20));
      if (r() < 0.01) incoming.push({ id: 1.5, dist: 1 });
      const want = outcome(() => throughReference(current, incoming, k));
      expect(outcome(() => mergeTopK(current, incoming, k)), `merge ${i}`).toEqual(want);
      if (Array.isArray(want) && want.length > 0) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(2_000);
  });
});
