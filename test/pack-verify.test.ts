// Verified loading from a kernel pack: a good pack passes every check and its kernels carry
// the pack's limits; each kind of bad pack is refused with its own line naming the pack,
// the kernel and the reason, and no kernel is handed out.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PackRefusedError } from '../tile/pack/pack-error.ts';
import { verifyPack } from '../tile/pack/pack-verify.ts';
import { thisRuntime } from '../tile/pack/runtime.ts';
import { TileInstance } from '../tile/tile-instance.ts';
import { makePack, newKey, trustOnly } from './helpers/pack.ts';
import { tempDirs } from './helpers/temp-dir.ts';

const tempDir = tempDirs('cogsim-pack-');

function refusal(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof PackRefusedError) return err.lines;
    throw err;
  }
  throw new Error('the pack was not refused');
}

describe('a kernel pack', () => {
  it('that is intact verifies, listing every check, and its kernels carry the pack limits', () => {
    const dir = tempDir();
    const key = makePack(dir, { ids: ['simd', 'scalar-fuel'] });
    const v = verifyPack(dir, trustOnly(key));
    expect([...v.kernels.keys()]).toEqual(['simd', 'scalar-fuel']);
    expect(v.checks.some((c) => c.includes('kernels.json.sig verifies'))).toBe(true);
    expect(v.checks.filter((c) => c.includes('matches its hash'))).toHaveLength(2);
    expect(v.checks.some((c) => c.startsWith('runtime ') && c.includes('within 0.1.0..0.9.0'))).toBe(true);
    const fuel = v.kernels.get('scalar-fuel')!;
    expect(fuel.limits).toEqual({ memoryPages: 2, fuelPerMessage: 200_000 });
    expect(new TileInstance(0, fuel).memory.buffer.byteLength).toBe(2 * 65536);
  });

  it('whose .wasm has one byte changed is refused naming the kernel and the hashes', () => {
    const dir = tempDir();
    const key = makePack(dir);
    const wasm = join(dir, 'kernels/simd.wasm');
    const bytes = readFileSync(wasm);
    bytes[bytes.length - 3]! ^= 0x01;
    writeFileSync(wasm, bytes);
    const lines = refusal(() => verifyPack(dir, trustOnly(key)));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^pack .+: kernel simd: SHA-256 of kernels\/simd\.wasm is sha256:[0-9a-f]{16}…, kernels\.json says sha256:[0-9a-f]{16}… \(the file was changed after signing\)$/);
  });

  it('whose kernels.json was edited after signing is refused: the signature no longer verifies', () => {
    const dir = tempDir();
    const key = makePack(dir);
    const path = join(dir, 'kernels.json');
    const m = JSON.parse(readFileSync(path, 'utf8'));
    m.kernels[0].resource_limits.max_fuel_per_message = 1_000_000_000;
    writeFileSync(path, JSON.stringify(m, null, 2));
    expect(refusal(() => verifyPack(dir, trustOnly(key)))).toEqual([`pack ${dir}: kernels.json.sig does not verify (kernels.json was changed after signing, or signed by another key)`]);
  });

  it('whose whitespace and key order changed still verifies (the canonical bytes are signed)', () => {
    const dir = tempDir();
    const key = makePack(dir);
    const path = join(dir, 'kernels.json');
    const m = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    writeFileSync(path, JSON.stringify(Object.fromEntries(Object.entries(m).reverse())));
    expect(verifyPack(dir, trustOnly(key)).kernels.size).toBe(1);
  });

  it('signed by a key nobody trusts is refused naming the key and the trust source', () => {
    const dir = tempDir();
    makePack(dir);
    const lines = refusal(() => verifyPack(dir, trustOnly(newKey(), 'other.pub')));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^pack .+: signed by key [0-9a-f]{16}, which is not trusted \(other\.pub\)$/);
  });

  it('whose runtime bounds exclude this runtime is refused, on either side', () => {
    const v = thisRuntime().version;
    const dir = tempDir();
    const key = makePack(dir, { edit: (m) => void (m.max_runtime_version = '0.0.9') });
    expect(refusal(() => verifyPack(dir, trustOnly(key)))).toEqual([`pack ${dir}: runtime ${v} is newer than the pack's max_runtime_version 0.0.9`]);
    const dir2 = tempDir();
    const key2 = makePack(dir2, { edit: (m) => void (m.min_runtime_version = '1.0.0') });
    expect(refusal(() => verifyPack(dir2, trustOnly(key2)))).toEqual([`pack ${dir2}: runtime ${v} is older than the pack's min_runtime_version 1.0.0`]);
    const dir3 = tempDir();
    const key3 = makePack(dir3, { edit: (m) => Object.assign(m, { min_runtime_version: v, max_runtime_version: v }) });
    expect(verifyPack(dir3, trustOnly(key3)).kernels.size).toBe(1); // both bounds inclusive
  });

  it('that needs a WebAssembly feature the runtime lacks is refused naming the kernel and the feature', () => {
    const dir = tempDir();
    const key = makePack(dir, { edit: (m) => m.kernels[0]!.platforms.cogsim!.features.push('threads') });
    const lines = refusal(() => verifyPack(dir, trustOnly(key)));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^pack ${dir}: kernel simd: needs WebAssembly feature threads, which this runtime lacks \\(it offers .*simd.*\\)$`));
    // The same pack on a runtime without SIMD misses simd too.
    const noSimd = { ...thisRuntime(), features: thisRuntime().features.filter((f) => f !== 'simd') };
    expect(refusal(() => verifyPack(dir, trustOnly(key), noSimd))[0]).toContain('needs WebAssembly feature simd, threads');
  });

  it('with a kernel id off the allowlist, an unknown field or a memory limit the kernel cannot run in is refused, each on its own line', () => {
    const dir = tempDir();
    const key = makePack(dir, {
      ids: ['simd', 'scalar'],
      edit: (m) => {
        m.kernels[0]!.resource_limits.max_memory_pages = 1;
        m.kernels[1]!.id = 'mystery';
      },
    });
    const lines = refusal(() => verifyPack(dir, trustOnly(key)));
    expect(lines).toEqual([
      expect.stringMatching(/^pack .+: kernel simd: does not instantiate within resource_limits\.max_memory_pages 1: /),
      expect.stringMatching(/^pack .+: kernel mystery: id is not on this runtime's allowlist \(simd, .*\)$/),
    ]);
    const dir2 = tempDir();
    const key2 = makePack(dir2, { edit: (m) => Object.assign(m.kernels[0]!, { priority: 1 }) });
    expect(refusal(() => verifyPack(dir2, trustOnly(key2)))).toEqual([`pack ${dir2}: kernel simd: kernels[0] has unknown field 'priority'`]);
  });

  it('claiming a profile this runtime\'s tiles do not offer is refused', () => {
    const dir = tempDir();
    const key = makePack(dir, { edit: (m) => void (m.profile = 'hot') });
    expect(refusal(() => verifyPack(dir, trustOnly(key)))).toEqual([`pack ${dir}: profile hot is not one this runtime's tiles offer (core)`]);
    expect(verifyPack(dir, trustOnly(key), { ...thisRuntime(), tileProfiles: ['core', 'hot'] }).manifest.profile).toBe('hot');
  });

  it('with a damaged signature file is refused', () => {
    const dir = tempDir();
    const key = makePack(dir);
    writeFileSync(join(dir, 'kernels.json.sig'), 'not a signature');
    expect(refusal(() => verifyPack(dir, trustOnly(key)))).toEqual([`pack ${dir}: kernels.json.sig is not base64 of a 64-byte Ed25519 signature`]);
  });
});
