// The simulator's per-message kernel path (TileInstance.onMessage, the work counters read
// through the word view) against the general one (call('rvf_on_message'), the DataView
// reads): same results, same fuel, same trap kinds, in any order of calls on one instance.
import { describe, expect, it } from 'vitest';
import { assembleWat } from '../tile/build/assemble.ts';
import { instrumentBinary } from '../tile/build/binary-instrument.ts';
import { compileKernel } from '../tile/kernel-module.ts';
import { TileInstance } from '../tile/tile-instance.ts';
import { TileTrap } from '../tile/tile-trap.ts';
import { readWorkCounters, snapshotWorkCounters, WORK_SNAPSHOT_WORDS, workDelta, workDeltaSince } from '../tile/work-counters.ts';
import { zeroWorkCounts } from '../sim/message-cost.ts';
import { Prng } from '../hub/prng.ts';
import { DATA_BASE, IO_BYTES, IO_PTR, STATE_PTR, ST_LZ4_SEQUENCES, WORK_BYTES, WORK_PTR } from '../wat/layout.ts';

const MODE = DATA_BASE; // what the next message does (below)
const ADDRESS = DATA_BASE + 4; // the address mode 1 reads
const MESSAGE =
  '(func (export "rvf_on_message") (result i32) (local $n i32)' +
  ` (if (i32.eq (i32.load (i32.const ${MODE})) (i32.const 1)) (then (return (i32.load (i32.load (i32.const ${ADDRESS}))))))` +
  ` (if (i32.eq (i32.load (i32.const ${MODE})) (i32.const 2)) (then (loop $l (local.set $n (i32.add (local.get $n) (i32.const 1))) (br $l))))` +
  ` (if (i32.eq (i32.load (i32.const ${MODE})) (i32.const 3)) (then (unreachable)))` +
  ' (i32.const 42))';

async function kernel(strict: boolean, fuel: boolean) {
  const plain = await assembleWat(`(module (import "tile" "memory" (memory 2 2)) ${MESSAGE})`, { variant: 'msg', simd: false, optimize: false });
  return compileKernel('msg', strict || fuel ? instrumentBinary('msg', plain, { strict, fuel }) : plain, false);
}

type Outcome = { value: number } | { kind: string; message: string; address: number | undefined };

function outcome(run: () => number): Outcome {
  try {
    return { value: run() };
  } catch (err) {
    if (!(err instanceof TileTrap)) throw err;
    return { kind: err.kind, message: err.message, address: err.address };
  }
}

// [mode, address]: a plain answer, a read of the hole (window violation in the strict
// build), a hang (fuel builds only: without fuel it never ends), an unreachable, a read
// inside the window; each after each of the others.
const STEPS: [number, number][] = [[0, 0], [1, 0x100], [3, 0], [1, DATA_BASE + 64], [2, 0], [0, 0], [1, 0x100], [2, 0], [1, 0x100], [3, 0], [0, 0], [2, 0], [3, 0]];

describe('TileInstance.onMessage', () => {
  for (const [strict, fuel] of [[true, true], [true, false], [false, true], [false, false]] as const) {
    it(`gives what call('rvf_on_message') gives, fuel and trap kinds included (strict ${strict}, fuel ${fuel})`, async () => {
      const image = await kernel(strict, fuel);
      const byName = new TileInstance(1, image);
      const direct = new TileInstance(1, image);
      for (const tile of [byName, direct]) tile.fuelPerCall = 500;
      const kinds: string[] = [];
      for (const [mode, address] of STEPS.filter(([m]) => fuel || m !== 2)) {
        for (const tile of [byName, direct]) {
          tile.view.setUint32(MODE, mode, true);
          tile.view.setUint32(ADDRESS, address, true);
        }
        const a = outcome(() => byName.call('rvf_on_message'));
        const b = outcome(() => direct.onMessage());
        expect(b).toEqual(a);
        expect(direct.lastFuelUsed).toBe(byName.lastFuelUsed);
        kinds.push('value' in b ? String(b.value) : b.kind);
      }
      // The classification itself (a trap after a window violation is not one).
      const hole = strict ? 'window-violation' : '0';
      const hang = 'budget-exceeded';
      if (fuel) expect(kinds).toEqual(['42', hole, 'unreachable', '0', hang, '42', hole, hang, hole, 'unreachable', '42', hang, 'unreachable']);
      else expect(kinds).toEqual(['42', hole, 'unreachable', '0', '42', hole, hole, 'unreachable', '42', 'unreachable']);
      if (fuel) expect(direct.lastFuelUsed).toBe(0); // the last call, unreachable, loops nowhere
    }, 30_000);
  }

  it('spends fuel exactly as call does: a stop after exactly the budget', async () => {
    const tile = new TileInstance(2, await kernel(false, true));
    tile.fuelPerCall = 1_000;
    tile.view.setUint32(MODE, 2, true);
    expect(() => tile.onMessage()).toThrow(/budget-exceeded in rvf_on_message: ran past its budget of 1,000 loop iterations/);
    expect(tile.lastFuelUsed).toBe(1_001);
    tile.view.setUint32(MODE, 0, true);
    expect(tile.onMessage()).toBe(42);
    expect(tile.lastFuelUsed).toBe(0);
  });

  it('names the export when the image has none', async () => {
    const plain = await assembleWat('(module (import "tile" "memory" (memory 2 2)))', { variant: 'none', simd: false, optimize: false });
    const tile = new TileInstance(3, compileKernel('none', plain, false));
    expect(() => tile.onMessage()).toThrow('tile 3: kernel-trap in rvf_on_message: kernel none does not export rvf_on_message');
  });

  it('has its I/O buffer view over the I/O buffer', () => {
    const tile = new TileInstance(0, 'scalar');
    expect(tile.io.byteOffset).toBe(IO_PTR);
    expect(tile.io.length).toBe(IO_BYTES);
    expect(tile.io.buffer).toBe(tile.memory.buffer);
  });
});

describe('work counters through the word view', () => {
  it('give the delta readWorkCounters and workDelta give, wrapping included', () => {
    const tile = new TileInstance(0, 'scalar');
    const rng = new Prng(14);
    const snap = new Uint32Array(WORK_SNAPSHOT_WORDS);
    const word = () => (rng.nextFloat() < 0.3 ? 0xffffffff - Math.floor(rng.nextFloat() * 16) : Math.floor(rng.nextFloat() * 0x100000000)) >>> 0;
    const fill = () => {
      for (let at = WORK_PTR; at < WORK_PTR + WORK_BYTES; at += 4) tile.view.setUint32(at, word(), true);
      tile.view.setUint32(STATE_PTR + ST_LZ4_SEQUENCES, word(), true);
    };
    for (let round = 0; round < 200; round++) {
      fill();
      const before = readWorkCounters(tile);
      snapshotWorkCounters(tile.words, snap);
      fill();
      const expected = workDelta(before, readWorkCounters(tile));
      expect(workDeltaSince(tile.words, snap, zeroWorkCounts())).toEqual(expected);
    }
  });
});
