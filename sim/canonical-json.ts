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
  return write(value, '$');
}

function write(value: unknown, path: string): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`${path} is ${value}, which JSON cannot represent`);
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
      throw new CanonicalJsonError(`${path} is a ${typeof value}, which JSON cannot represent`);
  }
}

function writeArray(items: readonly unknown[], path: string): string {
  const parts: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === undefined) throw new CanonicalJsonError(`${path}[${i}] is undefined`);
    parts.push(write(item, `${path}[${i}]`));
  }
  return `[${parts.join(',')}]`;
}

function writeObject(obj: Record<string, unknown>, path: string): string {
  const keys = Object.keys(obj).sort();
  const parts: string[] = [];
  for (const key of keys) {
    const item = obj[key];
    if (item === undefined) continue; // absent and undefined mean the same thing, as in JSON
    parts.push(`${JSON.stringify(key)}:${write(item, `${path}.${key}`)}`);
  }
  return `{${parts.join(',')}}`;
}
