// The hub's global top-K merge, in the tile's own order (tile/reference/topk.ts): by the
// f32 distance's total-order key, then the lower id; an id already held is not taken twice.
// It is the reference merge (mergeTopK there, step by step: truncate to k, then each
// candidate skipped when its id is held, else inserted after the entries before it, the worst
// falling off) on numbers: the reference's candidates carry BigInt ids, and converting each
// query's best list and every partial to them and back cost more than the merge itself, run
// once per partial inside the query machine's PARTIALS (docs/performance.md, "The end of a
// job in one microstep"). test/topk-merge.test.ts checks it against the reference.
import { TOPK_MAX } from '../wat/layout.ts';
import { canonical, distanceKey, TopKError } from '../tile/reference/topk.ts';

export interface Candidate {
  id: number;
  /** The f32 distance as the tile reported it. */
  dist: number;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function bitsOf(dist: number): number {
  f32[0] = dist;
  return u32[0]!;
}

function distOf(bits: number): number {
  u32[0] = bits;
  return f32[0]!;
}

/** The reference took every id as a BigInt, which refuses a number that is not an integer. */
function checkId(id: number): void {
  if (!Number.isInteger(id)) throw new RangeError(`candidate id ${id} is not an integer`);
}

export function mergeTopK(current: readonly Candidate[], incoming: readonly Candidate[], k: number): Candidate[] {
  for (const c of current) checkId(c.id);
  for (const c of incoming) checkId(c.id);
  if (!Number.isInteger(k) || k < 1 || k > TOPK_MAX) throw new TopKError(`k ${k} is outside 1..${TOPK_MAX}`);
  // Nothing to merge: every current entry, even past k, as the reference returns them.
  const held = incoming.length === 0 ? current.length : Math.min(current.length, k);
  const ids: number[] = [];
  const bits: number[] = [];
  const keys: number[] = [];
  for (let i = 0; i < held; i++) {
    const b = bitsOf(current[i]!.dist); // kept as given; compared canonical, as the reference does
    ids.push(current[i]!.id);
    bits.push(b);
    keys.push(distanceKey(canonical(b)));
  }
  for (const c of incoming) {
    const b = canonical(bitsOf(c.dist));
    const key = distanceKey(b);
    let before = 0;
    let taken = false;
    for (let j = 0; j < ids.length; j++) {
      if (ids[j] === c.id) {
        taken = true;
        break;
      }
      if (keys[j]! < key || (keys[j] === key && ids[j]! < c.id)) before++;
    }
    if (taken || before >= k) continue;
    ids.splice(before, 0, c.id);
    bits.splice(before, 0, b);
    keys.splice(before, 0, key);
    if (ids.length > k) {
      ids.pop();
      bits.pop();
      keys.pop();
    }
  }
  const out: Candidate[] = [];
  for (let i = 0; i < ids.length; i++) out.push({ id: ids[i]!, dist: distOf(bits[i]!) });
  return out;
}
