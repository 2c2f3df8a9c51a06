import { describe, expect, it } from 'vitest';
import { DEFAULT_COST_MODEL as model, SPEC_IDEAL_COST_MODEL, crc32cCycles, distanceCycles, ioCopyCycles, topkMergeCycles, workDistanceCycles } from '../sim/cost-model.ts';
import { workCycles, zeroWorkCounts } from '../sim/message-cost.ts';
import { workDeltaInto } from '../tile/work-counters.ts';

const shape = { metric: 'l2' as const, k: 10 };

describe('message cost from the kernel\'s work counters', () => {
  it('prices n distances over n padded dims exactly as n single distances', () => {
    for (const m of [model, SPEC_IDEAL_COST_MODEL]) {
      for (const metric of ['l2', 'ip', 'cosine'] as const) {
        expect(workDistanceCycles(m, 'fp16', metric, 1, 384)).toBe(distanceCycles(m, 'fp16', 384, metric));
        expect(workDistanceCycles(m, 'fp16', metric, 37, 37 * 48)).toBe(37 * distanceCycles(m, 'fp16', 48, metric));
      }
    }
    expect(workDistanceCycles(model, 'fp16', 'l2', 1, 384)).toBe(1212); // docs/cost-model.md's worked example
    expect(workDistanceCycles(model, 'fp16', 'l2', 0, 0)).toBe(0);
  });

  it('charges each counter at its unit cost and nothing for work not done', () => {
    const w = { ...zeroWorkCounts(), distances: 10, distElems: 10 * 64, merged: 10, crcBytes: 2048, ioBytes: 2048, messages: 1 };
    const c = workCycles(model, shape, w);
    expect(c.distance).toBe(10 * distanceCycles(model, 'fp16', 64, 'l2'));
    expect(c.merge).toBe(topkMergeCycles(model, 10, 10));
    expect(c.crc).toBe(crc32cCycles(model, 2048));
    expect(c.io).toBe(ioCopyCycles(model, 2048));
    expect(c.dispatch).toBe(model.messageDispatchCycles);
    expect(c.dequant + c.pq).toBe(0);
    expect(c.total).toBe(c.distance + c.merge + c.crc + c.io + c.dispatch);
    const idle = workCycles(model, shape, { ...zeroWorkCounts(), messages: 1 });
    expect(idle).toMatchObject({ distance: 0, merge: 0, crc: 0, io: 0, total: model.messageDispatchCycles });
  });

  // The delta is written out field by field for speed, so a new counter must be added to it
  // by hand (the LZ4 sequence counter once missed the written-out adders, since replaced by
  // the work meter's loop over every counter: sim-work-meter.test.ts).
  it('subtracts every counter, one by one, modulo 2^32', () => {
    for (const key of Object.keys(zeroWorkCounts()) as (keyof ReturnType<typeof zeroWorkCounts>)[]) {
      const d = workDeltaInto({ ...zeroWorkCounts(), [key]: 0xffffffff }, { ...zeroWorkCounts(), [key]: 1 }, zeroWorkCounts());
      expect(d, key).toEqual({ ...zeroWorkCounts(), [key]: 2 }); // wrapped modulo 2^32
    }
  });
});
