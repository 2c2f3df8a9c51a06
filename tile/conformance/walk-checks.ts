// Conformance of the greedy-walk exports: rvf_load_neighbors (random lists up to the whole
// 4 KB cache, empty lists, extreme ids) copies the ids; rvf_greedy_step over random walks
// (ties in distance at every step, steps from a node other than the current one, empty
// lists) picks the node tile/reference/greedy.ts picks, with the distances the reference
// gives and the top-K the reference merge gives.
import { BLOCK_PTR, DIST_PTR, DTYPE_FP16, IO_PTR, METRIC_L2, NEIGHBOR_BYTES, NEIGHBOR_PTR, STATE_PTR, ST_CUR_DIST, ST_CUR_ID, ST_CUR_SET } from '../../wat/layout.ts';
import { OK, statusName } from '../../wat/status.ts';
import { kernelOrderDistanceBits } from '../reference/distances.ts';
import { f32FromBits } from '../reference/fp16.ts';
import { greedyChoice, type WalkState } from '../reference/greedy.ts';
import { mergeTopK, type Candidate } from '../reference/topk.ts';
import { layoutBlock } from '../reference/vector-layout.ts';
import { readTopK } from '../kernel-calls.ts';
import type { LoadedKernel } from '../kernel-module.ts';
import type { TileInstance } from '../tile-instance.ts';
import { randomVector, type CaseRandom } from './cases.ts';
import { guardedCheck, hex, initedTile, type CheckResult, type Sink } from './check-kit.ts';

const DIM = 24;
const K = 12;
const RECORD = IO_PTR + 256;

/** Writes a neighbor record (u32 count, u32 pad, u64 ids) at `at`. */
export function writeNeighborRecord(tile: TileInstance, at: number, ids: readonly bigint[]): void {
  tile.view.setUint32(at, ids.length, true);
  tile.view.setUint32(at + 4, 0, true);
  ids.forEach((id, i) => tile.view.setBigUint64(at + 8 + 8 * i, id, true));
}

function neighborsCheck(kernel: LoadedKernel, prng: CaseRandom, sink: Sink): CheckResult {
  const sizes = [0, 1, 3, 17, NEIGHBOR_BYTES / 8];
  return guardedCheck(`rvf_load_neighbors: lists of ${sizes.join(', ')} ids, extreme ids`, sizes.length, () => {
    const tile = initedTile(kernel, DTYPE_FP16, DIM);
    for (const n of sizes) {
      const ids = Array.from({ length: n }, (_, i) => (i === 1 ? 0xffff_ffff_ffff_fffen : BigInt(prng.nextInt(0, 1 << 30)) << BigInt(prng.nextInt(0, 33))));
      const node = BigInt(prng.nextInt(0, 1 << 30)) << 20n;
      writeNeighborRecord(tile, BLOCK_PTR, ids);
      const status = tile.call('rvf_load_neighbors', node, n % 5, BLOCK_PTR);
      if (status !== OK) return `${n} ids for node ${node}: expected OK got ${statusName(status)}`;
      for (let i = 0; i < n; i++) {
        const got = tile.view.getBigUint64(NEIGHBOR_PTR + 8 * i, true);
        sink(String(got));
        if (got !== ids[i]) return `${n} ids for node ${node}: cached id ${i} expected ${ids[i]} got ${got}`;
      }
    }
    return undefined;
  });
}

/** The greedy walk's state as the kernel keeps it (ST_CUR_*). */
export function walkState(tile: TileInstance): WalkState {
  const v = tile.view;
  return { curSet: v.getUint32(STATE_PTR + ST_CUR_SET, true) === 1, curId: v.getBigUint64(STATE_PTR + ST_CUR_ID, true), curDist: v.getFloat32(STATE_PTR + ST_CUR_DIST, true) };
}

