// The pull-mode message flow in the conformance fixture: LOAD_QUERY(PULL), the seed block,
// then the tile drives the walk (NEED_NEIGHBORS -> LOAD_NEIGHBORS, NEED_BLOCK -> LOAD_BLOCK
// chunks) over a random graph with repeated ids in the lists and ties in distance, until
// DONE. The tile's requests in order and its final W (ids, distance bits, expanded flags)
// must equal the hub's replay of the WAT walk (hub/pull/tile-walk.ts). It lives in sim
// because that replay is hub code; `cogsim conform` passes it in like the message checks.
import { replayTileWalk, type WalkSource } from '../../hub/pull/tile-walk.ts';
import { blockChunks, blockStream, padBlockVectors } from '../../protocol/block-chunks.ts';
import { allDone, freshPort, show } from '../../protocol/conformance/message-checks.ts';
import type { HubMessage, TileMessage } from '../../protocol/types.ts';
import { randomVector, type CaseRandom } from '../../tile/conformance/cases.ts';
import { guardedCheck as guarded, type CheckResult, type Sink } from '../../tile/conformance/check-kit.ts';
import type { LoadedKernel } from '../../tile/kernel-module.ts';
import { f32Bits } from '../../tile/reference/fp16.ts';
import { DTYPE_FP16, LQ_F_PULL, METRIC_L2 } from '../../wat/layout.ts';

const DIM = 24;
const NODES = 90;

function randomGraph(prng: CaseRandom): WalkSource {
  const pool = Array.from({ length: 6 }, () => randomVector(prng, DTYPE_FP16, DIM));
  const vectors = Array.from({ length: NODES }, () => (prng.nextInt(0, 3) === 0 ? pool[prng.nextInt(0, 5)]! : randomVector(prng, DTYPE_FP16, DIM)));
  const lists = Array.from({ length: NODES }, () => Array.from({ length: prng.nextInt(0, 10) }, () => prng.nextInt(0, NODES - 1)));
  return { dim: DIM, metricCode: METRIC_L2, neighbors: (id) => lists[id]!, vectorBytes: (id) => vectors[id]! };
}

function blockFor(src: WalkSource, ids: readonly number[], firstMsgId: number): HubMessage[] {
  const stream = blockStream(padBlockVectors(DTYPE_FP16, DIM, ids.map((id) => src.vectorBytes(id))), ids.map(BigInt));
  return blockChunks(stream, { firstMsgId, count: ids.length, dtype: DTYPE_FP16, explicitIds: true, chunkDataBytes: 700 });
}

/** Sends all but the last message (each answered DONE) and returns the last one's reply. */
function sendBlock(port: ReturnType<typeof freshPort>, msgs: HubMessage[], sink: Sink): TileMessage | string {
  const diff = allDone(port, msgs.slice(0, -1), sink);
  return diff ?? port.send(msgs.at(-1)!);
}

function walkDifference(kernel: LoadedKernel, prng: CaseRandom, walk: number, sink: Sink): string | undefined {
  const src = randomGraph(prng);
  const ef = 4 + prng.nextInt(0, 12);
  const seeds = [...new Set(Array.from({ length: 1 + prng.nextInt(0, 3) }, () => prng.nextInt(0, NODES - 1)))];
  const query = randomVector(prng, DTYPE_FP16, DIM);
  const ref = replayTileWalk(src, query, seeds, ef);
  const at = `walk ${walk} (ef ${ef}, seeds ${seeds.join(',')})`;
  const port = freshPort(kernel, DTYPE_FP16, DIM);
  const started = allDone(port, [{ type: 'LOAD_QUERY', msgId: 1, dtype: DTYPE_FP16, metric: METRIC_L2, k: ef, flags: LQ_F_PULL, dim: DIM, vector: query }], sink);
  if (started) return `${at}: ${started}`;
  let reply = sendBlock(port, blockFor(src, seeds, 2), sink);
  const requests: string[] = [];
  for (let step = 0; step <= ref.requests.length; step++) {
    if (typeof reply === 'string') return `${at}: ${reply}`;
    sink(show(reply));
    const request = reply.type === 'NEED_NEIGHBORS' ? `NEED_NEIGHBORS ${reply.nodeId}@${reply.layer}` : reply.type === 'NEED_BLOCK' ? `NEED_BLOCK ${reply.ids.join(',')}` : reply.type === 'DONE' ? 'DONE' : show(reply);
    requests.push(request);
    if (request !== ref.requests[requests.length - 1]) return `${at}: request ${requests.length - 1} expected ${ref.requests[requests.length - 1] ?? 'nothing'} got ${request}`;
    if (reply.type === 'DONE') break;
    const msgId = 100 + 50 * step;
    if (reply.type === 'NEED_NEIGHBORS') reply = port.send({ type: 'LOAD_NEIGHBORS', msgId, nodeId: reply.nodeId, layer: reply.layer, ids: Array.from(src.neighbors(Number(reply.nodeId)), BigInt) });
    else if (reply.type === 'NEED_BLOCK') reply = sendBlock(port, blockFor(src, reply.ids.map(Number), msgId), sink);
  }
  const r = port.send({ type: 'READ_TOPK', msgId: 9 });
  if (r.type !== 'TOPK_RESULT') return `${at}: READ_TOPK expected TOPK_RESULT got ${show(r)}`;
  const got = r.entries.map((e) => `${e.id}:${f32Bits(e.dist).toString(16)}:${e.aux}`).join(',');
  const want = ref.entries.map((e) => `${e.id}:${(e.distBits >>> 0).toString(16)}:${e.expanded ? 1 : 0}`).join(',');
  return got === want ? undefined : `${at}: W after DONE (id:distance bits:expanded) expected ${want} got ${got}`;
}

export function pullChecks(kernel: LoadedKernel, prng: CaseRandom, sink: Sink): CheckResult[] {
  const walks = 5;
  return [
    guarded(`pull mode: LOAD_QUERY(PULL), seed block, NEED_NEIGHBORS/LOAD_NEIGHBORS, NEED_BLOCK/LOAD_BLOCK until DONE, ${walks} random graphs`, walks, () => {
      for (let w = 0; w < walks; w++) {
        const diff = walkDifference(kernel, prng, w, sink);
        if (diff) return diff;
      }
      return undefined;
    }),
  ];
}
