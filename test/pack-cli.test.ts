// `cogsim pack keygen|build|verify|show` and `cogsim run --pack/--upgrade-to` through the
// real binary: keys are made once and never replaced, a built pack verifies with every
// check printed, and a damaged pack stops a run before anything runs (exit 2, its line).
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cogsim, SMALL_RUN } from './helpers/cli.ts';
import { tempDirs } from './helpers/temp-dir.ts';

const tempDir = tempDirs('cogsim-pack-cli-');

describe('cogsim pack', () => {
  const dir = tempDir();
  const key = join(dir, 'me');
  const pack = join(dir, 'pack');

  it('keygen writes NAME.pem (mode 0600) and NAME.pub, and never replaces them', () => {
    const r = cogsim(['pack', 'keygen', '--out', key]);
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(`${key}.pem`).mode & 0o777).toBe(0o600);
    const pem = readFileSync(`${key}.pem`, 'utf8');
    expect(readFileSync(`${key}.pub`, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const again = cogsim(['pack', 'keygen', '--out', key]);
    expect(again.status).toBe(2);
    expect(again.stderr).toBe(`cogsim: ${key}.pem exists; keygen never replaces a key (choose another --out)\n`);
    expect(readFileSync(`${key}.pem`, 'utf8')).toBe(pem);
  });

  it('build signs a pack that verify accepts, printing every check; show lists the kernels', () => {
    expect(cogsim(['pack', 'build', '--key', `${key}.pem`, '--out', dir]).stderr).toContain(`--out ${dir} holds ${key}.pem, an input of the build`);
    const built = cogsim(['pack', 'build', '--key', `${key}.pem`, '--out', pack]);
    expect(built.status, built.stderr).toBe(0);
    const v = cogsim(['pack', 'verify', pack, '--trust', `${key}.pub`]);
    expect(v.status, v.stderr).toBe(0);
    const lines = v.stdout.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('ok  '))).toHaveLength(lines.length - 1);
    expect(lines).toContain('ok  kernel simd: id is on the allowlist');
    expect(lines[lines.length - 1]).toMatch(/verified \(\d+ checks\)$/);
    const show = cogsim(['pack', 'show', pack]);
    expect(show.stdout).toContain('simd-strict-fuel');
    expect(show.stdout).toContain('l2_fp16_dim128_block64 latency_ns=');
  });

  it('run --pack runs from a verified pack, and --upgrade-to moves the tiles onto another', () => {
    const r = cogsim([...SMALL_RUN, '--pack', pack, '--trust', `${key}.pub`, '--upgrade-to', pack, '--upgrade-at', '1000']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/upgrade: done \(2 tile\(s\) on the new pack\); switches: tile 0 -> new @\d+, tile 1 -> new @\d+/);
  });

  it('run --pack with a damaged kernel stops before anything runs, with the pack, kernel and reason', () => {
    const wasm = join(pack, 'kernels/simd.wasm');
    const bytes = readFileSync(wasm);
    bytes[100]! ^= 0xff;
    writeFileSync(wasm, bytes);
    const r = cogsim([...SMALL_RUN, '--pack', pack, '--trust', `${key}.pub`]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^cogsim: pack .*pack: kernel simd: SHA-256 of kernels\/simd\.wasm is sha256:[0-9a-f]{16}…, kernels\.json says sha256:[0-9a-f]{16}… \(the file was changed after signing\)\n$/);
    const v = cogsim(['pack', 'verify', pack]); // the default trust store does not hold this key either
    expect(v.status).toBe(2);
    expect(v.stderr.trim().split('\n')).toHaveLength(2);
  });
});
