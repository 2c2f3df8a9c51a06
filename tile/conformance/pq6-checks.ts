// Conformance of PQ with 6-bit codes (the Hot image's rvf_load_pq_codebook + rvf_pq_distances)
// against tile/reference/pq6.ts: the table and every distance f32 bit for bit (tolerance
// 0), for lane-order and sequential widths, codebooks fed in pieces of several sizes, every
// 6-bit value (random bytes are valid codes; 0xFF bytes are code 63 throughout), an infinite
// centroid (NaN folded to the canonical NaN); then the distances merged into the top-K,
// which must equal the reference top-K with ties broken by the lower id. A kernel without
// PQ6 (a Core image, whose PQ exports are 8-bit) gets no PQ6 checks.
import { DTYPE_FP16, IO_PTR, PQ_TABLE_PTR, PQ6_K, RESULT_ENTRY_BYTES, RESULT_PTR, SCRATCH_BASE } from '../../wat/layout.ts';
import { OK, statusName } from '../../wat/status.ts';
import { pqCodeBits } from '../kernel-exports.ts';
import type { LoadedKernel } from '../kernel-module.ts';
import { fp16BitsToF32Bits, f32FromBits } from '../reference/fp16.ts';
import { pq6Distances, pq6Table, pq6VectorBytes } from '../reference/pq6.ts';
import { referenceTopK } from '../reference/topk.ts';
import type { TileInstance } from '../tile-instance.ts';
import type { CaseRandom } from './cases.ts';
import { guardedCheck, initedTile, type CheckResult, type Sink } from './check-kit.ts';
import { randomBytes } from './format-checks.ts';
import { firstBitsDifference, fp16Random } from './quant-checks.ts';

/** Codebook pieces go to the start of scratch, the codes above them; both clear of the table. */
const PIECE_PTR = SCRATCH_BASE;
const CODES_PTR = SCRATCH_BASE + 0x6000;
const OUT_PTR = IO_PTR;

interface Pq6Case {
  what: string;
  dim: number;
  m: number;
  /** Subspaces per codebook piece. */
  per: number;
  query: Uint16Array;
  codebook: Uint16Array;
  codes: Uint8Array;
  count: number;
}

/** (dim, M, subspaces per piece): widths 8, 16, 24 (lane order), 12, 4, 5, 3 (sequential). */
const SHAPES: readonly [number, number, number][] = [[64, 8, 8], [384, 24, 3], [96, 4, 1], [384, 32, 5], [128, 32, 32], [20, 4, 2], [48, 16, 7]];

function randomCase(prng: CaseRandom, [dim, m, per]: readonly [number, number, number]): Pq6Case {
  const count = 1 + prng.nextInt(0, 127);
  return { what: `dim ${dim} M ${m}, pieces of ${per}`, dim, m, per, query: fp16Random(prng, dim), codebook: fp16Random(prng, PQ6_K * dim), codes: randomBytes(prng, count * pq6VectorBytes(m)), count };
}

function cases(prng: CaseRandom): Pq6Case[] {
  const out = SHAPES.map((s) => randomCase(prng, s));
  const ones = randomCase(prng, [64, 8, 8]);
  out.push({ ...ones, what: 'every code 63 (0xFF bytes)', codes: new Uint8Array(ones.codes.length).fill(0xff) });
  const inf = randomCase(prng, [16, 4, 4]);
  inf.query[0] = 0x7c00;
  inf.codebook[0] = 0x7c00; // inf - inf: a NaN table entry (row 0, centroid 0)
  inf.codebook[4 * 7] = 0xfc00; // row 0, centroid 7: +inf
  out.push({ ...inf, what: 'an infinite query element and centroids (NaN and +inf entries)' });
  return out;
}

/** Query, then the table piece by piece; the status of the first call that is not OK. */
function buildTable(tile: TileInstance, c: Pq6Case): string | undefined {
  tile.bytes.set(new Uint8Array(c.query.buffer), IO_PTR);
  const q = tile.call('rvf_load_query', IO_PTR, c.dim);
  if (q !== OK) return `${c.what}: rvf_load_query expected OK got ${statusName(q)}`;
  const pieceHalves = PQ6_K * (c.dim / c.m);
  for (let first = 0; first < c.m; first += c.per) {
    const count = Math.min(c.per, c.m - first);
    tile.bytes.set(new Uint8Array(c.codebook.buffer, first * pieceHalves * 2, count * pieceHalves * 2), PIECE_PTR);
    const s = tile.call('rvf_load_pq_codebook', PIECE_PTR, c.m, first, count);
    if (s !== OK) return `${c.what}: rvf_load_pq_codebook(rows ${first}..${first + count - 1}) expected OK got ${statusName(s)}`;
  }
  return undefined;
}

