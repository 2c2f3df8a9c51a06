// Malformed LZ4 blocks: each of the decoder's refusals on hand-made blocks, each limit on
// both sides, then seeded random corruption of valid blocks. The kernel must return the
// reference decoder's status, write nothing when it refuses, and never reach outside its
// ranges: the simd-strict build traps on any access outside the tile's windows, and the
// helper fails on any changed byte outside the output.
import { beforeAll, describe, expect, it } from 'vitest';
import { Prng } from '../hub/prng.ts';
import { lz4CompressBlock } from '../protocol/lz4-compress.ts';
import { lz4DecodeReference } from '../tile/reference/lz4.ts';
import type { LoadedKernel } from '../tile/kernel-module.ts';
import type { TileInstance } from '../tile/tile-instance.ts';
import { DATA_BASE, IO_PTR, MEMORY_BYTES, SCRATCH_BASE } from '../wat/layout.ts';
import * as S from '../wat/status.ts';
import { lz4Kernel } from './helpers/lz4-kernel.ts';
import { freshTile, kernelLz4 } from './helpers/lz4-tile.ts';
import { LZ4_SEED, lz4Corpus, napiCompress } from './lz4-fixtures.ts';

const BUILDS = [['simd', true], ['scalar', false]] as const;
const abcd = [0x61, 0x62, 0x63, 0x64];
const five = [1, 2, 3, 4, 5];
const eight = [1, 2, 3, 4, 5, 6, 7, 8];

/** name, block, decoded size, dictionary length, expected status (and the reference's `at`). */
const HAND_MADE: [string, number[], number, number, number, number][] = [
  ['offset 0', [0x40, ...abcd, 0, 0, 0x80, ...eight], 16, 0, S.ERR_LZ4_BAD_OFFSET, 0],
  ['offset 5 after 4 bytes of output (before the window)', [0x40, ...abcd, 5, 0, 0x80, ...eight], 16, 0, S.ERR_LZ4_BAD_OFFSET, 0],
  ['offset 5 after 4 bytes of output and 1 of dictionary (at the window)', [0x40, ...abcd, 5, 0, 0x80, ...eight], 16, 1, S.OK, 0],
  ['offset 6 after 4 bytes of output and 1 of dictionary', [0x40, ...abcd, 6, 0, 0x80, ...eight], 16, 1, S.ERR_LZ4_BAD_OFFSET, 0],
  ['offset 1 repeating one byte (overlapping)', [0x1c, 7, 1, 0, 0x50, ...five], 22, 0, S.OK, 0],
  ['literals past the declared size', [0x50, ...five], 4, 0, S.ERR_LZ4_OVERFLOW, 0],
  ['output short of the declared size', [0x50, ...five], 6, 0, S.ERR_LZ4_OVERFLOW, 0],
  ['literals exactly the declared size', [0x50, ...five], 5, 0, S.OK, 0],
  ['literals past the end of the block', [0x50, 1, 2, 3], 5, 0, S.ERR_LZ4_TRUNCATED, 0],
  ['an empty block', [], 0, 0, S.ERR_LZ4_TRUNCATED, 0],
  ['a literal length extension cut off', [0xf0], 100, 0, S.ERR_LZ4_TRUNCATED, 0],
  ['a literal length extension cut off after 255', [0xf0, 255], 1000, 0, S.ERR_LZ4_TRUNCATED, 0],
  ['a literal length claiming 1,290 bytes of a 6-byte block', [0xf0, 255, 255, 255, 255, 255, 0], 5000, 0, S.ERR_LZ4_TRUNCATED, 0],
  ['an offset cut off after one byte', [0x40, ...abcd, 4], 100, 0, S.ERR_LZ4_TRUNCATED, 0],
  ['a block ending right after a match', [0x40, ...abcd, 4, 0], 100, 0, S.ERR_LZ4_TRUNCATED, 7],
  ['a match length extension cut off', [0x4f, ...abcd, 4, 0], 100, 0, S.ERR_LZ4_TRUNCATED, 0],
  ['a match 12 bytes before the end and ending 5 before it (both limits)', [0x43, ...abcd, 4, 0, 0x50, ...five], 16, 0, S.OK, 0],
  ['a match ending 4 bytes before the end', [0x44, ...abcd, 4, 0, 0x40, ...abcd], 16, 0, S.ERR_LZ4_END_RULES, 0],
  ['a match starting 11 bytes before the end', [0x52, ...five, 4, 0, 0x50, ...five], 16, 0, S.ERR_LZ4_END_RULES, 0],
  ['a match starting 9 bytes before the end', [0x40, ...abcd, 4, 0, 0x50, ...five], 13, 0, S.ERR_LZ4_END_RULES, 0],
];

