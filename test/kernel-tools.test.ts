// Issue 18's kernel-author tools on real kernels: `cogsim budget` (a built .wasm, a .wat
// through the pipeline, a module missing an export, --diff), `cogsim kernel build`, and
// `cogsim conform` passing on both project kernels and failing, with the first difference,
// on four broken variants made by editing the kernel's WAT text.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { wasmPath, WAT_DIR } from '../tile/build/paths.ts';
import { buildUserWat } from '../tile/build/user-kernel.ts';
import { cogsim as run } from './helpers/cli.ts';

/** Kernel builds in a child process: minutes on a busy machine. */
const cogsim = (args: string[]) => run(args, 500_000);

// Each case builds a whole kernel (wabt, binaryen) in a child process: minutes on a busy machine.
vi.setConfig({ testTimeout: 600_000 });

let dir = '';
const tmp = (name: string): string => join(dir, name);
/** The project kernel as one author's file: every wat/ file, comments and @NAMEs kept. */
const kernelSource = (): string =>
  readdirSync(WAT_DIR)
    .filter((f) => f.endsWith('.wat'))
    .sort()
    .map((f) => readFileSync(join(WAT_DIR, f), 'utf8'))
    .join('\n');

/**
 * The source with one edit (fails loudly if the text to edit is gone: the kernel changed),
 * built in-process by the same pipeline the CLI uses; returns the .wasm.
 */
