// The hub rejects every forged reply (well sealed, wrong content) and, with redundancy 2,
// catches every silent compute error (a plausible wrong distance, framing intact).
import { describe, expect, it } from 'vitest';
import { expectationOf, partialProblem } from '../hub/work/partial-check.ts';
import { TopkInPlace } from '../protocol/topk-in-place.ts';
import type { TopkEntry } from '../protocol/types.ts';
import type { TileJob } from '../hub/work/job.ts';
import { runFaultExperiment } from '../sim/run/fault-run.ts';
import { DEFAULT_RUN, type RunConfig } from '../sim/run/run-config.ts';
import { buildSimulation } from '../sim/run/simulation.ts';

function small(overrides: Partial<RunConfig> = {}): RunConfig {
  return { ...DEFAULT_RUN, tiles: 8, meshRows: 3, meshCols: 3, vectors: 1500, dim: 64, queries: 12, clusters: 16, ...overrides };
}

const QUARTER = { numerator: 1, denominator: 4 };
const entry = (id: number, dist: number) => ({ id: BigInt(id), dist, aux: 0 });
const topk = (entries: TopkEntry[]) => TopkInPlace.of({ type: 'TOPK_RESULT', msgId: 0, entries });

describe('a READ_TOPK answer is checked against what was asked', () => {
  const s = buildSimulation(small({ queries: 1 }));
  const data = s.encoded;
  const vpb = data.vectorsPerBlock;
  const job: TileJob = { jobId: 0, units: [{ kind: 'probe', queryId: 0, blockId: 1, key: 'q0/b1' }], steps: [{ op: 'read', unitKey: 'q0/b1', phase: 'reporting' }] };
  const expect1 = expectationOf(data, job, 'q0/b1')!;
  s.trace.close();

  it('takes a sorted answer inside the unit, ties by lower id', () => {
    expect(partialProblem(topk([entry(vpb, 1), entry(vpb + 2, 2), entry(vpb + 1, 2)].sort((a, b) => a.dist - b.dist || Number(a.id - b.id))), expect1)).toBeNull();
  });
  it('refuses an id outside the unit, an id twice, an unsorted list, more than k entries', () => {
    expect(partialProblem(topk([entry(0, 1)]), expect1)).toMatch(/not in blocks 1/);
    expect(partialProblem(topk([entry(vpb, 1), entry(vpb, 2)]), expect1)).toMatch(/twice/);
    expect(partialProblem(topk([entry(vpb, 2), entry(vpb + 1, 1)]), expect1)).toMatch(/order/);
    expect(partialProblem(topk([entry(vpb + 1, 1), entry(vpb, 1)]), expect1)).toMatch(/order/);
    const many = Array.from({ length: data.spec.k + 1 }, (_, i) => entry(vpb + i, i));
    expect(partialProblem(topk(many), expect1)).toMatch(/more than k/);
  });
  it('knows no unit that is not in the job', () => {
    expect(expectationOf(data, job, 'q0/b2')).toBeNull();
  });
});

describe('forged replies', () => {
  for (const [mode, schedule] of [['push', 'query'], ['push', 'block'], ['push-hnsw', 'query']] as const) {
    it(`are every one rejected and none merged (${mode}, ${schedule})`, () => {
      const r = runFaultExperiment({ run: small({ mode, schedule, seed: 4 }), rate: QUARTER, kinds: ['forged'] }, () => 0);
      const forged = r.ledger.injections.filter((i) => i.kind === 'forged');
      expect(forged.length).toBeGreaterThan(10);
      for (const i of forged) expect(i.fate, `${i.message}: ${i.detectedBy}`).toBe('detected');
      // Each forgery kind met the hub, and the top-K ones were refused for their content.
      const hub = r.faulty!.hub.faultsByKind;
      expect(hub['forged-reply']).toBeGreaterThan(0);
      expect(r.lost).toBe(0);
      expect(r.differing).toEqual([]);
    });
  }
});

describe('silent compute errors (sdc)', () => {
  it('change answers unseen without redundancy', () => {
    const r = runFaultExperiment({ run: small({ seed: 2 }), rate: QUARTER, kinds: ['sdc'] }, () => 0);
    expect(r.ledger.undetected().length).toBeGreaterThan(0);
    expect(r.differing.length).toBeGreaterThan(0);
  });

  for (const [schedule, dtype] of [['query', 'fp16'], ['block', 'fp16'], ['query', 'i8']] as const) {
    it(`are every one caught with redundancy 2, and no answer changes (${schedule}, ${dtype})`, () => {
      const r = runFaultExperiment({ run: small({ seed: 2, schedule, dtype }), rate: QUARTER, kinds: ['sdc'], hub: { redundancy: 2 } }, () => 0);
      const sdc = r.ledger.injections.filter((i) => i.kind === 'sdc');
      expect(sdc.length).toBeGreaterThan(10);
      for (const i of sdc) expect(i.fate, `${i.message}: ${i.detectedBy}`).toBe('detected');
      expect(r.redundancy!.disagreements).toBeGreaterThan(0);
      expect(r.redundancy!.outvoted).toBeGreaterThan(0);
      expect(r.lost).toBe(0);
      expect(r.differing).toEqual([]);
    });
  }
});
