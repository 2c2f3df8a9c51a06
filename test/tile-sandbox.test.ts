import { describe, expect, it } from 'vitest';
import { assembleWat } from '../tile/build/assemble.ts';
import { instrumentBinary } from '../tile/build/binary-instrument.ts';
import { stripCustomSections } from '../tile/build/wasm-sections.ts';
import { compileKernel, KernelRejectedError } from '../tile/kernel-module.ts';
import { TileInstance } from '../tile/tile-instance.ts';
import { TileTrap } from '../tile/tile-trap.ts';
import { DATA_BASE, MEMORY_BYTES } from '../wat/layout.ts';

// A hostile or buggy kernel: assembled, then instrumented as a binary like any user's kernel.
async function rogue(body: string, opts: { strict: boolean; fuel: boolean }) {
  const plain = await assembleWat(`(module (import "tile" "memory" (memory 2 2)) ${body})`, { variant: 'rogue', simd: true, optimize: false });
  const bytes = opts.strict || opts.fuel ? instrumentBinary('rogue', plain, opts) : plain;
  return compileKernel('rogue', bytes, false);
}

const PEEK = '(func (export "peek") (param $a i32) (result i32) (i32.load (local.get $a)))';
const SPIN = '(func (export "spin") (param $n i32) (result i32) (loop $l (local.set $n (i32.add (local.get $n) (i32.const 1))) (br $l)) (local.get $n))';
// A counted loop (pointer from $p to $end by 4): charged once on entry, not per iteration.
const WALK =
  '(func (export "walk") (param $p i32) (param $end i32) (result i32) (local $s i32)' +
  ' (loop $l (local.set $s (i32.add (local.get $s) (i32.const 1)))' +
  ' (br_if $l (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 4))) (local.get $end)))) (local.get $s))';
// The same shape, but the body also moves the bound: it must be charged per iteration.
const WALK_MOVING_END =
  '(func (export "walk") (param $p i32) (param $end i32) (result i32) (local $s i32)' +
  ' (loop $l (local.set $s (i32.add (local.get $s) (i32.const 1))) (local.set $end (i32.add (local.get $end) (i32.const 4)))' +
  ' (br_if $l (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 4))) (local.get $end)))) (local.get $s))';

function callRaw(tile: TileInstance, name: string, ...args: number[]): number {
  return (tile.call as (n: string, ...a: number[]) => number)(name, ...args);
}

