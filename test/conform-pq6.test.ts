import { beforeAll, describe, expect, it } from 'vitest';
import { Prng } from '../hub/prng.ts';
import { loadKernel, type LoadedKernel } from '../tile/kernel-module.ts';
import { pq6Checks } from '../tile/conformance/pq6-checks.ts';
import { runConformance } from '../tile/conformance/run-conformance.ts';
import { assembleHot, hotKernel } from './helpers/hot-pq6-kernel.ts';

const prng = () => new Prng(1).derive('conformance');
const sink = () => undefined;
let simd: LoadedKernel;
let scalar: LoadedKernel;

beforeAll(async () => {
  simd = await hotKernel('hot-simd');
  scalar = await hotKernel('hot-scalar');
}, 120_000);

describe('PQ6 conformance', () => {
  it('passes on both Hot builds, bit for bit', () => {
    for (const k of [simd, scalar]) {
      const checks = pq6Checks(k, prng(), sink);
      expect(checks.map((c) => [c.name.slice(0, 40), c.pass, c.firstDifference])).toEqual(checks.map((c) => [c.name.slice(0, 40), true, undefined]));
      expect(checks.length).toBe(2);
      expect(checks[0]!.cases).toBe(9);
    }
  });

  it('gives a Core image no PQ6 checks, and the whole fixture passes on the Hot image', () => {
    expect(pq6Checks(loadKernel('simd'), prng(), sink)).toEqual([]);
    const report = runConformance(simd, prng);
    expect(report.checks.filter((c) => !c.pass)).toEqual([]);
    expect(report.checks.some((c) => c.name.startsWith('PQ6 rvf_load_pq_codebook'))).toBe(true);
  });

  it('fails a kernel that unpacks the codes in the other bit order, naming the first distance', async () => {
    // Code j of a group from bits 18-6j: the high code first.
    const mutant = await assembleHot('hot-scalar', (t) =>
      t.replace('(i32.shl (i32.shr_u (local.get $g) (i32.const 18)) (i32.const 2))', '@@PQ6_SWAP@@')
        .replace('(i32.shl (i32.and (local.get $g) (i32.const @PQ6_CODE_MASK)) (i32.const 2))', '(i32.shl (i32.shr_u (local.get $g) (i32.const 18)) (i32.const 2))')
        .replace('@@PQ6_SWAP@@', '(i32.shl (i32.and (local.get $g) (i32.const @PQ6_CODE_MASK)) (i32.const 2))'));
    const [dist] = pq6Checks(mutant, prng(), sink);
    expect(dist!.pass).toBe(false);
    expect(dist!.firstDifference).toMatch(/^dim 64 M 8, pieces of 8, \d+ code vectors: distance of code vector \d+ expected 0x[0-9a-f]{8} got 0x[0-9a-f]{8}$/);
  });

  it('fails a kernel whose table sums sequentially at a lane-order width', async () => {
    const mutant = await assembleHot('hot-scalar', (t) => t.replace('(local.set $mask (select (i32.const 7) (i32.const 0)', '(local.set $mask (select (i32.const 0) (i32.const 0)'));
    const [dist] = pq6Checks(mutant, prng(), sink);
    expect(dist!.pass).toBe(false);
    expect(dist!.firstDifference).toMatch(/^dim 64 M 8, pieces of 8: table entry \d+ expected/);
  });
});
