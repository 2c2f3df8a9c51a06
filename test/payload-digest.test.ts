import { describe, expect, it } from 'vitest';
import { payloadDigest } from '../sim/payload-digest.ts';

describe('payloadDigest', () => {
  it('is 16 hex digits, the same for the same bytes, and covers the length', () => {
    const a = Uint8Array.from({ length: 40 }, (_, i) => (i * 37) & 0xff);
    expect(payloadDigest(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(payloadDigest(a.slice())).toBe(payloadDigest(a));
    expect(payloadDigest(a.subarray(0, 39))).not.toBe(payloadDigest(a));
    expect(payloadDigest(new Uint8Array(0))).not.toBe(payloadDigest(new Uint8Array(1)));
  });

  it('changes for every single-byte change of a reply, at every position and value', () => {
    const reply = Uint8Array.from({ length: 24 }, (_, i) => (i * 91 + 7) & 0xff);
    const base = payloadDigest(reply);
    for (let pos = 0; pos < reply.length; pos++) {
      for (let v = 0; v < 256; v++) {
        if (v === reply[pos]) continue;
        const changed = reply.slice();
        changed[pos] = v;
        const d = payloadDigest(changed);
        // Both lanes change, not only the pair.
        expect(d.slice(0, 8)).not.toBe(base.slice(0, 8));
        expect(d.slice(8)).not.toBe(base.slice(8));
      }
    }
  });
});
