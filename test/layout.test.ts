// The memory map in wat/layout.ts is the one source of truth: the WAT names its constants
// (@NAME), never raw window addresses; the spec's regions sit inside their windows
// without overlapping; and what the TypeScript side writes at a layout address is what
// the kernel reads.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as L from '../wat/layout.ts';
import * as S from '../wat/status.ts';
import { WAT_DIR } from '../tile/build/paths.ts';
import { initTile, loadQuery } from '../tile/kernel-calls.ts';
import { f32Bits, fp16BitsToF32Bits } from '../tile/reference/fp16.ts';
import { encodeFp16, fp16BitsToBytes, paddedElements } from '../tile/reference/vector-layout.ts';
import { TileInstance } from '../tile/tile-instance.ts';

// The Core image's files and the Hot image's own (wat/hot/), as paths under wat/.
const watFiles = [
  ...readdirSync(WAT_DIR).filter((f) => f.endsWith('.wat')).sort(),
  ...readdirSync(join(WAT_DIR, 'hot')).filter((f) => f.endsWith('.wat')).sort().map((f) => `hot/${f}`),
];
const stripComments = (text: string): string => text.replace(/\(;[\s\S]*?;\)/g, '').replace(/;;.*$/gm, '');

/** Numeric masks applied to a flags value (a `$flags` local or a `*_FLAGS` byte) on one line. */
function rawFlagMasks(line: string): string[] {
  const flags = String.raw`\((?:local\.get \$flags|i32\.load8_u offset=@[A-Z]+_FLAGS \(i32\.const @[A-Z_]+\))\)`;
  const literal = String.raw`\(i32\.const -?(?:0x[0-9a-fA-F]+|\d+)\)`;
  const pattern = new RegExp(String.raw`\(i32\.and (?:${flags} (${literal})|(${literal}) ${flags})\)`, 'g');
  return [...line.matchAll(pattern)].map((m) => (m[1] ?? m[2])!);
}

