// The message-level half of the conformance fixture (tile/conformance/ holds the exports
// half; it lives here because it speaks the protocol): every request type through
// rvf_on_message, answered as the reference says (top-K after LOAD_QUERY and LOAD_BLOCK
// chunks, COMPUTE on a staged block, RESET), and every malformed request answered by an
// ERROR for that request, after which the tile still serves a valid one.
import { guardedCheck as guarded, type CheckResult, type Sink } from '../../tile/conformance/check-kit.ts';
import { dtypeName, randomVector, type CaseRandom } from '../../tile/conformance/cases.ts';
import type { LoadedKernel } from '../../tile/kernel-module.ts';
import { kernelOrderDistanceBits } from '../../tile/reference/distances.ts';
import { f32Bits } from '../../tile/reference/fp16.ts';
import { referenceTopK } from '../../tile/reference/topk.ts';
import type { Dtype } from '../../tile/reference/vector-layout.ts';
import { TileInstance } from '../../tile/tile-instance.ts';
import * as L from '../../wat/layout.ts';
import { blockChunks, blockStream, padBlockVectors } from '../block-chunks.ts';
import { encodeMessage } from '../codec.ts';
import { TilePort } from '../tile-port.ts';
import type { HubMessage, TileMessage } from '../types.ts';

const METRIC_OF: Record<Dtype, number> = { [L.DTYPE_FP16]: L.METRIC_L2, [L.DTYPE_I8]: L.METRIC_IP, [L.DTYPE_BITS]: L.METRIC_HAMMING };

interface Flow {
  dtype: Dtype;
  dim: number;
  k: number;
  query: Uint8Array;
  vectors: Uint8Array[];
  ids: bigint[];
}

export function freshPort(kernel: LoadedKernel, dtype: Dtype, dim: number): TilePort {
  const tile = new TileInstance(0, kernel);
  const cfg = L.IO_PTR;
  tile.bytes.fill(0, cfg, cfg + L.CONFIG_BYTES);
  tile.view.setUint8(cfg + L.CFG_PROFILE, 1);
  tile.view.setUint8(cfg + L.CFG_DTYPE, dtype);
  tile.view.setUint8(cfg + L.CFG_K, 10);
  tile.view.setUint16(cfg + L.CFG_DIM, dim, true);
  const status = tile.call('rvf_init', cfg);
  if (status !== 0) throw new Error(`rvf_init returned status ${status}`);
  return new TilePort(tile);
}

export const show = (r: TileMessage) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `${v}` : v));

function queryMsg(f: Flow, msgId: number): HubMessage {
  return { type: 'LOAD_QUERY', msgId, dtype: f.dtype, metric: METRIC_OF[f.dtype], k: f.k, dim: f.dim, vector: f.query };
}

function blockMsgs(f: Flow, firstMsgId: number, stageOnly = false): HubMessage[] {
  return blockChunks(blockStream(padBlockVectors(f.dtype, f.dim, f.vectors), f.ids), { firstMsgId, count: f.vectors.length, dtype: f.dtype, explicitIds: true, stageOnly, verifyCrc: true });
}

/** Sends each message and returns the first reply that is not DONE, as a difference. */
export function allDone(port: TilePort, messages: HubMessage[], sink: Sink): string | undefined {
  for (const m of messages) {
    const r = port.send(m);
    sink(show(r));
    if (r.type !== 'DONE') return `${m.type} (msg ${m.msgId}) expected DONE got ${show(r)}`;
  }
  return undefined;
}

function topkDifference(port: TilePort, f: Flow, sink: Sink): string | undefined {
  const r = port.send({ type: 'READ_TOPK', msgId: 900 });
  sink(show(r));
  if (r.type !== 'TOPK_RESULT') return `READ_TOPK expected TOPK_RESULT got ${show(r)}`;
  const want = referenceTopK(f.vectors.map((v, i) => ({ id: f.ids[i]!, distBits: kernelOrderDistanceBits(f.dtype, METRIC_OF[f.dtype], f.query, v, f.dim) })), f.k);
  const got = r.entries.map((e) => ({ id: e.id, distBits: f32Bits(e.dist) }));
  const same = got.length === want.length && got.every((g, i) => g.id === want[i]!.id && g.distBits === want[i]!.distBits >>> 0);
  return same ? undefined : `READ_TOPK expected ${want.map((w) => `${w.id}`).join(',')} got ${got.map((g) => `${g.id}`).join(',')}`;
}

function flowFor(prng: CaseRandom, dtype: Dtype): Flow {
  const dim = dtype === L.DTYPE_FP16 ? 384 : dtype === L.DTYPE_I8 ? 200 : 1000;
  const vectors = Array.from({ length: 30 }, () => randomVector(prng, dtype, dim));
  vectors[7] = vectors[3]!; // a tie, with the higher id first in the block
  return { dtype, dim, k: 10, query: randomVector(prng, dtype, dim), vectors, ids: vectors.map((_, i) => BigInt(5000 - 11 * i)) };
}

/** A valid request with one field broken, and what it breaks (the ERROR it must get). */
interface Malformed {
  what: string;
  bytes: Uint8Array;
}

