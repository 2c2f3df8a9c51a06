// The health check a tile must pass on a new kernel image before it takes work: a small
// fixed set of conformance vectors run through the image's real kernel (init, query, block,
// distances, top-K merge), each compared with the TypeScript reference: distances bit for
// bit with the lane-order emulation, the top-K ids and order with referenceTopK.
import { DTYPE_FP16, METRIC_COSINE, METRIC_IP, METRIC_L2 } from '../../wat/layout.ts';
import { OK, statusName } from '../../wat/status.ts';
import { computeDistances, initTile, loadQuery, mergeIds, placeBlock, readTopK } from '../kernel-calls.ts';
import type { LoadedKernel } from '../kernel-module.ts';
import { kernelOrderDistanceBits } from '../reference/distances.ts';
import { referenceTopK } from '../reference/topk.ts';
import { encodeFp16 } from '../reference/vector-layout.ts';
import { TileInstance } from '../tile-instance.ts';
import { TileTrap } from '../tile-trap.ts';

export interface HealthCase {
  name: string;
  metric: number;
  dim: number;
  k: number;
  query: Uint8Array;
  vectors: Uint8Array[];
  firstId: bigint;
}

// Values on a grid of quarters fit fp16 exactly, so the cases are the same everywhere.
const grid = (seed: number, dim: number): number[] => Array.from({ length: dim }, (_, j) => (((seed * 7 + j * 13) % 17) - 8) / 4);

export function fixedCase(name: string, metric: number, dim: number, count: number, k: number): HealthCase {
  return { name, metric, dim, k, query: encodeFp16(grid(101, dim)), vectors: Array.from({ length: count }, (_, i) => encodeFp16(grid(i, dim))), firstId: 1000n };
}

/** The fixed conformance vectors: three metrics, dims that fill whole and partial lanes. */
export const HEALTH_CASES: readonly HealthCase[] = [
  fixedCase('l2 fp16 dim 16, 24 vectors, top 5', METRIC_L2, 16, 24, 5),
  fixedCase('ip fp16 dim 20, 17 vectors, top 4', METRIC_IP, 20, 17, 4),
  fixedCase('cosine fp16 dim 40, 9 vectors, top 3', METRIC_COSINE, 40, 9, 3),
];

export interface HealthResult {
  ok: boolean;
  /** one line per case: what passed, or the first disagreement */
  lines: string[];
}

function need(what: string, status: number): void {
  if (status !== OK) throw new Error(`${what} returned ${statusName(status)}`);
}

/** Runs one case on a fresh instance of the kernel; null when it agrees, else why not. */
export function checkHealthCase(kernel: LoadedKernel, c: HealthCase, tileId = 0): string | null {
  const tile = new TileInstance(tileId, kernel);
  const ids = c.vectors.map((_, i) => c.firstId + BigInt(i));
  try {
    need('rvf_init', initTile(tile, { dtype: DTYPE_FP16, dim: c.dim, metric: c.metric, k: c.k }));
    need('rvf_load_query', loadQuery(tile, DTYPE_FP16, c.query, c.dim));
    need('rvf_load_block', placeBlock(tile, DTYPE_FP16, c.dim, c.vectors));
    const { status, bits } = computeDistances(tile, c.metric, c.vectors.length);
    need('rvf_distances', status);
    const expected = c.vectors.map((v) => kernelOrderDistanceBits(DTYPE_FP16, c.metric, c.query, v, c.dim));
    const wrong = expected.findIndex((b, i) => b >>> 0 !== bits[i]! >>> 0);
    if (wrong >= 0) return `distance ${wrong} is 0x${bits[wrong]!.toString(16)}, the reference says 0x${(expected[wrong]! >>> 0).toString(16)}`;
    need('rvf_topk_merge', mergeIds(tile, ids, c.k));
    const read = readTopK(tile);
    need('rvf_topk_read', read.status);
    const want = referenceTopK(ids.map((id, i) => ({ id, distBits: expected[i]! })), c.k).map((e) => e.id);
    const got = read.entries.map((e) => e.id);
    if (got.join() !== want.join()) return `top-${c.k} ids are ${got.join(',')}, the reference says ${want.join(',')}`;
    return null;
  } catch (err) {
    if (err instanceof TileTrap || err instanceof Error) return err.message;
    throw err;
  }
}

/** Every case on the image `tileId` will boot; stops at the first disagreement. */
export function healthCheck(kernel: LoadedKernel, tileId = 0): HealthResult {
  const lines: string[] = [];
  for (const c of HEALTH_CASES) {
    const why = checkHealthCase(kernel, c, tileId);
    lines.push(why === null ? `ok ${c.name}` : `FAILED ${c.name}: ${why}`);
    if (why !== null) return { ok: false, lines };
  }
  return { ok: true, lines };
}
