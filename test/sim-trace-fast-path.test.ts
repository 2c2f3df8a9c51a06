import { describe, expect, it } from 'vitest';
import { canonicalJson, CANONICAL_JSON } from '../sim/canonical-json.ts';
import { withCanonicalJson } from '../sim/sim-transport.ts';

describe('precomputed canonical JSON', () => {
  it('writes a message reference exactly as the generic canonical writer does', () => {
    for (const m of [
      { tile: 3, ref: 17, type: 0x4002, msgId: 4_294_967_295, bytes: 2048 },
      { tile: 0, ref: 1, type: -1, msgId: -1, bytes: 0 },
      { tile: 2, ref: 9, type: 0x81, msgId: 12, bytes: 176, digest: '0123456789abcdef' },
    ]) {
      const generic = canonicalJson({ ...m });
      const fast = withCanonicalJson({ ...m });
      expect(canonicalJson(fast)).toBe(generic);
      expect(Object.keys(fast)).toEqual(Object.keys(m)); // the symbol is no field
    }
  });

  it('is used as given for any object that carries one', () => {
    expect(canonicalJson({ a: 1, [CANONICAL_JSON]: '"x"' })).toBe('"x"');
    expect(canonicalJson({ b: 2, a: 1 })).toBe('{"a":1,"b":2}');
  });
});
