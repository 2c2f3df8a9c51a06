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

// The merge's working list, shared by every call (a merge runs to its end before the next
// starts): at most k + 1 <= TOPK_MAX + 1 entries. Three number arrays made per call, grown
// by push and spliced per insertion, were ~1 KiB of garbage per partial, the hub's largest
// allocation outside xstate at 4,096 tiles (docs/performance.md, "Allocation at many tiles").
const ids = new Float64Array(TOPK_MAX + 1);
const bits = new Uint32Array(TOPK_MAX + 1);
const keys = new Uint32Array(TOPK_MAX + 1);
/** The entry of `current` each working entry came from (-1: from `incoming`). */
const from = new Int32Array(TOPK_MAX + 1);

export function mergeTopK(current: readonly Candidate[], incoming: readonly Candidate[], k: number): Candidate[] {
  for (const c of current) checkId(c.id);
  for (const c of incoming) checkId(c.id);
  if (!Number.isInteger(k) || k < 1 || k > TOPK_MAX) throw new TopKError(`k ${k} is outside 1..${TOPK_MAX}`);
  // Nothing to merge: every current entry, even past k, as the reference returns them.
  if (incoming.length === 0) return current.map((c) => keptAsGiven(c));
  const held = Math.min(current.length, k);
  for (let i = 0; i < held; i++) {
    const b = bitsOf(current[i]!.dist); // kept as given; compared canonical, as the reference does
    ids[i] = current[i]!.id;
    bits[i] = b;
    keys[i] = distanceKey(canonical(b));
    from[i] = i;
  }
  let n = held;
  for (const c of incoming) {
    const b = canonical(bitsOf(c.dist));
    const key = distanceKey(b);
    let before = 0;
    let taken = false;
    for (let j = 0; j < n; j++) {
      if (ids[j] === c.id) {
        taken = true;
        break;
      }
      if (keys[j]! < key || (keys[j] === key && ids[j]! < c.id)) before++;
    }
    if (taken || before >= k) continue;
    // Insert at `before`; the worst falls off past k.
    const last = Math.min(n, k - 1);
    for (let j = last; j > before; j--) {
      ids[j] = ids[j - 1]!;
      bits[j] = bits[j - 1]!;
      keys[j] = keys[j - 1]!;
      from[j] = from[j - 1]!;
    }
    ids[before] = c.id;
    bits[before] = b;
    keys[before] = key;
    from[before] = -1;
    n = last + 1;
  }
  const out: Candidate[] = [];
  for (let i = 0; i < n; i++) {
    // A current entry's object is taken as it is when its distance survives the f32 round
    // trip (a merge's own output always does): the same id and dist, no new object.
    const was = from[i]! >= 0 ? current[from[i]!]! : null;
    const dist = distOf(bits[i]!);
    out.push(was !== null && sameNumber(was.dist, dist) ? was : { id: ids[i]!, dist });
  }
  return out;
}

/** `c` with its distance rounded to f32 (the same object when that changes nothing). */
function keptAsGiven(c: Candidate): Candidate {
  const dist = distOf(bitsOf(c.dist));
  return sameNumber(c.dist, dist) ? c : { id: c.id, dist };
}

/** The same number, sign of zero included; never for NaN (a new object carries the f32's NaN). */
function sameNumber(a: number, b: number): boolean {
  return a === b && (a !== 0 || 1 / a === 1 / b);
}
