import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { candidatesOf, partialProblem, type PartialExpectation } from '../hub/work/partial-check.ts';
import { decodeTileMessage, encodeMessage } from '../protocol/codec.ts';
import { readTopkInPlace, TopkInPlace } from '../protocol/topk-in-place.ts';
import type { TopkEntry } from '../protocol/types.ts';
import { f32Bits } from '../tile/reference/fp16.ts';
import { compareCandidates } from '../tile/reference/topk.ts';

// The READ_TOPK check runs on the numbers the hub reads in place (protocol/topk-in-place.ts).
// Until issue 14's reply-side round it ran on the full decoder's entries (BigInt ids, the
// reference's compareCandidates); that version is the model here, and the two must give the
// same verdict, to the text, on every answer: inside and outside the unit, ids twice, out of
// order, NaN and signed-zero distances, ids above 2^53 - 1, more than k.

const MAX_SAFE_ID = BigInt(Number.MAX_SAFE_INTEGER);

/** The check as it was, on the decoder's entries. */
function modelProblem(entries: readonly TopkEntry[], expect: PartialExpectation): string | null {
  if (entries.length > expect.k) return `${entries.length} entries, more than k ${expect.k}`;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.id > MAX_SAFE_ID || !expect.has(Number(e.id))) return `id ${e.id} is not in ${expect.what}`;
    if (entries.slice(0, i).some((p) => p.id === e.id)) return `id ${e.id} twice`;
    const prev = entries[i - 1];
    if (prev && compareCandidates({ id: prev.id, distBits: f32Bits(prev.dist) }, { id: e.id, distBits: f32Bits(e.dist) }) >= 0) {
      return `entries ${i - 1} and ${i} are not in the tile's order`;
    }
  }
  return null;
}

const BIG_IDS = [2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 64n - 1n, 0xffffffffn, 0x100000000n];
const id = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 40 }).map(BigInt) }, { weight: 1, arbitrary: fc.constantFrom(...BIG_IDS) });
const dist = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(0, -0, 1, 1.5, 2, Infinity, -Infinity, NaN, -1) },
  { weight: 2, arbitrary: fc.float({ noDefaultInfinity: false, noNaN: false }).map(Math.fround) },
);
const entry = fc.record({ id, dist, aux: fc.constant(0) });
/** Entries as a tile could send them (in order, distinct ids), such a list with one entry
 *  repeated later, or anything. */
const answer = fc.tuple(fc.array(entry, { maxLength: 20 }), fc.constantFrom('any', 'sorted', 'repeat'), fc.nat()).map(([es, shape, at]) => {
  if (shape === 'any') return es;
  const key = (e: TopkEntry) => ({ id: e.id, distBits: f32Bits(e.dist) });
  const sorted = es.filter((e, i) => es.findIndex((o) => o.id === e.id) === i).sort((a, b) => compareCandidates(key(a), key(b)));
  if (shape === 'repeat' && sorted.length > 0) sorted.splice(sorted.length, 0, { ...sorted[at % sorted.length]!, dist: 3 });
  return sorted;
});
/** Per entry: 0 (leave the distance) or a NaN's bits, quiet or signalling, either sign. */
const nanPatches = fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 0x7fffff }).chain((m) => fc.constantFrom(0x7f800000 | m, (0xff800000 | m) >>> 0)) }), { maxLength: 16 });
const expectation = fc.record({ k: fc.integer({ min: 1, max: 20 }), from: fc.integer({ min: 0, max: 10 }), to: fc.integer({ min: 10, max: 50 }) }).map(
  ({ k, from, to }): PartialExpectation => ({ k, has: (n) => n >= from && n < to, what: `ids ${from}..${to}` }),
);

describe('the READ_TOPK check on numbers in place (hub/work/partial-check.ts)', () => {
  it('gives the BigInt model verdict, to the text, on random answers, read from the wire and from decoded entries', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(answer, expectation, nanPatches, (entries, unit, nans) => {
        const want = modelProblem(entries, unit);
        const kind = want === null ? 'none' : want.startsWith('entries') ? 'order' : (want.match(/more than k|not in|twice/)?.[0] ?? want);
        seen.set(kind, (seen.get(kind) ?? 0) + 1);
        expect(partialProblem(TopkInPlace.of({ type: 'TOPK_RESULT', msgId: 1, entries }), unit)).toBe(want);
        if (entries.length <= 16) {
          // As the hub reads it: the tile's bytes in place, some distances made NaNs with a
          // payload (the decoder's number loses it, the wire's bits keep it), against the model
          // on what the full decoder makes of the same bytes.
          const wire = encodeMessage({ type: 'TOPK_RESULT', msgId: 1, entries });
          nans.forEach((bits, i) => {
            if (i < entries.length && bits !== 0) new DataView(wire.buffer).setUint32(16 + 16 * i + 8, bits, true);
          });
          const decoded = decodeTileMessage(wire);
          if (decoded.type !== 'TOPK_RESULT') throw new Error('not a TOPK_RESULT');
          const fromWire = modelProblem(decoded.entries, unit);
          const t = new TopkInPlace();
          expect(readTopkInPlace(wire, t, false)).toBe(true);
          expect(partialProblem(t, unit)).toBe(fromWire);
          if (fromWire === null) expect(candidatesOf(t)).toEqual(decoded.entries.map((e) => ({ id: Number(e.id), dist: e.dist })));
        }
      }),
      { seed: 1414, numRuns: 4000 },
    );
    // Every verdict was reached, many times each: the model is not compared on one branch only.
    for (const kind of ['none', 'more than k', 'not in', 'twice', 'order']) expect(seen.get(kind) ?? 0, kind).toBeGreaterThan(100);
  });

  it('names an id above 2^53 - 1 exactly', () => {
    const any: PartialExpectation = { k: 16, has: () => true, what: 'anything' };
    for (const big of [2n ** 53n, 2n ** 64n - 1n]) {
      const entries = [{ id: 3n, dist: 1, aux: 0 }, { id: big, dist: 2, aux: 0 }];
      expect(partialProblem(TopkInPlace.of({ type: 'TOPK_RESULT', msgId: 1, entries }), any)).toBe(`id ${big} is not in anything`);
    }
  });
});
