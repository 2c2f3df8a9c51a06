// Canonical JSON: object keys sorted by UTF-16 code unit order, no whitespace, typed arrays
// written as plain arrays. Two equal values always give the same bytes, so a trace hash
// depends only on what happened, never on property insertion order.
//
// Values JSON cannot round-trip are rejected instead of silently rewritten (JSON.stringify
// turns NaN into null and drops undefined array slots): a trace must not hide them.

export class CanonicalJsonError extends TypeError {
  override name = 'CanonicalJsonError';
}

export function canonicalJson(value: unknown): string {
  return write(value, []);
}

// The path to a value is a stack of segments joined only when an error needs it: building
// the string for every field would cost more than the serialization (a trace line per event).
function where(path: string[]): string {
  return `$${path.join('')}`;
}

function write(value: unknown, path: string[]): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`${where(path)} is ${value}, which JSON cannot represent`);
      return Object.is(value, -0) ? '0' : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return writeArray(value, path);
      if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
        return writeArray(Array.from(value as unknown as ArrayLike<number | bigint>), path);
      }
      return writeObject(value as Record<string, unknown>, path);
    default:
      throw new CanonicalJsonError(`${where(path)} is a ${typeof value}, which JSON cannot represent`);
  }
}

function writeArray(items: readonly unknown[], path: string[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    path.push(`[${i}]`);
    if (item === undefined) throw new CanonicalJsonError(`${where(path)} is undefined`);
    out += (i > 0 ? ',' : '') + write(item, path);
    path.pop();
  }
  return `${out}]`;
}

function writeObject(obj: Record<string, unknown>, path: string[]): string {
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = obj[key];
    if (item === undefined) continue; // absent and undefined mean the same thing, as in JSON
    path.push(`.${key}`);
    out += `${first ? '' : ','}${JSON.stringify(key)}:${write(item, path)}`;
    path.pop();
    first = false;
  }
  return `${out}}`;
}

/** canonicalJson({ tile }) for a tile id (a non-negative integer), without the generic writer:
 *  the booted event's payload, one per tile in a run (sim-transport.ts). */
export function tilePayloadJson(tile: number): string {
  return `{"tile":${tile}}`;
}
