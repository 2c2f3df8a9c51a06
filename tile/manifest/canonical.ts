// The bytes a manifest signature covers: canonical JSON (object keys sorted by UTF-16 code
// unit, no whitespace). A copy of sim/canonical-json.ts's rule, kept here because tile/
// may not import sim/ (imports go wat -> tile -> protocol -> hub -> sim); a manifest holds
// only strings, whole numbers, booleans, arrays and objects.

export function canonicalManifestJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalManifestJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalManifestJson(obj[k])}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new TypeError(`a manifest number must be a whole number, got ${value}`);
  return JSON.stringify(value);
}

/** Every field but the signature, canonical, as UTF-8: what is signed. */
export function signedBytes(manifest: Record<string, unknown>): Uint8Array {
  const { signature: _signature, ...fields } = manifest;
  return new TextEncoder().encode(canonicalManifestJson(fields));
}