function referenceTable(c: Pq6Case): Float32Array {
  const q = Float32Array.from(c.query, (h) => f32FromBits(fp16BitsToF32Bits(h)));
  return pq6Table(q, c.codebook, c.m, c.dim);
}

function distanceDifference(tile: TileInstance, c: Pq6Case, sink: Sink): string | undefined {
  const built = buildTable(tile, c);
  if (built) return built;
  const table = referenceTable(c);
  const tableGot = new Uint32Array(tile.memory.buffer.slice(PQ_TABLE_PTR, PQ_TABLE_PTR + 4 * c.m * PQ6_K));
  const tableDiff = firstBitsDifference(`${c.what}: table entry`, table, tableGot);
  if (tableDiff) return tableDiff;
  tile.bytes.set(c.codes, CODES_PTR);
  const s = tile.call('rvf_pq_distances', CODES_PTR, c.count, OUT_PTR);
  if (s !== OK) return `${c.what}: rvf_pq_distances expected OK got ${statusName(s)}`;
  const got = new Uint32Array(tile.memory.buffer.slice(OUT_PTR, OUT_PTR + 4 * c.count));
  sink(new Uint8Array(got.buffer));
  return firstBitsDifference(`${c.what}, ${c.count} code vectors: distance of code vector`, pq6Distances(table, c.codes, c.count, c.m), got);
}

function distanceCheck(kernel: LoadedKernel, prng: CaseRandom, sink: Sink): CheckResult {
  const all = cases(prng);
  return guardedCheck(`PQ6 rvf_load_pq_codebook + rvf_pq_distances bit for bit: (dim, M, per piece) ${SHAPES.map((s) => s.join('/')).join(', ')}, code 63 throughout, infinite centroids`, all.length, () => {
    for (const c of all) {
      const diff = distanceDifference(initedTile(kernel, DTYPE_FP16, c.dim), c, sink);
      if (diff) return diff;
    }
    return undefined;
  });
}

/** Repeated code vectors under descending ids: the merge must keep the lower id of a tie. */
function topkDifference(kernel: LoadedKernel, prng: CaseRandom, sink: Sink): string | undefined {
  const c = randomCase(prng, [64, 8, 4]);
  const vb = pq6VectorBytes(c.m);
  const count = Math.min(c.count, 60) + 4;
  const codes = new Uint8Array(count * vb);
  codes.set(c.codes.subarray(0, (count - 4) * vb));
  for (let i = 0; i < 4; i++) codes.copyWithin((count - 4 + i) * vb, i * vb, (i + 1) * vb); // ties with vectors 0..3
  const tile = initedTile(kernel, DTYPE_FP16, c.dim);
  const built = buildTable(tile, c);
  if (built) return built;
  tile.bytes.set(codes, CODES_PTR);
  const s = tile.call('rvf_pq_distances', CODES_PTR, count, OUT_PTR);
  if (s !== OK) return `top-K: rvf_pq_distances expected OK got ${statusName(s)}`;
  const ids = BigUint64Array.from({ length: count }, (_, i) => BigInt(10_000 - i));
  const idsPtr = OUT_PTR + 4 * count;
  tile.bytes.set(new Uint8Array(ids.buffer), idsPtr);
  const merged = tile.call('rvf_topk_merge', OUT_PTR, idsPtr, count, 16);
  if (merged !== OK) return `top-K: rvf_topk_merge expected OK got ${statusName(merged)}`;
  const bits = new Uint32Array(tile.memory.buffer.slice(OUT_PTR, OUT_PTR + 4 * count));
  const want = referenceTopK(Array.from({ length: count }, (_, i) => ({ id: ids[i]!, distBits: bits[i]! })), 16);
  sink(tile.bytes.slice(RESULT_PTR, RESULT_PTR + 16 * RESULT_ENTRY_BYTES));
  for (let i = 0; i < want.length; i++) {
    const id = tile.view.getBigUint64(RESULT_PTR + i * RESULT_ENTRY_BYTES, true);
    if (id !== want[i]!.id) return `top-K entry ${i}: expected id ${want[i]!.id} got ${id}`;
  }
  return undefined;
}

export function pq6Checks(kernel: LoadedKernel, prng: CaseRandom, sink: Sink): CheckResult[] {
  if (pqCodeBits(kernel.image) !== 6) return [];
  return [
    distanceCheck(kernel, prng, sink),
    guardedCheck('PQ6 distances merged into the top-K (k 16, four exact ties under descending ids): the reference top-K, ties to the lower id', 1, () => topkDifference(kernel, prng, sink)),
  ];
}
