// Well-formed LOAD_PARAMS and LOAD_NEIGHBORS flows through rvf_on_message (the malformed
// ones are in message-checks.ts): SQ params in several chunks, then i8 codes (extremes
// included) in DEQUANT LOAD_BLOCK chunks, the top-K equal to the reference's over the
// reference's dequantized vectors; a PQ codebook refused as docs/protocol.md says (a Core
// tile has no PQ); LOAD_NEIGHBORS outside pull mode answered DONE with the list length.
import { randomPqCase } from '../../tile/conformance/quant-checks.ts';
import { ERR_INVALID_PARAMS } from '../../wat/status.ts';
import { randomVector, type CaseRandom } from '../../tile/conformance/cases.ts';
import { guardedCheck as guarded, type CheckResult, type Sink } from '../../tile/conformance/check-kit.ts';
import type { LoadedKernel } from '../../tile/kernel-module.ts';
import { kernelOrderDistanceBits } from '../../tile/reference/distances.ts';
import { f32Bits } from '../../tile/reference/fp16.ts';
import { dequantI8, paddedDim, sqParamsForRange } from '../../tile/reference/sq.ts';
import { referenceTopK } from '../../tile/reference/topk.ts';
import * as L from '../../wat/layout.ts';
import { blockChunks, blockStream, padBlockVectors, paramsChunks } from '../block-chunks.ts';
import { allDone, freshPort, show } from './message-checks.ts';

function sqFlow(kernel: LoadedKernel, prng: CaseRandom, sink: Sink): CheckResult {
  const dim = 100;
  return guarded(`LOAD_QUERY, LOAD_PARAMS SQ in chunks, LOAD_BLOCK DEQUANT chunks (i8 extremes), READ_TOPK, i8 -> fp16 dim ${dim}`, 1, () => {
    const lo = Array.from({ length: dim }, () => prng.gaussian());
    const params = sqParamsForRange(dim, lo, lo.map((x) => x + 1 + Math.abs(prng.gaussian()) * 3));
    const query = randomVector(prng, L.DTYPE_FP16, dim);
    const codes = Array.from({ length: 40 }, () => randomVector(prng, L.DTYPE_I8, dim));
    codes[0] = new Uint8Array(dim).fill(0x80);
    codes[1] = new Uint8Array(dim).fill(0x7f);
    codes[9] = codes[4]!; // a tie: ids 11 and 16, the lower must rank first
    const port = freshPort(kernel, L.DTYPE_FP16, dim);
    const sent = [
      { type: 'LOAD_QUERY' as const, msgId: 1, dtype: L.DTYPE_FP16, metric: L.METRIC_L2, k: 10, dim, vector: query },
      ...paramsChunks(new Uint8Array(params.buffer), { firstMsgId: 10, kind: L.LP_KIND_SQ, a: dim, b: 0, chunkDataBytes: 300 }),
      ...blockChunks(blockStream(padBlockVectors(L.DTYPE_I8, dim, codes)), { firstMsgId: 30, count: codes.length, dtype: L.DTYPE_I8, dequant: true, firstId: 7n, chunkDataBytes: 500 }),
    ];
    const diff = allDone(port, sent, sink);
    if (diff) return diff;
    const want = referenceTopK(
      codes.map((c, i) => {
        const padded = new Int8Array(paddedDim(dim));
        padded.set(new Int8Array(c.buffer, c.byteOffset, dim));
        const fp16 = new Uint8Array(dequantI8(padded, 1, dim, params).buffer, 0, 2 * dim);
        return { id: 7n + BigInt(i), distBits: kernelOrderDistanceBits(L.DTYPE_FP16, L.METRIC_L2, query, fp16, dim) };
      }),
      10,
    );
    const r = port.send({ type: 'READ_TOPK', msgId: 90 });
    sink(show(r));
    if (r.type !== 'TOPK_RESULT') return `READ_TOPK expected TOPK_RESULT got ${show(r)}`;
    const fmt = (e: { id: bigint; distBits: number }) => `${e.id}:${(e.distBits >>> 0).toString(16)}`;
    const got = r.entries.map((e) => fmt({ id: e.id, distBits: f32Bits(e.dist) })).join(',');
    const exp = want.map(fmt).join(',');
    return got === exp ? undefined : `READ_TOPK (id:distance bits) expected ${exp} got ${got}`;
  });
}

/** A Core tile has no PQ (docs/protocol.md, LOAD_PARAMS): a well-formed codebook is refused, the tile still serves. */
function pqFlow(kernel: LoadedKernel, prng: CaseRandom, sink: Sink): CheckResult {
  const c = randomPqCase(prng, 96, 12, 40);
  return guarded(`LOAD_PARAMS PQ codebook (dim ${c.dim}, M ${c.m}, K ${c.k}) refused by a Core tile with INVALID_PARAMS, then SQ params load`, 1, () => {
    const port = freshPort(kernel, L.DTYPE_FP16, c.dim);
    const [first] = paramsChunks(new Uint8Array(c.codebook.buffer), { firstMsgId: 10, kind: L.LP_KIND_PQ, a: c.m, b: c.k });
    const r = port.send(first!);
    sink(show(r));
    if (r.type !== 'ERROR' || r.code !== ERR_INVALID_PARAMS || r.requestType !== L.MSG_LOAD_PARAMS) return `LOAD_PARAMS PQ expected ERROR INVALID_PARAMS for LOAD_PARAMS got ${show(r)}`;
    const sq = new Uint8Array(new Float32Array(2 * c.dim).fill(0.5).buffer);
    return allDone(port, paramsChunks(sq, { firstMsgId: 20, kind: L.LP_KIND_SQ, a: c.dim, b: 0 }), sink);
  });
}

function neighborsFlow(kernel: LoadedKernel, prng: CaseRandom, sink: Sink): CheckResult {
  const sizes = [0, 1, 7, 200];
  return guarded(`LOAD_NEIGHBORS outside pull mode (lists of ${sizes.join(', ')} ids) answered DONE with the count`, sizes.length, () => {
    const port = freshPort(kernel, L.DTYPE_FP16, 16);
    for (const n of sizes) {
      const ids = Array.from({ length: n }, () => BigInt(prng.nextInt(0, 1 << 30)) * 4099n);
      const r = port.send({ type: 'LOAD_NEIGHBORS', msgId: 5 + n, nodeId: BigInt(n) << 33n, layer: n % 3, ids });
      sink(show(r));
      if (r.type !== 'DONE' || r.value !== n) return `LOAD_NEIGHBORS of ${n} ids expected DONE value ${n} got ${show(r)}`;
    }
    return undefined;
  });
}

export function paramsFlowChecks(kernel: LoadedKernel, prng: CaseRandom, sink: Sink): CheckResult[] {
  return [sqFlow(kernel, prng, sink), pqFlow(kernel, prng, sink), neighborsFlow(kernel, prng, sink)];
}
