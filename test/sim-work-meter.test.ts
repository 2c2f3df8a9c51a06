// The simulator's per-tile work meter (sim/work-meter.ts) against the general path it
// replaced: the delta of the work counters (workDeltaSince), priced by workCyclesInto and
// summed by addWork. Every message's cycles and every total must be the
// same number, for the run's models and shapes, a hand-made model with fractional figures,
// and the shapes whose prices cannot be read once (they go through the cost functions).
import { describe, expect, it } from 'vitest';
import { DEFAULT_COST_MODEL, SPEC_IDEAL_COST_MODEL, type CostModel } from '../sim/cost-model.ts';
import { addWork, workCyclesInto, zeroWorkCounts, zeroWorkCycles, type ComputeShape } from '../sim/message-cost.ts';
import { WorkMeter } from '../sim/work-meter.ts';
import { snapshotWorkCounters, WORK_COUNTER_OFFSETS, WORK_SNAPSHOT_WORDS, workDeltaSince } from '../tile/work-counters.ts';
import { Prng } from '../hub/prng.ts';
import { WORK_PTR } from '../wat/layout.ts';

/** A tile memory's words, large enough for the counters (and the state word below them). */
const words = new Uint32Array((WORK_PTR >>> 2) + 64);
const counterWords = Object.values(WORK_COUNTER_OFFSETS).map((off) => (WORK_PTR + off) >>> 2);

const FRACTIONAL: CostModel = {
  ...DEFAULT_COST_MODEL,
  name: 'fractional',
  distance: { ...DEFAULT_COST_MODEL.distance, fp16: { lanesPerChunk: 8, commonCyclesPerChunk: 1.3, metricCyclesPerChunk: { l2: 0.7, ip: 0.1, cosine: 2.9 } } },
  loopCyclesPerChunk: 0.45,
  distanceFixedCycles: 3.3,
  cosineFinishCycles: 7.1,
  topkCompareCyclesPerCandidate: 1.1,
  topkSiftCyclesPerLevel: 0.3,
  crc32cCyclesPerByte: 0.37,
  ioCopyCyclesPerChunk: 1.7,
  dequantCyclesPer8Elems: 2.2,
  pqCyclesPerCode: 0.9,
  lz4CyclesPerSequence: 13.3,
};

const MESSAGES_WORD = (WORK_PTR + WORK_COUNTER_OFFSETS.messages) >>> 2;

/** One message's counters moved: one message counted (mostly; else 0 or 2), each other counter 0 or a random step, some wrapping past 2^32. */
function step(rng: Prng): void {
  for (const w of counterWords) {
    const r = rng.nextFloat();
    const add = w === MESSAGES_WORD ? (r < 0.85 ? 1 : r < 0.93 ? 0 : 2) : r < 0.4 ? 0 : r < 0.9 ? Math.floor(rng.nextFloat() * 70_000) : Math.floor(rng.nextFloat() * 0x100000000);
    words[w] = (words[w]! + add) >>> 0;
  }
}

function compare(model: CostModel, shape: ComputeShape, seed: number): void {
  const rng = new Prng(seed);
  const meter = new WorkMeter(model, shape);
  const counts = zeroWorkCounts();
  const cycles = zeroWorkCycles();
  const snap = new Uint32Array(WORK_SNAPSHOT_WORDS);
  for (let i = 0; i < counterWords.length; i++) words[counterWords[i]!] = Math.floor(rng.nextFloat() * 0x100000000) >>> 0;
  for (let m = 0; m < 400; m++) {
    meter.start(words);
    snapshotWorkCounters(words, snap);
    step(rng);
    let expected: number | null | Error;
    const delta = workDeltaSince(words, snap, zeroWorkCounts());
    try {
      expected = delta.messages === 1 ? workCyclesInto(model, shape, delta, zeroWorkCycles()).total : null;
    } catch (err) {
      expected = err as Error;
    }
    if (expected instanceof Error) {
      expect(() => meter.charge(words)).toThrow(expected.message);
      return;
    }
    expect(meter.charge(words), `message ${m}`).toBe(expected);
    if (expected !== null) {
      addWork(counts, delta);
      addWork(cycles, workCyclesInto(model, shape, delta, zeroWorkCycles()));
    }
  }
  expect(meter.counts).toEqual(counts);
  expect(meter.cycles).toEqual(cycles);
  expect(Object.keys(meter.cycles)).toEqual(Object.keys(zeroWorkCycles()));
}

describe('the work meter prices each message as workCyclesInto, and sums as the adders', () => {
  for (const model of [DEFAULT_COST_MODEL, SPEC_IDEAL_COST_MODEL, FRACTIONAL]) {
    for (const metric of ['l2', 'ip', 'cosine'] as const) {
      for (const k of [1, 2, 10, 100]) {
        it(`${model.name}, ${metric}, k ${k}`, () => compare(model, { metric, k }, k * 7 + metric.length));
      }
    }
  }

  it('a metric the fp16 kernel has no cost for fails as the cost function does, at the first distance', () => {
    compare(DEFAULT_COST_MODEL, { metric: 'hamming', k: 10 }, 3);
    expect(() => {
      const meter = new WorkMeter(DEFAULT_COST_MODEL, { metric: 'hamming', k: 10 });
      words.fill(0);
      meter.start(words);
      words[MESSAGES_WORD] = 1;
      words[(WORK_PTR + WORK_COUNTER_OFFSETS.distances) >>> 2] = 1;
      meter.charge(words);
    }).toThrow('metric hamming is not supported for dtype fp16');
  });

  it('a k below 1 fails as topkMergeCycles does, only when something is merged', () => {
    compare(DEFAULT_COST_MODEL, { metric: 'l2', k: 0 }, 5);
    const meter = new WorkMeter(DEFAULT_COST_MODEL, { metric: 'l2', k: 0 });
    words.fill(0);
    meter.start(words);
    words[MESSAGES_WORD] = 1;
    expect(meter.charge(words)).toBe(DEFAULT_COST_MODEL.messageDispatchCycles);
  });
});
