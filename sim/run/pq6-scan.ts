// A PQ6 scan on one Hot-image tile through its exports (the kernel computes every table
// entry and distance; the hub only trains, encodes and feeds): per query, the codebook in
// pieces of whole subspaces (the Hot image's rvf_load_pq_codebook), then the packed codes in batches of 128
// (rvf_pq_distances, rvf_topk_merge). Used to measure PQ6's recall against exact ground
// truth (sim/bench/pq6-recall.ts) without the hub's message path (`cogsim run --dtype pq6`
// runs that path; docs/format.md "Running PQ6 data").
import { f32ArrayToFp16 } from '../../hub/data/fp16.ts';
import type { Pq6Codebook } from '../../hub/pq6/train.ts';
import { initTile } from '../../tile/kernel-calls.ts';
import type { LoadedKernel } from '../../tile/kernel-module.ts';
import { pq6VectorBytes } from '../../tile/reference/pq6.ts';
import { TileInstance } from '../../tile/tile-instance.ts';
import { BLOCK_PTR, DTYPE_FP16, IO_PTR, MAX_BLOCK_VECTORS, PQ6_K, RESULT_ENTRY_BYTES, RESULT_PTR } from '../../wat/layout.ts';
import { OK, statusName } from '../../wat/status.ts';

/** Codebook pieces are staged at the block region's start, at most this many bytes. */
const PIECE_BYTES = 0x4000;
const CODES_PTR = BLOCK_PTR + PIECE_BYTES;
const DIST_OUT = IO_PTR;
const IDS_OUT = IO_PTR + 4 * MAX_BLOCK_VECTORS;

export interface Pq6ScanResult {
  /** The tile's top-k ids per query (query-major). */
  topIds: Int32Array;
  /** Every kernel distance (query-major, n per query), for re-rank depth figures. */
  distances: Float32Array;
}

function expectOk(what: string, status: number): void {
  if (status !== OK) throw new Error(`PQ6 scan: ${what} returned ${statusName(status)}`);
}

function buildTable(tile: TileInstance, book: Pq6Codebook): void {
  const pieceHalves = PQ6_K * (book.dim / book.m);
  const per = Math.max(1, Math.floor(PIECE_BYTES / (2 * pieceHalves)));
  for (let first = 0; first < book.m; first += per) {
    const count = Math.min(per, book.m - first);
    tile.bytes.set(new Uint8Array(book.halves.buffer, book.halves.byteOffset + first * pieceHalves * 2, count * pieceHalves * 2), BLOCK_PTR);
    expectOk(`rvf_load_pq_codebook rows ${first}..${first + count - 1}`, tile.call('rvf_load_pq_codebook', BLOCK_PTR, book.m, first, count));
  }
}

/** Scans every code vector for every query on one tile; k <= 16. */
export function pq6Scan(kernel: LoadedKernel, book: Pq6Codebook, codes: Uint8Array, queries: Float32Array, k: number): Pq6ScanResult {
  const { dim, m } = book;
  const vb = pq6VectorBytes(m);
  const n = codes.length / vb;
  const qn = queries.length / dim;
  const tile = new TileInstance(0, kernel);
  const topIds = new Int32Array(qn * k);
  const distances = new Float32Array(qn * n);
  const ids = new BigUint64Array(MAX_BLOCK_VECTORS);
  for (let q = 0; q < qn; q++) {
    expectOk('rvf_init', initTile(tile, { dtype: DTYPE_FP16, dim, metric: 0, k })); // an empty top-K per query
    tile.bytes.set(new Uint8Array(f32ArrayToFp16(queries.subarray(q * dim, (q + 1) * dim)).buffer), IO_PTR);
    expectOk('rvf_load_query', tile.call('rvf_load_query', IO_PTR, dim));
    buildTable(tile, book);
    for (let first = 0; first < n; first += MAX_BLOCK_VECTORS) {
      const count = Math.min(MAX_BLOCK_VECTORS, n - first);
      tile.bytes.set(codes.subarray(first * vb, (first + count) * vb), CODES_PTR);
      expectOk('rvf_pq_distances', tile.call('rvf_pq_distances', CODES_PTR, count, DIST_OUT));
      distances.set(new Float32Array(tile.memory.buffer.slice(DIST_OUT, DIST_OUT + 4 * count)), q * n + first);
      for (let i = 0; i < count; i++) ids[i] = BigInt(first + i);
      tile.bytes.set(new Uint8Array(ids.buffer, 0, 8 * count), IDS_OUT);
      expectOk('rvf_topk_merge', tile.call('rvf_topk_merge', DIST_OUT, IDS_OUT, count, k));
    }
    for (let i = 0; i < k; i++) topIds[q * k + i] = Number(tile.view.getBigUint64(RESULT_PTR + i * RESULT_ENTRY_BYTES, true));
  }
  return { topIds, distances };
}