for (const [flavor, strict] of BUILDS) {
  describe(`malformed LZ4 on the hot-${flavor}${strict ? '-strict' : ''} build`, () => {
    let kernel: LoadedKernel;
    let tile: TileInstance;
    beforeAll(() => {
      kernel = lz4Kernel(flavor, strict).kernel;
      tile = freshTile(kernel);
    });

    for (const [name, block, size, dictBytes, status, at] of HAND_MADE) {
      it(`${name}: ${S.statusName(status)}, the reference agrees`, () => {
        const dict = Uint8Array.from({ length: dictBytes }, (_, i) => 0x70 + i);
        const ref = lz4DecodeReference(Uint8Array.from(block), size, dict);
        expect([ref.status, ref.at]).toEqual([status, at]);
        const run = kernelLz4(tile, Uint8Array.from(block), size, dict);
        expect(S.statusName(run.status)).toBe(S.statusName(status));
        if (status === S.OK) expect(Buffer.from(run.bytes).equals(Buffer.from(ref.bytes))).toBe(true);
      });
    }

    it('refuses ranges outside the tile, a window after the output and a source overlapping it, writing nothing', () => {
      const block = [0x50, ...five];
      tile.bytes.set(block, IO_PTR);
      const top = MEMORY_BYTES - 5;
      const cases: [string, number[], number][] = [
        ['output ending at the top of memory', [IO_PTR, 6, top, 5, top], S.OK],
        ['output one byte past the top of memory', [IO_PTR, 6, top + 1, 5, top + 1], S.ERR_BAD_POINTER],
        ['source one byte past the top of memory', [MEMORY_BYTES - 5, 6, SCRATCH_BASE, 5, SCRATCH_BASE], S.ERR_BAD_POINTER],
        ['source below the data window', [DATA_BASE - 1, 6, SCRATCH_BASE, 5, SCRATCH_BASE], S.ERR_BAD_POINTER],
        ['a source length that wraps', [IO_PTR, 0xffff_ffff, SCRATCH_BASE, 5, SCRATCH_BASE], S.ERR_BAD_POINTER],
        ['window after the output', [IO_PTR, 6, SCRATCH_BASE, 5, SCRATCH_BASE + 1], S.ERR_BAD_POINTER],
        ['window below the data window', [IO_PTR, 6, SCRATCH_BASE, 5, DATA_BASE - 1], S.ERR_BAD_POINTER],
        ['source inside the output', [IO_PTR, 6, IO_PTR + 2, 5, IO_PTR + 2], S.ERR_BAD_POINTER],
        ['source inside the window before the output', [IO_PTR, 6, IO_PTR + 100, 5, IO_PTR - 1], S.ERR_BAD_POINTER],
        ['source ending where the window starts', [IO_PTR, 6, IO_PTR + 6, 5, IO_PTR + 6], S.OK],
      ];
      for (const [name, args, status] of cases) {
        const before = tile.bytes.slice();
        const got = tile.call('rvf_lz4_decompress', ...(args as [number, number, number, number, number]));
        expect(S.statusName(got), name).toBe(S.statusName(status));
        if (status !== S.OK) expect(tile.bytes.findIndex((b, a) => b !== before[a]), name).toBe(-1);
      }
    });

    it('random corruption of valid blocks (seeded) gets the reference status and never reaches outside', () => {
      const seen = new Map<string, number>();
      const prng = new Prng(LZ4_SEED).derive(`lz4-fuzz`);
      const sources = lz4Corpus().filter((c) => c.data.length >= 13 && c.data.length <= 8192);
      for (let n = 0; n < 1500; n++) {
        const { data } = sources[prng.nextInt(0, sources.length - 1)]!;
        const valid = prng.chance(1, 2) ? napiCompress(data) : lz4CompressBlock(data);
        const { block, size, dictBytes } = corrupt(prng, valid, data.length);
        const dict = data.subarray(0, Math.min(dictBytes, data.length));
        const ref = lz4DecodeReference(block, size, dict);
        const run = kernelLz4(tile, block, size, dict);
        expect(S.statusName(run.status), `case ${n} (seed ${LZ4_SEED})`).toBe(S.statusName(ref.status));
        if (ref.status === S.OK) expect(Buffer.from(run.bytes).equals(Buffer.from(ref.bytes)), `case ${n}`).toBe(true);
        seen.set(S.statusName(ref.status), (seen.get(S.statusName(ref.status)) ?? 0) + 1);
      }
      // The corruption reached every refusal and still left some blocks valid.
      for (const name of ['OK', 'LZ4_TRUNCATED', 'LZ4_BAD_OFFSET', 'LZ4_OVERFLOW', 'LZ4_END_RULES']) expect(seen.get(name) ?? 0, name).toBeGreaterThan(10);
    });

    it('random bytes as a block (seeded) get the reference status', () => {
      const prng = new Prng(LZ4_SEED).derive('lz4-garbage');
      for (let n = 0; n < 500; n++) {
        const block = Uint8Array.from({ length: prng.nextInt(0, 64) }, () => prng.nextInt(0, 255));
        const size = prng.nextInt(0, 4096);
        const ref = lz4DecodeReference(block, size);
        expect(S.statusName(kernelLz4(tile, block, size).status), `case ${n}`).toBe(S.statusName(ref.status));
      }
    });
  });
}

/** One random corruption: bytes changed, a cut, bytes inserted, a wrong size or a dictionary. */
function corrupt(prng: Prng, valid: Uint8Array, size: number): { block: Uint8Array; size: number; dictBytes: number } {
  const block = Array.from(valid);
  let dictBytes = 0;
  switch (prng.nextInt(0, 4)) {
    case 0:
      for (let k = prng.nextInt(1, 4); k > 0; k--) block[prng.nextInt(0, block.length - 1)] = prng.nextInt(0, 255);
      break;
    case 1:
      block.length = prng.nextInt(0, block.length - 1);
      break;
    case 2:
      block.splice(prng.nextInt(0, block.length), 0, ...Array.from({ length: prng.nextInt(1, 3) }, () => prng.nextInt(0, 255)));
      break;
    case 3:
      size = Math.max(0, size + prng.nextInt(-20, 20));
      break;
    default:
      // A match offset changed to reach just past the output, or into a dictionary.
      dictBytes = prng.nextInt(0, 3);
      for (let k = prng.nextInt(1, 2); k > 0; k--) {
        const at = prng.nextInt(0, block.length - 1);
        block[at] = block[at]! ^ (1 << prng.nextInt(0, 7));
      }
  }
  return { block: Uint8Array.from(block), size, dictBytes };
}