describe('the WAT sources use the layout by name', () => {
  it('defines every @NAME used in wat/ in layout.ts or status.ts', () => {
    // @IMG_* names take each image's value (IMAGE_LAYOUT); both images define every one.
    expect(Object.keys(L.IMAGE_LAYOUT.hot).sort()).toEqual(Object.keys(L.IMAGE_LAYOUT.core).sort());
    const defined = new Set([...Object.keys(L), ...Object.keys(S), ...Object.keys(L.IMAGE_LAYOUT.core)]);
    const missing: string[] = [];
    for (const f of watFiles) {
      for (const m of readFileSync(join(WAT_DIR, f), 'utf8').matchAll(/@([A-Z][A-Z0-9_]*)/g)) {
        if (!defined.has(m[1]!)) missing.push(`${f}: @${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  // Addresses live at 0xE000 and above; a hex literal in that range is a raw window
  // address (or an offset written as one). Larger hex values are bit patterns such as
  // the CRC32C polynomial, which are not addresses and stay readable in hex.
  it('has no raw hex literal in the window address range [0xE000, 0x20000] in wat/*.wat code', () => {
    const raw: string[] = [];
    for (const f of watFiles) {
      stripComments(readFileSync(join(WAT_DIR, f), 'utf8')).split('\n').forEach((line, i) => {
        for (const m of line.matchAll(/(?<![\w.])-?0x([0-9a-fA-F_]+)(?![\w.])/g)) {
          const value = parseInt(m[1]!.replace(/_/g, ''), 16);
          if (value >= L.DATA_BASE && value <= L.MEMORY_BYTES) raw.push(`${f}:${i + 1}: ${m[0]}`);
        }
      });
    }
    expect(raw).toEqual([]);
  });

  // A flag mask is a name (@LB_F_FINAL, @LB_F_FINAL_STAGE_MASK), never a number: the
  // dispatcher once tested `(i32.and flags (i32.const 10))`, which nobody could read.
  it('masks every flags byte with a named constant, never a numeric literal', () => {
    const raw: string[] = [];
    for (const f of watFiles) {
      stripComments(readFileSync(join(WAT_DIR, f), 'utf8')).split('\n').forEach((line, i) => {
        for (const hit of rawFlagMasks(line)) raw.push(`${f}:${i + 1}: ${hit}`);
      });
    }
    expect(raw).toEqual([]);
  });

  it('catches a raw flag mask in a sample line (the check can fail)', () => {
    expect(rawFlagMasks('(i32.and (local.get $flags) (i32.const 10))')).toEqual(['(i32.const 10)']);
    expect(rawFlagMasks('(i32.and (i32.load8_u offset=@LB_FLAGS (i32.const @MSG_PAYLOAD_PTR)) (i32.const 5))')).toEqual(['(i32.const 5)']);
    expect(rawFlagMasks('(i32.and (local.get $flags) (i32.const @LB_F_FINAL))')).toEqual([]);
  });

  it('catches a raw address in a sample line (the check can fail)', () => {
    const sample = '(i32.store (i32.const 0xE040) (local.get $v)) ;; 0xF000 in a comment is fine';
    const hits = [...stripComments(sample).matchAll(/(?<![\w.])-?0x([0-9a-fA-F_]+)(?![\w.])/g)].map((m) => parseInt(m[1]!, 16));
    expect(hits).toEqual([0xe040]);
  });
});

type Region = { name: string; start: number; bytes: number };

const dataRegions: Region[] = [
  { name: 'config', start: L.CONFIG_PTR, bytes: L.CONFIG_BYTES },
  { name: 'state', start: L.STATE_PTR, bytes: L.STATE_BYTES },
  { name: 'result', start: L.RESULT_PTR, bytes: L.RESULT_BYTES },
  { name: 'routing', start: L.ROUTING_PTR, bytes: L.ROUTING_BYTES },
  { name: 'decode', start: L.DECODE_PTR, bytes: L.DECODE_BYTES },
  { name: 'io', start: L.IO_PTR, bytes: L.IO_BYTES },
  { name: 'neighbor', start: L.NEIGHBOR_PTR, bytes: L.NEIGHBOR_BYTES },
];
const scratchRegions: Region[] = [
  { name: 'block', start: L.BLOCK_PTR, bytes: L.BLOCK_BYTES },
  { name: 'accum', start: L.ACCUM_PTR, bytes: L.ACCUM_BYTES },
  { name: 'hot', start: L.HOT_PTR, bytes: L.HOT_BYTES },
  { name: 'spill', start: L.SPILL_PTR, bytes: L.SPILL_BYTES },
];
const accumParts: Region[] = [
  { name: 'dist', start: L.DIST_PTR, bytes: L.MAX_BLOCK_VECTORS * 4 },
  { name: 'ids', start: L.IDS_PTR, bytes: L.MAX_BLOCK_VECTORS * 8 },
  { name: 'sq', start: L.SQ_PTR, bytes: L.SQ_BYTES },
  { name: 'pq-table', start: L.PQ_TABLE_PTR, bytes: L.PQ_TABLE_BYTES },
];
const spillParts: Region[] = [
  { name: 'query', start: L.QUERY_PTR, bytes: L.QUERY_BYTES },
  { name: 'temp', start: L.TEMP_PTR, bytes: L.TEMP_BYTES },
];

function expectTiled(regions: Region[], start: number, bytes: number, exact: boolean): void {
  const sorted = [...regions].sort((a, b) => a.start - b.start);
  let cursor = start;
  for (const r of sorted) {
    expect(r.start, `${r.name} starts after the previous region`).toBeGreaterThanOrEqual(cursor);
    if (exact) expect(r.start, `${r.name} follows the previous region`).toBe(cursor);
    cursor = r.start + r.bytes;
  }
  expect(cursor, 'last region ends inside the window').toBeLessThanOrEqual(start + bytes);
  if (exact) expect(cursor).toBe(start + bytes);
}

describe('the memory map', () => {
  it('puts the data window right below the scratch window, ending at the end of memory', () => {
    expect(L.DATA_BASE + L.DATA_BYTES).toBe(L.SCRATCH_BASE);
    expect(L.SCRATCH_BASE + L.SCRATCH_BYTES).toBe(L.MEMORY_BYTES);
  });
  it("tiles the data window with the spec's seven regions", () => expectTiled(dataRegions, L.DATA_BASE, L.DATA_BYTES, true));
  it("tiles the scratch window with the spec's four regions", () => expectTiled(scratchRegions, L.SCRATCH_BASE, L.SCRATCH_BYTES, true));
  it('keeps distances, ids, SQ params and PQ tables apart inside the accumulator region', () => expectTiled(accumParts, L.ACCUM_PTR, L.ACCUM_BYTES, false));
  it('keeps the query and the temporary area apart inside the spill region', () => expectTiled(spillParts, L.SPILL_PTR, L.SPILL_BYTES, true));
  it('has room in the spill for the largest decoded query of every dtype', () => {
    expect(paddedElements(L.DTYPE_FP16, L.MAX_DIM_FP16) * 4).toBeLessThanOrEqual(L.QUERY_BYTES);
    expect(paddedElements(L.DTYPE_I8, L.MAX_DIM_I8)).toBeLessThanOrEqual(L.QUERY_BYTES);
    expect(paddedElements(L.DTYPE_BITS, L.MAX_DIM_BITS)).toBeLessThanOrEqual(L.TEMP_BYTES);
    expect(L.MAX_DIM_FP16 * 2).toBeLessThanOrEqual(L.TEMP_BYTES); // the raw query is staged in TEMP
  });
  it("puts the Hot image's query in the block region's last 4 KB, with room for 1,024 fp16 dims as f32 and their raw staging", () => {
    expect(L.HOT_IMAGE_QUERY_PTR).toBe(L.BLOCK_PTR + L.HOT_IMAGE_BLOCK_BYTES);
    expect(L.HOT_IMAGE_QUERY_PTR + L.HOT_IMAGE_QUERY_BYTES).toBe(L.BLOCK_PTR + L.BLOCK_BYTES);
    expect(paddedElements(L.DTYPE_FP16, L.HOT_IMAGE_MAX_DIM_FP16) * 4).toBe(L.HOT_IMAGE_QUERY_BYTES);
    expect(L.HOT_IMAGE_QUERY_STAGE_PTR + L.HOT_IMAGE_MAX_DIM_FP16 * 2).toBe(L.HOT_IMAGE_QUERY_PTR + L.HOT_IMAGE_QUERY_BYTES);
    expect(L.HOT_IMAGE_MAX_DIM_FP16 * 2).toBeLessThanOrEqual(L.TEMP_BYTES); // rvf_load_query stages the raw query in TEMP
    // A block of 1,024-dim vectors with explicit ids still fits the Hot block region.
    expect(Math.floor(L.HOT_IMAGE_BLOCK_BYTES / (L.HOT_IMAGE_MAX_DIM_FP16 * 2 + 8))).toBe(13);
    expect(L.LB_DEQUANT_STAGE_PTR).toBeLessThan(L.BLOCK_PTR + L.HOT_IMAGE_BLOCK_BYTES);
  });
  it('keeps the kernel state fields inside the 192 B state region', () => {
    const fields = Object.entries(L).filter(([n]) => n.startsWith('ST_')) as [string, number][];
    for (const [name, offset] of fields) expect(offset + 8, name).toBeLessThanOrEqual(L.STATE_BYTES);
    const cfg = Object.entries(L).filter(([n]) => n.startsWith('CFG_')) as [string, number][];
    for (const [name, offset] of cfg) expect(offset + 4, name).toBeLessThanOrEqual(L.CONFIG_BYTES);
  });
  it('puts the work counters in the state region, past every state field, eight u32s in 32 B', () => {
    const fields = Object.entries(L).filter(([n]) => n.startsWith('ST_') && n !== 'ST_WORK') as [string, number][];
    const lastFieldEnd = Math.max(...fields.map(([name, offset]) => offset + (name === 'ST_BLOCK_FIRST_ID' || name === 'ST_NEIGHBOR_NODE' || name === 'ST_CUR_ID' ? 8 : 4)));
    expect(L.WORK_PTR).toBe(L.STATE_PTR + L.ST_WORK);
    expect(L.ST_WORK).toBeGreaterThanOrEqual(lastFieldEnd);
    expect(L.ST_WORK + L.WORK_BYTES).toBeLessThanOrEqual(L.STATE_BYTES);
    const wk = Object.entries(L).filter(([n]) => n.startsWith('WK_')).map(([, v]) => v as number).sort((a, b) => a - b);
    expect(wk).toEqual([0, 4, 8, 12, 16, 20, 24, 28]);
    expect(L.WORK_PTR % 4).toBe(0);
  });
  it('fits the top-K buffer exactly: 16 entries of 16 B', () => {
    expect(L.TOPK_MAX * L.RESULT_ENTRY_BYTES).toBe(L.RESULT_BYTES);
  });
});

describe('what the host writes at a layout address is what the kernel reads', () => {
  for (const build of ['simd', 'scalar'] as const) {
    it(`the config dtype and dim bytes drive rvf_load_query and rvf_load_block (${build})`, () => {
      const tile = new TileInstance(0, build);
      tile.view.setUint8(L.CONFIG_PTR + L.CFG_DTYPE, L.DTYPE_I8);
      expect(tile.call('rvf_load_query', L.IO_PTR, 700)).toBe(S.OK); // i8 allows 768
      expect(tile.view.getUint32(L.STATE_PTR + L.ST_QUERY_DTYPE, true)).toBe(L.DTYPE_I8);
      expect(tile.view.getUint32(L.STATE_PTR + L.ST_QUERY_PADDED, true)).toBe(704);
      tile.view.setUint8(L.CONFIG_PTR + L.CFG_DTYPE, L.DTYPE_FP16);
      expect(tile.call('rvf_load_query', L.IO_PTR, 700)).toBe(S.ERR_BAD_DIM); // fp16 allows 384
      tile.view.setUint16(L.CONFIG_PTR + L.CFG_DIM, 9, true);
      expect(tile.call('rvf_load_block', L.BLOCK_PTR, 1, L.DTYPE_FP16)).toBe(S.OK);
      expect(tile.view.getUint32(L.STATE_PTR + L.ST_BLOCK_STRIDE, true)).toBe(32);
    });

    it(`rvf_load_query decodes into QUERY_PTR wherever the raw query sits, even overlapping its outputs (${build})`, () => {
      const tile = new TileInstance(0, build);
      expect(initTile(tile, { dtype: L.DTYPE_FP16, dim: 13 })).toBe(S.OK);
      const halves = [0x3c00, 0x0001, 0x7c01, 0xfc00, 0x8000, 0x03ff, 0x7bff, 0xc000, 0x3555, 0x7e00, 0x0400, 0xabcd, 0x1234];
      const raw = fp16BitsToBytes(halves);
      const expected = [...halves.map(fp16BitsToF32Bits), 0, 0, 0];
      const qq = Math.fround(Math.sqrt(Math.fround(1)));
      for (const at of [L.IO_PTR, L.QUERY_PTR, L.QUERY_PTR + 6, L.TEMP_PTR, L.TEMP_PTR - 10, L.BLOCK_PTR, L.MEMORY_BYTES - raw.length]) {
        tile.bytes.fill(0xa5, L.QUERY_PTR, L.QUERY_PTR + 64);
        expect(loadQuery(tile, L.DTYPE_FP16, raw, 13, at)).toBe(S.OK);
        const got = Array.from({ length: 16 }, (_, i) => tile.view.getUint32(L.QUERY_PTR + i * 4, true));
        expect(got, `query at 0x${at.toString(16)}`).toEqual(expected);
        expect(tile.view.getUint32(L.STATE_PTR + L.ST_QUERY_DIM, true)).toBe(13);
        expect(tile.view.getUint32(L.STATE_PTR + L.ST_QUERY_PADDED, true)).toBe(16);
      }
      // ST_QUERY_NORM holds sqrt(qq) in f32: a query of one 1.0 has norm 1.
      expect(loadQuery(tile, L.DTYPE_FP16, encodeFp16([1, ...new Array(12).fill(0)]), 13)).toBe(S.OK);
      expect(tile.view.getUint32(L.STATE_PTR + L.ST_QUERY_NORM, true)).toBe(f32Bits(qq));
    });
  }
});
