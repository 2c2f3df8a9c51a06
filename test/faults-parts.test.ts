import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { assembleWat } from '../tile/build/assemble.ts';
import { stripCustomSections } from '../tile/build/wasm-sections.ts';
import { HANG_IMAGE_BYTES, HANG_IMAGE_WAT, TRAP_IMAGE_BYTES, TRAP_IMAGE_WAT, faultImages } from '../sim/faults/fault-images.ts';
import { MAX_FAULT_RATE, parseKinds, parseRate } from '../sim/faults/fault-kinds.ts';
import { TileInstance } from '../tile/tile-instance.ts';
import { TileTrap } from '../tile/tile-trap.ts';

describe('corrupted code images', () => {
  it('are exactly what wabt assembles from their WAT', async () => {
    // The build keeps names for its size report; the images carry none.
    expect(stripCustomSections(await assembleWat(TRAP_IMAGE_WAT, { variant: 'trap', simd: false, optimize: false }))).toEqual(TRAP_IMAGE_BYTES);
    expect(stripCustomSections(await assembleWat(HANG_IMAGE_WAT, { variant: 'hang', simd: false, optimize: false }))).toEqual(HANG_IMAGE_BYTES);
  });

  it('trap with an out-of-bounds load, and hang until the watchdog stops them, on a tile\'s own memory', () => {
    const tile = new TileInstance(2, 'simd');
    const trap = new TileInstance(2, faultImages().trap, tile.memory);
    expect(() => trap.call('rvf_on_message')).toThrow(TileTrap);
    expect(() => trap.call('rvf_on_message')).toThrow(/memory-out-of-bounds/);
    const hang = new TileInstance(2, faultImages().hang, tile.memory);
    hang.fuelPerCall = 5_000;
    expect(() => hang.call('rvf_on_message')).toThrow(/budget-exceeded/);
    expect(hang.lastFuelUsed).toBe(5_001);
  });
});

describe('fault flags', () => {
  it('reads a decimal rate as an exact ratio, up to the limit and not past it', () => {
    expect(parseRate('0.1')).toEqual({ numerator: 1, denominator: 10 });
    expect(parseRate('0.025')).toEqual({ numerator: 25, denominator: 1000 });
    expect(parseRate('0')).toEqual({ numerator: 0, denominator: 1 });
    expect(parseRate(String(MAX_FAULT_RATE))).toEqual({ numerator: 25, denominator: 100 });
    expect(() => parseRate('0.26')).toThrow(/--rate 0.26 is above 0.25/);
    expect(() => parseRate('ten')).toThrow(/--rate 'ten' is not a decimal number/);
    expect(() => parseRate('-0.1')).toThrow(/not a decimal/);
  });

  it('reads the kinds list and names an unknown kind', () => {
    expect(parseKinds('trap,drop,trap')).toEqual(['trap', 'drop']);
    expect(() => parseKinds('trap,gremlins')).toThrow("--kinds: unknown fault 'gremlins'; the kinds are trap, hang, corrupt, drop, slow, death, bitflip");
    expect(() => parseKinds('')).toThrow(/--kinds is empty/);
  });

  it('makes the CLI answer a bad fault flag with one line and a non-zero exit', () => {
    for (const args of [['--rate', '0.9'], ['--kinds', 'meteor']]) {
      let stderr = '';
      let status = 0;
      try {
        execFileSync('node', ['sim/cli/cogsim.js', 'faults', ...args, '--queries', '1', '--vectors', '100', '--dim', '8'], { encoding: 'utf8', stdio: 'pipe' });
      } catch (err) {
        const e = err as { status: number; stderr: string };
        status = e.status;
        stderr = e.stderr;
      }
      expect(status).not.toBe(0);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/^cogsim: --(rate|kinds)/);
    }
  });
});
