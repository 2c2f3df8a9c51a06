// The hub builds every message into its tile link's one reused record from templates encoded
// once with msg_id 0 (hub/work/message-builder.ts): the stamped bytes must be exactly what
// encoding the message with its msg_id gives, and the record is the caller's, rewritten by
// the next build (so the core must read it before then: hub.ts `transmit`).
import { afterAll, describe, expect, it } from 'vitest';
import type { Outgoing } from '../hub/core/mode-driver.ts';
import { blankOutgoing } from '../hub/core/outgoing.ts';
import type { JobStep, TileJob } from '../hub/work/job.ts';
import { MessageBuilder } from '../hub/work/message-builder.ts';
import { expectationOf, partialProblem } from '../hub/work/partial-check.ts';
import { TopkInPlace } from '../protocol/topk-in-place.ts';
import type { TopkEntry } from '../protocol/types.ts';
import { encodeMessage } from '../protocol/codec.ts';
import { sealMessage } from '../protocol/integrity.ts';
import { stampedCopy } from '../protocol/stamped-message.ts';
import { DTYPE_FP16, LB_F_VERIFY_CRC, LQ_F_PULL } from '../wat/layout.ts';
import { METRIC_CODES } from '../hub/work/message-builder.ts';
import { DEFAULT_RUN } from '../sim/run/run-config.ts';
import { buildSimulation } from '../sim/run/simulation.ts';

const sim = buildSimulation({ ...DEFAULT_RUN, tiles: 4, meshRows: 2, meshCols: 2, vectors: 600, dim: 64, queries: 3, clusters: 4 });
const data = sim.encoded;
afterAll(() => sim.trace.close());

const record = (): Outgoing => blankOutgoing();

describe('messages built into a reused record (hub/work/message-builder.ts)', () => {
  for (const integrity of [false, true]) {
    it(`stamps cached COMPUTE, READ_TOPK and LOAD_QUERY templates to the bytes of the encoded message (integrity ${integrity})`, () => {
      const b = new MessageBuilder(data, { verifyCrc: true, integrity });
      const out = record();
      const spec = data.spec;
      const steps: [JobStep, (msgId: number) => Parameters<typeof encodeMessage>[0]][] = [
        [{ op: 'compute', queryId: 1, blockId: 0, phase: 'computing' }, (msgId) => ({ type: 'COMPUTE', msgId, metric: METRIC_CODES[spec.metric], k: spec.k, flags: data.wireDtype === DTYPE_FP16 ? LB_F_VERIFY_CRC : 0 })],
        [{ op: 'read', unitKey: 'q1/b0', phase: 'reporting' }, (msgId) => ({ type: 'READ_TOPK', msgId })],
        [{ op: 'query', queryId: 2, phase: 'loading' }, (msgId) => ({ type: 'LOAD_QUERY', msgId, dtype: data.queryDtype, metric: METRIC_CODES[spec.metric], k: spec.k, dim: spec.dim, vector: data.queryBytes(2) })],
        [{ op: 'query', queryId: 2, phase: 'loading', pull: true, k: 7 }, (msgId) => ({ type: 'LOAD_QUERY', msgId, dtype: data.queryDtype, metric: METRIC_CODES[spec.metric], k: 7, dim: spec.dim, vector: data.queryBytes(2), flags: LQ_F_PULL })],
      ];
      // Twice round: the second time every template comes from the cache.
      for (let round = 0; round < 2; round++) {
        for (const [step, message] of steps) {
          expect(b.build(step, 0, out)).toBe(out);
          const want = encodeMessage(message(out.msgId));
          expect(out.sealed).toBe(integrity);
          expect(stampedCopy(out.template, out.msgId, out.sealed)).toEqual(integrity ? sealMessage(want) : want);
        }
      }
    });
  }

  it('rewrites the caller\'s record on the next build: a field read late is the next message\'s', () => {
    const b = new MessageBuilder(data, { verifyCrc: false, integrity: false });
    const out = record();
    b.build({ op: 'read', unitKey: 'q0/b0', phase: 'reporting' }, 0, out);
    const first = { ...out };
    b.build({ op: 'compute', queryId: 0, blockId: 0, phase: 'computing' }, 0, out);
    expect(out.msgId).toBe(first.msgId + 1);
    expect(out.requestType).toBe('COMPUTE');
    expect(out.template).not.toBe(first.template);
  });
});

describe('the READ_TOPK check without an object per entry (hub/work/partial-check.ts)', () => {
  const entry = (id: number, dist: number) => ({ id: BigInt(id), dist, aux: 0 });
  const topk = (entries: TopkEntry[]) => TopkInPlace.of({ type: 'TOPK_RESULT', msgId: 0, entries });
  it('takes ids of any of a scan unit\'s blocks, the short last one cut at n, and names them only in a fault', () => {
    const vpb = data.vectorsPerBlock;
    const last = data.blockCount - 1;
    const job: TileJob = { jobId: 0, units: [{ kind: 'scan', queryId: 0, blockIds: [0, last], key: 'q0/s0' }], steps: [] };
    const e = expectationOf(data, job, 'q0/s0')!;
    expect(e.has(0) && e.has(vpb - 1) && e.has(last * vpb) && e.has(data.n - 1)).toBe(true);
    expect(e.has(vpb) || e.has(data.n)).toBe(false);
    expect(partialProblem(topk([entry(vpb, 1)]), e)).toBe(`id ${vpb} is not in blocks 0,${last}`);
  });

  it('finds an id twice by scanning up to 32 entries and through a Set above', () => {
    const any = { k: 64, has: () => true, what: 'anything' };
    for (const n of [5, 32, 33, 60]) {
      const entries = Array.from({ length: n }, (_, i) => entry(i, i + 1));
      expect(partialProblem(topk(entries), any)).toBeNull();
      entries[n - 1] = entry(2, n); // in order by distance, its id seen before
      expect(partialProblem(topk(entries), any)).toBe('id 2 twice');
    }
  });
});