/** One random walk of `steps` greedy steps; the first difference from the reference. */
function walkDifference(kernel: LoadedKernel, prng: CaseRandom, walk: number, steps: number, sink: Sink): string | undefined {
  const tile = initedTile(kernel, DTYPE_FP16, DIM, METRIC_L2, K);
  const query = randomVector(prng, DTYPE_FP16, DIM);
  tile.bytes.set(query, IO_PTR);
  if (tile.call('rvf_load_query', IO_PTR, DIM) !== OK) return `walk ${walk}: rvf_load_query refused`;
  const pool = Array.from({ length: 4 }, () => randomVector(prng, DTYPE_FP16, DIM)); // shared vectors: ties
  let topk: Candidate[] = [];
  let current = BigInt(prng.nextInt(0, 99));
  let nextId = 1000 + 1000 * walk;
  for (let s = 0; s < steps; s++) {
    const n = s === steps - 1 ? 0 : 1 + prng.nextInt(0, 9);
    const ids = Array.from({ length: n }, () => BigInt((nextId += prng.nextInt(1, 5))));
    ids.reverse(); // the block's higher ids first, so ties must still go low
    const vectors = ids.map(() => (prng.nextInt(0, 2) === 0 ? pool[prng.nextInt(0, 3)]! : randomVector(prng, DTYPE_FP16, DIM)));
    const from = prng.nextInt(0, 4) === 0 ? BigInt(prng.nextInt(0, 99)) : current; // sometimes another node
    const layer = prng.nextInt(0, 3);
    const at = `walk ${walk} step ${s} from node ${from} layer ${layer} over ${n} neighbors`;
    writeNeighborRecord(tile, RECORD, ids);
    if (tile.call('rvf_load_neighbors', from, layer, RECORD) !== OK) return `${at}: rvf_load_neighbors refused`;
    if (n > 0) {
      tile.bytes.set(layoutBlock(DTYPE_FP16, DIM, vectors), BLOCK_PTR);
      if (tile.call('rvf_load_block', BLOCK_PTR, n, DTYPE_FP16) !== OK) return `${at}: rvf_load_block refused`;
    }
    const state = walkState(tile);
    const got = tile.call('rvf_greedy_step', from, layer);
    const bits = vectors.map((v) => kernelOrderDistanceBits(DTYPE_FP16, METRIC_L2, query, v, DIM));
    for (let i = 0; i < n; i++) {
      const g = tile.view.getUint32(DIST_PTR + 4 * i, true);
      if (g !== bits[i]) return `${at}: distance of neighbor ${ids[i]} expected ${hex(bits[i]!)} got ${hex(g)}`;
    }
    const want = greedyChoice(from, state, ids, Float32Array.from(bits, f32FromBits));
    sink(String(got));
    if (got !== want.next) return `${at} (walk state ${state.curSet ? `at ${state.curId} dist ${hex(new Uint32Array(Float32Array.of(state.curDist).buffer)[0]!)}` : 'unset'}): expected node ${want.next} got ${got}`;
    topk = mergeTopK(topk, ids.map((id, i) => ({ id, distBits: bits[i]! })), K);
    current = got;
  }
  const read = readTopK(tile);
  const show = (c: readonly { id: bigint; distBits: number }[]) => c.map((e) => `${e.id}:${hex(e.distBits)}`).join(',');
  return show(read.entries) === show(topk) ? undefined : `walk ${walk}: top-K after ${steps} steps expected ${show(topk)} got ${show(read.entries)}`;
}

function greedyCheck(kernel: LoadedKernel, prng: CaseRandom, sink: Sink): CheckResult {
  const walks = 6;
  return guardedCheck(`rvf_greedy_step: ${walks} random walks (ties, steps from another node, empty lists), fp16 l2 dim ${DIM}, k ${K}`, walks, () => {
    for (let w = 0; w < walks; w++) {
      const diff = walkDifference(kernel, prng, w, 8, sink);
      if (diff) return diff;
    }
    return undefined;
  });
}

export function walkChecks(kernel: LoadedKernel, prng: CaseRandom, sink: Sink): CheckResult[] {
  return [neighborsCheck(kernel, prng, sink), greedyCheck(kernel, prng, sink)];
}