async function edited(name: string, from: string | RegExp, to: string): Promise<string> {
  const src = kernelSource();
  const out = src.replace(from, to);
  expect(out, `${name}: the text to edit was not found in wat/`).not.toBe(src);
  writeFileSync(tmp(`${name}.wasm`), (await buildUserWat(out, `${name}.wat`, 'simd')).plain);
  return tmp(`${name}.wasm`);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cogsim-kernel-tools-'));
  writeFileSync(tmp('mine.wat'), kernelSource());
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('cogsim budget FILE', () => {
  it('measures the built simd.wasm: whole module, sections, rules and the verdict', () => {
    const r = cogsim(['budget', wasmPath('simd'), '--json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    const size = readFileSync(wasmPath('simd')).length;
    expect(j.budget.moduleBytes).toBe(size);
    expect(8 + j.sections.reduce((n: number, s: { bytes: number }) => n + s.bytes, 0)).toBe(size);
    expect(j.rules.map((x: { ok: boolean }) => x.ok)).toEqual([true, true, true, true]);
    expect(j.ok).toBe(true);
    const text = cogsim(['budget', wasmPath('simd')]).stdout;
    expect(text).toMatch(new RegExp(`whole module\\s+${size.toLocaleString('en-US')}`));
    expect(text).toMatch(/verdict: a tile runs this kernel/);
  });

  it('builds a .wat through the pipeline, names its functions, and matches the project build byte for byte', () => {
    const r = cogsim(['budget', tmp('mine.wat'), '--json']);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(j.budget.moduleBytes).toBe(readFileSync(wasmPath('simd')).length);
    expect(j.functions.map((f: { name: string }) => f.name)).toContain('$fp16_to_f32');
  });

  it('fails a module missing an export, naming it, with exit 1', async () => {
    const wat = await edited('no-crc', '(export "rvf_crc32c")', '');
    const r = cogsim(['budget', wat]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL {2}exports every spec function\s+missing rvf_crc32c/);
    expect(r.stdout).toMatch(/missing exports: rvf_crc32c/);
    expect(r.stdout).toMatch(/verdict: a tile refuses this kernel/);
  });

  it('--diff names the functions that changed between two builds', async () => {
    const wat = await edited('order', 'i64.lt_u (i64.load (local.get $e)) (local.get $id)', 'i64.gt_u (i64.load (local.get $e)) (local.get $id)');
    const r = cogsim(['budget', wat, '--diff', wasmPath('simd'), '--json']);
    const changed = JSON.parse(r.stdout).diff.changed.map((c: { name: string }) => c.name);
    expect(changed).toEqual(['rvf_topk_merge']); // the compare is inlined there: same size, other bytes
  });

  it('refuses a file that is not a kernel with one line and exit 2', () => {
    writeFileSync(tmp('junk.wasm'), 'not wasm');
    const r = cogsim(['budget', tmp('junk.wasm')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^cogsim: kernel file .*junk\.wasm: not a WebAssembly module/);
  });
});

describe('cogsim kernel build', () => {
  it('writes the plain kernel, its checked twin and a signed manifest, and refuses to overwrite the input', () => {
    const r = cogsim(['kernel', 'build', tmp('mine.wat'), '--out', tmp('out')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(tmp('out/mine.wasm'))).toEqual(readFileSync(wasmPath('simd')));
    expect(readFileSync(tmp('out/mine.checked.wasm')).length).toBeGreaterThan(readFileSync(wasmPath('simd')).length);
    expect(JSON.parse(readFileSync(tmp('out/mine.manifest.json'), 'utf8'))).toMatchObject({ kernel: 'mine', file: 'mine.wasm', features: { simd: true, strict: false, fuel: false } });
    writeFileSync(tmp('key.wasm'), 'a key file');
    const refused = cogsim(['kernel', 'build', tmp('mine.wat'), '--out', dir, '--name', 'key', '--key', tmp('key.wasm')]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/would replace the input/);
  });
});

describe('cogsim conform', () => {
  for (const build of ['simd', 'scalar']) {
    it(`passes on the project's ${build} kernel`, () => {
      const r = cogsim(['conform', wasmPath(build)]);
      expect(r.stderr).toBe('');
      expect(r.stdout).not.toMatch(/FAIL/);
      expect(r.stdout).toMatch(/conformant: all \d+ checks pass/);
      expect(r.status).toBe(0);
    });
  }

  function expectFails(wat: string, check: RegExp, difference: RegExp): void {
    const r = cogsim(['conform', wat]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/NOT CONFORMANT/);
    const lines = r.stdout.split('\n');
    const i = lines.findIndex((l) => /^ {2}FAIL/.test(l));
    expect(lines[i]).toMatch(check);
    expect(lines[i + 1]).toMatch(difference);
  }

  it('fails a kernel whose L2 sum adds its lanes in another order, with the first differing distance', async () => {
    const wat = await edited(
      'l2-order',
      /\(f32\.add\s*\(f32\.add \(f32x4\.extract_lane 0 \(local\.get \$t\)\) \(f32x4\.extract_lane 1 \(local\.get \$t\)\)\)\s*\(f32\.add \(f32x4\.extract_lane 2 \(local\.get \$t\)\) \(f32x4\.extract_lane 3 \(local\.get \$t\)\)\)\)/,
      '(f32.add (f32.add (f32.add (f32x4.extract_lane 0 (local.get $t)) (f32x4.extract_lane 1 (local.get $t))) (f32x4.extract_lane 2 (local.get $t))) (f32x4.extract_lane 3 (local.get $t)))',
    );
    expectFails(wat, /FAIL {2}distances and top-K, fp16 l2, random/, /first difference: random \(fp16 dim \d+, l2, .*\): distance of vector \d+ expected 0x[0-9a-f]{8} got 0x[0-9a-f]{8}/);
  });

  it('fails a kernel that breaks ties by the higher id, naming the rank', async () => {
    const wat = await edited('ties-high', 'i64.lt_u (i64.load (local.get $e)) (local.get $id)', 'i64.gt_u (i64.load (local.get $e)) (local.get $id)');
    expectFails(wat, /FAIL {2}ties at every rank go to the lower id, fp16 l2/, /first difference: ties .*: top-K rank \d+ expected id \d+ dist 0x[0-9a-f]{8} got id \d+/);
  });

  it('fails a kernel whose SQ dequantizer rounds fp16 ties up instead of to even, naming the element, its code and params', async () => {
    const wat = await edited('sq-ties-up', '(i32.const 0xC8000FFF)', '(i32.const 0xC8001000)');
    expectFails(
      wat,
      /FAIL {2}rvf_load_sq_params \+ rvf_dequant_i8: random/,
      /first difference: .*: vector \d+ element \d+ \(code -?\d+, min 0x[0-9a-f]{8}, scale 0x[0-9a-f]{8}\) expected fp16 0x[0-9a-f]{4} got 0x[0-9a-f]{4}/,
    );
  });

  it('fails a kernel that answers a malformed message without an ERROR', async () => {
    const wat = await edited('no-error', '(call $msg_reply (select (i32.const @MSG_ERROR) (i32.const @MSG_DONE)', '(call $msg_reply (select (i32.const @MSG_DONE) (i32.const @MSG_DONE)');
    expectFails(wat, /FAIL {2}malformed requests answered by ERROR, fp16/, /first difference: unknown message type 0x7f: expected ERROR got (a reply that does not decode|\{"type":"DONE")/);
  });
});