function malformed(f: Flow): Malformed[] {
  const q = encodeMessage(queryMsg(f, 77));
  const at = (bytes: Uint8Array, offset: number, value: number, size: 1 | 2 | 4 = 1): Uint8Array => {
    const out = bytes.slice();
    const v = new DataView(out.buffer);
    if (size === 1) v.setUint8(offset, value);
    else if (size === 2) v.setUint16(offset, value, true);
    else v.setUint32(offset, value, true);
    return out;
  };
  const P = L.MSG_HEADER_BYTES;
  const chunk = encodeMessage({ ...blockMsgs(f, 77)[0]!, msgId: 77 });
  return [
    { what: 'unknown message type 0x7f', bytes: at(q, L.MSG_TYPE, 0x7f, 2) },
    { what: 'a reply type (DONE) sent to the tile', bytes: at(q, L.MSG_TYPE, L.MSG_DONE, 2) },
    { what: 'payload length past the I/O buffer', bytes: at(q, L.MSG_LENGTH, L.MSG_MAX_PAYLOAD + 1, 2) },
    { what: 'LOAD_QUERY payload length one byte short', bytes: at(q, L.MSG_LENGTH, q.length - P - 1, 2) },
    { what: 'LOAD_QUERY dtype 9', bytes: at(q, P + L.LQ_DTYPE, 9) },
    { what: 'LOAD_QUERY k 0', bytes: at(q, P + L.LQ_K, 0) },
    { what: `LOAD_QUERY k ${L.TOPK_MAX + 1}`, bytes: at(q, P + L.LQ_K, L.TOPK_MAX + 1) },
    { what: 'LOAD_QUERY dim 0', bytes: at(q, P + L.LQ_DIM, 0, 2) },
    { what: 'LOAD_QUERY metric 9', bytes: at(q, P + L.LQ_METRIC, 9) },
    { what: 'LOAD_BLOCK first chunk at offset 8', bytes: at(chunk, P + L.LB_OFFSET, 8, 4) },
    { what: 'LOAD_BLOCK dtype 9', bytes: at(chunk, P + L.LB_DTYPE, 9) },
    { what: 'LOAD_BLOCK count 0', bytes: at(chunk, P + L.LB_COUNT, 0, 2) },
    { what: 'COMPUTE k 0', bytes: encodeMessage({ type: 'COMPUTE', msgId: 77, metric: METRIC_OF[f.dtype], k: 0, flags: 0 }) },
    { what: 'LOAD_PARAMS kind 9', bytes: at(encodeMessage({ type: 'LOAD_PARAMS', msgId: 77, kind: L.LP_KIND_SQ, flags: L.LP_F_FINAL, a: f.dim, b: 0, offset: 0, totalBytes: 8, data: new Uint8Array(8) }), P + L.LP_KIND, 9) },
  ];
}

function malformedCheck(kernel: LoadedKernel, f: Flow, sink: Sink): CheckResult {
  const cases = malformed(f);
  return guarded(`malformed requests answered by ERROR, ${dtypeName(f.dtype)}`, cases.length, () => {
    const port = freshPort(kernel, f.dtype, f.dim);
    for (const m of cases) {
      let r: TileMessage;
      try {
        r = port.sendRaw(m.bytes, 77);
      } catch (err) {
        return `${m.what}: expected ERROR got a reply that does not decode (${(err as Error).message})`;
      }
      sink(show(r));
      if (r.type !== 'ERROR') return `${m.what}: expected ERROR got ${show(r)}`;
      const next = port.send({ type: 'READ_TOPK', msgId: 78 });
      if (next.type !== 'TOPK_RESULT') return `${m.what}: the next valid READ_TOPK expected TOPK_RESULT got ${show(next)}`;
    }
    return undefined;
  });
}

/** Every message-level check, in a fixed order. */
export function messageChecks(kernel: LoadedKernel, prng: CaseRandom, sink: Sink): CheckResult[] {
  const out: CheckResult[] = [];
  for (const dtype of [L.DTYPE_FP16, L.DTYPE_I8, L.DTYPE_BITS] as Dtype[]) {
    const f = flowFor(prng, dtype);
    out.push(
      guarded(`LOAD_QUERY, LOAD_BLOCK chunks (explicit ids, a tie), READ_TOPK, ${dtypeName(dtype)} dim ${f.dim}`, 1, () => {
        const port = freshPort(kernel, f.dtype, f.dim);
        return allDone(port, [queryMsg(f, 1), ...blockMsgs(f, 2)], sink) ?? topkDifference(port, f, sink);
      }),
    );
    out.push(
      guarded(`LOAD_BLOCK stage-only, LOAD_QUERY, COMPUTE, READ_TOPK, RESET, ${dtypeName(dtype)}`, 1, () => {
        const port = freshPort(kernel, f.dtype, f.dim);
        const staged = allDone(port, [...blockMsgs(f, 2, true), queryMsg(f, 1), { type: 'COMPUTE', msgId: 40, metric: METRIC_OF[dtype], k: f.k, flags: 0x10 }], sink);
        const diff = staged ?? topkDifference(port, f, sink) ?? allDone(port, [{ type: 'RESET', msgId: 41 }], sink);
        if (diff) return diff;
        const after = port.send({ type: 'READ_TOPK', msgId: 42 });
        return after.type === 'TOPK_RESULT' && after.entries.length === 0 ? undefined : `READ_TOPK after RESET expected no entries got ${show(after)}`;
      }),
    );
    out.push(malformedCheck(kernel, f, sink));
  }
  return out;
}
