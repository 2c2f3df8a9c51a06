// The Hot image's message-level checks (docs/protocol.md "Query chunks"): a 1,024-dim fp16
// query arrives as LOAD_QUERY chunks, blocks of 1,024-dim vectors stream in, and READ_TOPK
// answers as the reference says for L2, IP and cosine; a chunk out of order or of the wrong
// length is refused with BAD_OFFSET and the tile keeps serving; dim 1,025 is BAD_DIM. A Core
// image instead refuses fp16 above 384 dims (BAD_DIM), whole or in chunks.
import { guardedCheck as guarded, type CheckResult, type Sink } from '../../tile/conformance/check-kit.ts';
import { randomVector, type CaseRandom } from '../../tile/conformance/cases.ts';
import type { LoadedKernel } from '../../tile/kernel-module.ts';
import { kernelOrderDistanceBits } from '../../tile/reference/distances.ts';
import { f32Bits } from '../../tile/reference/fp16.ts';
import { referenceTopK } from '../../tile/reference/topk.ts';
import { blockCapacity } from '../../tile/reference/vector-layout.ts';
import * as L from '../../wat/layout.ts';
import * as S from '../../wat/status.ts';
import { blockChunks, blockStream, padBlockVectors } from '../block-chunks.ts';
import { encodeMessage } from '../codec.ts';
import { LoadQuery } from '../constants.ts';
import { queryChunks } from '../messages/query.ts';
import type { TilePort } from '../tile-port.ts';
import type { HubMessage, LoadQueryMsg } from '../types.ts';
import { allDone, freshPort, show } from './message-checks.ts';

const METRICS: [number, string][] = [[L.METRIC_L2, 'l2'], [L.METRIC_IP, 'ip'], [L.METRIC_COSINE, 'cosine']];

interface HotFlow {
  dim: number;
  metric: number;
  k: number;
  query: Uint8Array;
  /** Blocks of vectors (explicit ids), each one stream. */
  blocks: { vectors: Uint8Array[]; ids: bigint[] }[];
}

function hotFlow(prng: CaseRandom, dim: number, metric: number, image: L.KernelImage): HotFlow {
  const per = Math.min(blockCapacity(L.DTYPE_FP16, dim, image) - 1, 13); // explicit ids take 8 B each
  let id = 7000n;
  const blocks = [per, 5].map((count) => {
    const vectors = Array.from({ length: count }, () => randomVector(prng, L.DTYPE_FP16, dim));
    return { vectors, ids: vectors.map(() => (id += 3n)) };
  });
  blocks[1]!.vectors[2] = blocks[0]!.vectors[4]!; // a tie across blocks
  return { dim, metric, k: 10, query: randomVector(prng, L.DTYPE_FP16, dim), blocks };
}

function wholeQuery(f: HotFlow, msgId: number): LoadQueryMsg {
  return { type: 'LOAD_QUERY', msgId, dtype: L.DTYPE_FP16, metric: f.metric, k: f.k, dim: f.dim, vector: f.query };
}

function blockMsgs(f: HotFlow, firstMsgId: number): HubMessage[] {
  return f.blocks.flatMap((b, i) =>
    blockChunks(blockStream(padBlockVectors(L.DTYPE_FP16, f.dim, b.vectors), b.ids), { firstMsgId: firstMsgId + 100 * i, count: b.vectors.length, dtype: L.DTYPE_FP16, explicitIds: true, verifyCrc: true }),
  );
}

function topkDifference(port: TilePort, f: HotFlow, sink: Sink): string | undefined {
  const r = port.send({ type: 'READ_TOPK', msgId: 900 });
  sink(show(r));
  if (r.type !== 'TOPK_RESULT') return `READ_TOPK expected TOPK_RESULT got ${show(r)}`;
  const all = f.blocks.flatMap((b) => b.vectors.map((v, i) => ({ id: b.ids[i]!, distBits: kernelOrderDistanceBits(L.DTYPE_FP16, f.metric, f.query, v, f.dim) })));
  const want = referenceTopK(all, f.k);
  const got = r.entries.map((e) => ({ id: e.id, distBits: f32Bits(e.dist) }));
  const same = got.length === want.length && got.every((g, i) => g.id === want[i]!.id && g.distBits === want[i]!.distBits >>> 0);
  return same ? undefined : `READ_TOPK expected ${want.map((w) => `${w.id}:${w.distBits >>> 0}`).join(',')} got ${got.map((g) => `${g.id}:${g.distBits}`).join(',')}`;
}

/** The message's bytes with its last `by` payload bytes cut (msg_length follows): what no encoder writes. */
function cut(m: HubMessage, by: number): { bytes: Uint8Array; msgId: number } {
  const bytes = encodeMessage(m);
  const out = bytes.slice(0, bytes.length - by);
  new DataView(out.buffer).setUint16(L.MSG_LENGTH, out.length - L.MSG_HEADER_BYTES, true);
  return { bytes: out, msgId: m.msgId };
}

