// Parallel typed arrays that grow together (message slots, the bench's delivery log): each
// doubles into a fresh array of its own kind holding what it had.

type Growable = Int32Array | Uint32Array | Uint8Array | Float64Array;

/** A new array of the same kind, twice as long, starting with `a`'s elements. */
export function doubled<T extends Growable>(a: T): T {
  const out = new (a.constructor as new (length: number) => T)(a.length * 2);
  out.set(a);
  return out;
}
