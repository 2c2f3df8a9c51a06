// Conformance of the Hot image's LZ4 decoder (rvf_lz4_decompress, wat/hot/20-lz4.wat)
// against tile/reference/lz4.ts: random valid blocks built sequence by sequence (literal
// runs, matches of every offset the window allows, overlapping ones, length extensions,
// the end rules at their limits, a dictionary before the output), then the same blocks
// corrupted. The kernel must give the reference's status and bytes and, when it refuses,
// write nothing. A Core kernel has no LZ4 decoder: the group adds no check for it.
import { BLOCK_PTR, LZ4_LAST_LITERALS, LZ4_MFLIMIT, LZ4_MIN_MATCH } from '../../wat/layout.ts';
import { OK, statusName } from '../../wat/status.ts';
import { lz4DecodeReference } from '../reference/lz4.ts';
import { TileInstance } from '../tile-instance.ts';
import type { LoadedKernel } from '../kernel-module.ts';
import type { CaseRandom } from './cases.ts';
import { guardedCheck, type CheckResult, type Sink } from './check-kit.ts';

const SRC_PTR = BLOCK_PTR + 0x8000; // the block's bytes sit above the output region
const WINDOW_PTR = BLOCK_PTR;
const VALID_CASES = 120;
const CORRUPT_CASES = 300;

interface Lz4Case {
  block: Uint8Array;
  size: number;
  dict: Uint8Array;
}

function pushLength(out: number[], n: number): void {
  for (; n >= 255; n -= 255) out.push(255);
  out.push(n);
}

/** A valid LZ4 block of `size` decoded bytes, matches reaching into `dict` too. */
export function randomLz4Block(prng: CaseRandom, size: number, dict: Uint8Array): Uint8Array {
  const block: number[] = [];
  let produced = 0;
  const alphabet = prng.nextInt(1, 256); // small alphabets make runs the matches then extend
  for (;;) {
    const remaining = size - produced;
    const history = dict.length + produced;
    if (remaining < LZ4_MFLIMIT + 1 || prng.nextInt(0, 7) === 0) {
      block.push((Math.min(remaining, 15) << 4));
      if (remaining >= 15) pushLength(block, remaining - 15);
      for (let i = 0; i < remaining; i++) block.push(prng.nextInt(0, alphabet - 1));
      return Uint8Array.from(block);
    }
    // Literals end at most MFLIMIT before the end; at least one when there is no history.
    const literals = prng.nextInt(history === 0 ? 1 : 0, Math.min(remaining - LZ4_MFLIMIT, prng.nextInt(0, 3) === 0 ? 600 : 20));
    const room = remaining - literals - LZ4_LAST_LITERALS;
    const length = prng.nextInt(LZ4_MIN_MATCH, Math.min(room, prng.nextInt(0, 3) === 0 ? 700 : 24));
    const offset = prng.nextInt(1, Math.min(0xffff, history + literals, prng.nextInt(0, 1) === 0 ? 8 : 0xffff));
    block.push((Math.min(literals, 15) << 4) | Math.min(length - LZ4_MIN_MATCH, 15));
    if (literals >= 15) pushLength(block, literals - 15);
    for (let i = 0; i < literals; i++) block.push(prng.nextInt(0, alphabet - 1));
    block.push(offset & 0xff, offset >>> 8);
    if (length - LZ4_MIN_MATCH >= 15) pushLength(block, length - LZ4_MIN_MATCH - 15);
    produced += literals + length;
  }
}

function randomCase(prng: CaseRandom): Lz4Case {
  const dict = Uint8Array.from({ length: prng.nextInt(0, 3) === 0 ? prng.nextInt(1, 3000) : 0 }, () => prng.nextInt(0, 255));
  const size = prng.nextInt(0, 3) === 0 ? prng.nextInt(0, 40) : prng.nextInt(0, 12_000);
  return { block: randomLz4Block(prng, size, dict), size, dict };
}

/** One random corruption: bytes changed, a cut, bytes inserted, or a wrong size. */
function corrupt(prng: CaseRandom, c: Lz4Case): Lz4Case {
  const b = Array.from(c.block);
  let size = c.size;
  const kind = prng.nextInt(0, 3);
  if (kind === 0) for (let k = prng.nextInt(1, 3); k > 0; k--) b[prng.nextInt(0, b.length - 1)] = prng.nextInt(0, 255);
  else if (kind === 1) b.length = prng.nextInt(0, b.length - 1);
  else if (kind === 2) b.splice(prng.nextInt(0, b.length), 0, prng.nextInt(0, 255));
  else size = Math.max(0, size + prng.nextInt(-9, 9));
  return { block: Uint8Array.from(b), size, dict: c.dict };
}

/** The kernel against the reference on one case; a string is the first difference. */
function compare(tile: TileInstance, c: Lz4Case, what: string, sink: Sink): string | undefined {
  const dst = WINDOW_PTR + c.dict.length;
  tile.bytes.set(c.dict, WINDOW_PTR);
  tile.bytes.set(c.block, SRC_PTR);
  const before = tile.bytes.slice(WINDOW_PTR, SRC_PTR);
  const status = tile.call('rvf_lz4_decompress', SRC_PTR, c.block.length, dst, c.size, WINDOW_PTR);
  const ref = lz4DecodeReference(c.block, c.size, c.dict);
  sink(`${status}`);
  if (status !== ref.status) return `${what} (${c.block.length} B block, ${c.size} B out, ${c.dict.length} B dictionary): kernel ${statusName(status)}, reference ${statusName(ref.status)} at sequence offset ${ref.at}`;
  const out = tile.bytes.subarray(dst, dst + c.size);
  if (status === OK) {
    sink(out);
    const at = out.findIndex((b, i) => b !== ref.bytes[i]);
    if (at >= 0) return `${what}: decoded byte ${at} is ${out[at]}, the reference's ${ref.bytes[at]}`;
  } else {
    const after = tile.bytes.subarray(WINDOW_PTR, SRC_PTR);
    const at = after.findIndex((b, i) => b !== before[i]);
    if (at >= 0) return `${what}: refused with ${statusName(status)} but wrote byte 0x${(WINDOW_PTR + at).toString(16)}`;
  }
  return undefined;
}

export function lz4Checks(kernel: LoadedKernel, prng: CaseRandom, sink: Sink): CheckResult[] {
  if (kernel.image !== 'hot') return [];
  const valid = Array.from({ length: VALID_CASES }, () => randomCase(prng));
  const corrupted = Array.from({ length: CORRUPT_CASES }, () => corrupt(prng, valid[prng.nextInt(0, valid.length - 1)]!));
  const tile = new TileInstance(0, kernel);
  return [
    guardedCheck('LZ4 blocks (random sequences, overlapping matches, dictionaries) decode as the reference decodes them', valid.length, () => {
      for (const [i, c] of valid.entries()) {
        const diff = compare(tile, c, `valid block ${i}`, sink);
        if (diff) return diff;
      }
      return undefined;
    }),
    guardedCheck('corrupted LZ4 blocks get the reference status and write nothing when refused', corrupted.length, () => {
      for (const [i, c] of corrupted.entries()) {
        const diff = compare(tile, c, `corrupted block ${i}`, sink);
        if (diff) return diff;
      }
      return undefined;
    }),
  ];
}