describe('tile sandbox', () => {
  it('gives a tile a memory of exactly two pages that cannot grow', async () => {
    const tile = new TileInstance(0, await rogue(PEEK, { strict: false, fuel: false }));
    expect(tile.memory.buffer.byteLength).toBe(MEMORY_BYTES);
    expect(() => tile.memory.grow(1)).toThrow(RangeError);
  });

  it('lets a non-strict kernel read the hole below the data window, but the strict build traps naming the address', async () => {
    const loose = new TileInstance(1, await rogue(PEEK, { strict: false, fuel: false }));
    expect(callRaw(loose, 'peek', 0x100)).toBe(0);
    const strict = new TileInstance(3, await rogue(PEEK, { strict: true, fuel: false }));
    let trap: unknown;
    try {
      callRaw(strict, 'peek', 0x100);
    } catch (err) {
      trap = err;
    }
    expect(trap).toBeInstanceOf(TileTrap);
    expect((trap as TileTrap).kind).toBe('window-violation');
    expect((trap as TileTrap).address).toBe(0x100);
    expect((trap as TileTrap).message).toMatch(/^tile 3: window-violation in peek: access at 0x100 is outside the data window/);
  });

  it('allows the strict build the first byte of the data window and the last word of scratch', async () => {
    const strict = new TileInstance(0, await rogue(PEEK, { strict: true, fuel: false }));
    expect(() => callRaw(strict, 'peek', DATA_BASE)).not.toThrow();
    expect(() => callRaw(strict, 'peek', MEMORY_BYTES - 4)).not.toThrow();
    expect(() => callRaw(strict, 'peek', DATA_BASE - 1)).toThrow(/window-violation/);
  });

  it('reports a read running past the end of the scratch window as a window violation with its address', async () => {
    const tile = new TileInstance(0, await rogue(PEEK, { strict: true, fuel: false }));
    expect(() => callRaw(tile, 'peek', MEMORY_BYTES - 3)).toThrow(/window-violation in peek: access at 0x1fffd /);
    const loose = new TileInstance(0, await rogue(PEEK, { strict: false, fuel: false }));
    expect(() => callRaw(loose, 'peek', MEMORY_BYTES - 3)).toThrow(/memory-out-of-bounds/);
  });

  it('stops a spinning kernel after exactly its fuel budget, every time', async () => {
    const tile = new TileInstance(5, await rogue(SPIN, { strict: false, fuel: true }));
    tile.fuelPerCall = 1000;
    for (let run = 0; run < 2; run++) {
      let trap: TileTrap | undefined;
      try {
        callRaw(tile, 'spin', 0);
      } catch (err) {
        trap = err as TileTrap;
      }
      expect(trap?.kind).toBe('budget-exceeded');
      expect(tile.lastFuelUsed).toBe(1001);
    }
  });

  it('charges a counted loop its whole trip count on entry, and stops a corrupted bound at once', async () => {
    const tile = new TileInstance(6, await rogue(WALK, { strict: false, fuel: true }));
    tile.fuelPerCall = 1000;
    expect(callRaw(tile, 'walk', 0, 400)).toBe(100);
    expect(tile.lastFuelUsed).toBe(101); // 1 + (400 - 0) / 4, charged before the first iteration
    expect(callRaw(tile, 'walk', 0, 3_996)).toBe(999);
    expect(() => callRaw(tile, 'walk', 0, 4_000)).toThrow(/budget-exceeded/); // 1,001 > 1,000
    expect(() => callRaw(tile, 'walk', 0, 0x7fffffff)).toThrow(/budget-exceeded/);
    expect(tile.lastFuelUsed).toBe(1001); // trapped on entry: no iteration ran
    expect(callRaw(tile, 'walk', 400, 0)).toBe(1); // a bound already passed: one pass, one unit
  });

  it('charges per iteration when a loop body moves its own bound', async () => {
    const tile = new TileInstance(7, await rogue(WALK_MOVING_END, { strict: false, fuel: true }));
    tile.fuelPerCall = 1000;
    expect(() => callRaw(tile, 'walk', 0, 8)).toThrow(/budget-exceeded/);
    expect(tile.lastFuelUsed).toBe(1001);
  });

  it('traps an access that starts in the hole and runs into the data window, naming its first byte', async () => {
    const strict = new TileInstance(4, await rogue(PEEK, { strict: true, fuel: false }));
    expect(() => callRaw(strict, 'peek', DATA_BASE - 2)).toThrow(`access at 0x${(DATA_BASE - 2).toString(16)} is outside`);
  });

  it('checks bulk memory operations over their whole run-time range', async () => {
    const FILL = '(func (export "fill") (param $d i32) (param $n i32) (result i32) (memory.fill (local.get $d) (i32.const 7) (local.get $n)) (i32.const 0))';
    const COPY = '(func (export "copy") (param $d i32) (param $s i32) (param $n i32) (result i32) (memory.copy (local.get $d) (local.get $s) (local.get $n)) (i32.const 0))';
    const fill = new TileInstance(0, await rogue(FILL, { strict: true, fuel: false }));
    expect(callRaw(fill, 'fill', DATA_BASE, MEMORY_BYTES - DATA_BASE)).toBe(0); // both windows, exactly
    expect(fill.bytes[MEMORY_BYTES - 1]).toBe(7);
    expect(() => callRaw(fill, 'fill', DATA_BASE, MEMORY_BYTES - DATA_BASE + 1)).toThrow(/window-violation in fill: access at 0xe000 /);
    expect(() => callRaw(fill, 'fill', 0x100, 4)).toThrow(/window-violation in fill: access at 0x100 /);
    const copy = new TileInstance(0, await rogue(COPY, { strict: true, fuel: false }));
    expect(callRaw(copy, 'copy', DATA_BASE + 64, DATA_BASE, 64)).toBe(0);
    expect(() => callRaw(copy, 'copy', DATA_BASE, 0x40, 8)).toThrow(/window-violation in copy: access at 0x40 /); // reading the hole
  });

  it('charges a count-down loop its count on entry, and a zero count (2^32 turns) stops at once', async () => {
    const DOWN = '(func (export "down") (param $n i32) (result i32) (local $s i32) (loop $l (local.set $s (i32.add (local.get $s) (i32.const 1))) (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))) (local.get $s))';
    const tile = new TileInstance(8, await rogue(DOWN, { strict: false, fuel: true }));
    tile.fuelPerCall = 1000;
    expect(callRaw(tile, 'down', 10)).toBe(10);
    expect(tile.lastFuelUsed).toBe(10);
    expect(() => callRaw(tile, 'down', 0)).toThrow(/budget-exceeded/);
    expect(() => callRaw(tile, 'down', 1001)).toThrow(/budget-exceeded/);
  });

  it('refuses to instrument a module that already exports the instrumentation', async () => {
    const plain = await assembleWat('(module (global (export "rvf_mpu_fault") (mut i32) (i32.const 0)))', { variant: 'fake', simd: false, optimize: false });
    expect(() => instrumentBinary('fake', plain, { strict: true, fuel: true })).toThrow('kernel fake: cannot instrument: it already exports rvf_mpu_fault (give the plain build; cogsim adds the checks)');
  });

  it('refuses a kernel that declares its own memory', async () => {
    const bytes = await assembleWat('(module (memory 4) (func (export "f")))', { variant: 'own-memory', simd: true, optimize: false });
    expect(() => compileKernel('own-memory', bytes, true)).toThrow(KernelRejectedError);
    expect(() => compileKernel('own-memory', bytes, true)).toThrow(/declares its own memory/);
  });

  it('refuses a kernel that imports anything but the tile memory', async () => {
    const bytes = await assembleWat('(module (import "tile" "memory" (memory 2 2)) (import "env" "peek" (func (param i32))))', {
      variant: 'importer',
      simd: true,
      optimize: false,
    });
    expect(() => compileKernel('importer', bytes, true)).toThrow(/imports tile.memory, env.peek; a tile kernel imports only tile.memory/);
  });

  it('refuses a budgeted kernel one byte over 8,192 B and accepts one at the limit', async () => {
    const pad = (n: number) => `(module (import "tile" "memory" (memory 2 2)) (data (i32.const ${DATA_BASE}) "${'a'.repeat(n)}"))`;
    const base = (stripCustomSections(await assembleWat(pad(0), { variant: 'pad', simd: false, optimize: false }))).length;
    // A data segment of n bytes adds n plus a fixed header; find n so the module is 8,192 B.
    let n = 8192 - base - 8;
    let bytes = stripCustomSections(await assembleWat(pad(n), { variant: 'pad', simd: false, optimize: false }));
    n += 8192 - bytes.length;
    bytes = stripCustomSections(await assembleWat(pad(n), { variant: 'pad', simd: false, optimize: false }));
    expect(bytes.length).toBe(8192);
    expect(() => compileKernel('at-limit', bytes, true)).not.toThrow();
    const over = stripCustomSections(await assembleWat(pad(n + 1), { variant: 'pad', simd: false, optimize: false }));
    expect(() => compileKernel('over', over, true)).toThrow('kernel over: module is 8,193 B, a tile\'s code memory holds 8,192 B');
    // Custom sections (names) are not code: the same module with a name section still fits.
    const named = await assembleWat(pad(n), { variant: 'pad', simd: false, optimize: false });
    if (named.length > bytes.length) expect(() => compileKernel('named', named, true)).not.toThrow();
  });
});