/** Sends `m`, expecting ERROR `code`; then the tile must still answer READ_TOPK. */
function refused(port: TilePort, m: HubMessage | { bytes: Uint8Array; msgId: number }, code: number, what: string, sink: Sink): string | undefined {
  const r = 'bytes' in m ? port.sendRaw(m.bytes, m.msgId) : port.send(m);
  sink(show(r));
  if (r.type !== 'ERROR' || r.code !== code) return `${what}: expected ERROR ${S.statusName(code)} got ${show(r)}`;
  const next = port.send({ type: 'READ_TOPK', msgId: 901 });
  return next.type === 'TOPK_RESULT' ? undefined : `${what}: the next READ_TOPK expected TOPK_RESULT got ${show(next)}`;
}

function chunkErrors(kernel: LoadedKernel, prng: CaseRandom, sink: Sink): string | undefined {
  const f = hotFlow(prng, L.HOT_IMAGE_MAX_DIM_FP16, L.METRIC_L2, 'hot');
  const [a, b] = queryChunks(wholeQuery(f, 10), LoadQuery.maxDataBytes) as [LoadQueryMsg, LoadQueryMsg];
  const port = freshPort(kernel, L.DTYPE_FP16, f.dim);
  // A small whole query first, so "no query" after a chunk is the chunk's doing.
  const small: LoadQueryMsg = { type: 'LOAD_QUERY', msgId: 9, dtype: L.DTYPE_FP16, metric: f.metric, k: f.k, dim: 8, vector: randomVector(prng, L.DTYPE_FP16, 8) };
  return (
    allDone(port, [small], sink) ??
    refused(port, { ...b, msgId: 11 }, S.ERR_BAD_OFFSET, 'the last chunk before the first', sink) ??
    allDone(port, [a], sink) ??
    refused(port, { ...b, msgId: 12, offset: b.offset! + 2, vector: b.vector.subarray(2) }, S.ERR_BAD_OFFSET, 'a chunk that skips 2 bytes', sink) ??
    refused(port, cut({ ...b, msgId: 13 }, 2), S.ERR_BAD_OFFSET, 'a last chunk 2 bytes short', sink) ??
    refused(port, { type: 'COMPUTE', msgId: 14, metric: f.metric, k: f.k, flags: 0 }, S.ERR_NO_QUERY, 'COMPUTE between chunks (no query loaded)', sink) ??
    refused(port, { ...a, msgId: 15, dim: f.dim + 1, vector: new Uint8Array(a.vector.length) }, S.ERR_BAD_DIM, `a chunk of dim ${f.dim + 1}`, sink) ??
    allDone(port, [{ ...a, msgId: 16 }, { ...b, msgId: 17 }, ...blockMsgs(f, 20)], sink) ??
    topkDifference(port, f, sink)
  );
}

/** Checks for a kernel of `kernel.image`; the message checks of either image stay in message-checks.ts. */
export function hotChecks(kernel: LoadedKernel, prng: CaseRandom, sink: Sink): CheckResult[] {
  if (kernel.image !== 'hot') {
    return [
      guarded(`a Core image refuses fp16 LOAD_QUERY above ${L.MAX_DIM_FP16} dims (BAD_DIM), whole or in chunks`, 2, () => {
        const q = wholeQuery({ dim: L.MAX_DIM_FP16 + 1, metric: L.METRIC_L2, k: 10, query: randomVector(prng, L.DTYPE_FP16, L.MAX_DIM_FP16 + 1), blocks: [] }, 30);
        const port = freshPort(kernel, L.DTYPE_FP16, 8);
        return refused(port, q, S.ERR_BAD_DIM, `dim ${q.dim}`, sink) ?? refused(port, { ...queryChunks({ ...q, dim: 1024, vector: new Uint8Array(2048) }, LoadQuery.maxDataBytes)[0]!, msgId: 31 }, S.ERR_BAD_DIM, 'a chunk of dim 1024', sink);
      }),
    ];
  }
  const out: CheckResult[] = [];
  for (const [metric, name] of METRICS) {
    for (const [dim, maxData] of [[L.HOT_IMAGE_MAX_DIM_FP16, LoadQuery.maxDataBytes], [1017, 700]] as const) {
      const f = hotFlow(prng, dim, metric, 'hot');
      const chunks = queryChunks(wholeQuery(f, 1), maxData);
      out.push(
        guarded(`Hot image: LOAD_QUERY in ${chunks.length} chunks, LOAD_BLOCK chunks, READ_TOPK, fp16 ${name} dim ${dim}`, 1, () => {
          const port = freshPort(kernel, L.DTYPE_FP16, dim);
          return allDone(port, [...chunks.map((c, i) => ({ ...c, msgId: 1 + i })), ...blockMsgs(f, 10)], sink) ?? topkDifference(port, f, sink);
        }),
      );
    }
  }
  out.push(guarded('Hot image: query chunks out of order, short or of dim 1,025 are refused (BAD_OFFSET, BAD_DIM); the tile keeps serving', 7, () => chunkErrors(kernel, prng, sink)));
  return out;
}
