// Every bad input of issue 12 (and the ones refused before it) through the real binary:
// exit 2, ONE line of printable text on stderr naming the flag, path or value and the
// limit, nothing on stdout, and no file in the folder changed, added or removed (every
// file is hashed before and after). The runs go a few at once in one batch: each is
// mostly tsx start-up.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFvecs } from '../hub/data/fvecs.ts';
import { writeNpy } from '../hub/data/npy.ts';
import { KERNEL_BUILD_DIR, TRUST_STORE_PATH } from '../tile/build/paths.ts';
import { cogsimMany, SMALL_RUN, type CliResult } from './helpers/cli.ts';

let dir = '';

function vectors(count: number, dim: number): Float32Array {
  return Float32Array.from({ length: count * dim }, (_, i) => ((i * 7919) % 101) / 101 - 0.5);
}

function withValue(count: number, dim: number, row: number, col: number, value: number): Uint8Array {
  const v = vectors(count, dim);
  v[row * dim + col] = value;
  return writeFvecs(v, dim);
}

/** Every file under the folder (sub-folders included) with its sha256: what "unchanged" means. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p, `${prefix}${name}/`);
      else out[`${prefix}${name}`] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(root, '');
  return out;
}

const DATA = ['--data', 'good.fvecs', '--query-file', 'q.fvecs', '--tiles', '2', '--k', '3'];
const SMALL = SMALL_RUN.slice(1);
const WASM = ['sign-kernel', 'mine.wasm', '--key', 'key.pem'];

/** [what, args, what the one line must say]. */
const CASES: [string, string[], RegExp][] = [
  // Outputs over inputs or keys
  // A trace to hash that cannot be one
  ['trace-hash of a missing file', ['trace-hash', 'missing.jsonl'], /^cogsim: trace missing\.jsonl: no such file or folder$/],
  ['trace-hash of a file that is not a trace', ['trace-hash', 'good.fvecs'], /^cogsim: trace good\.fvecs: trace line 1 is not JSON$/],
  ['--trace names the --data file', ['run', ...DATA, '--trace', 'good.fvecs'], /^cogsim: --trace good\.fvecs is the same file as --data good\.fvecs/],
  ['--trace is a symbolic link to --data', ['run', ...DATA, '--trace', 'link.fvecs'], /--trace link\.fvecs is the same file as --data good\.fvecs/],
  ['--trace is a hard link to --query-file', ['run', ...DATA, '--trace', 'hard.fvecs'], /--trace hard\.fvecs is the same file as --query-file q\.fvecs/],
  ['--trace names a private key', ['run', ...SMALL, '--trace', 'key.pem'], /--trace key\.pem holds a private key/],
  ['--trace names the kernel build the run loads', ['run', ...SMALL, '--trace', join(KERNEL_BUILD_DIR, 'simd.wasm')], /--trace .*simd\.wasm is the same file as --kernel .*simd\.wasm/],
  ['--trace names the trust store', ['run', ...SMALL, '--trace', TRUST_STORE_PATH], /is the same file as the kernel trust store/],
  ['--trace names a folder', ['run', ...SMALL, '--trace', 'adir'], /--trace adir is a folder/],
  ['--trace into a missing folder', ['run', ...SMALL, '--trace', 'nowhere/t.jsonl'], /--trace nowhere\/t\.jsonl: the folder .*nowhere does not exist/],
  ['--trace /proc/version', ['run', ...SMALL, '--trace', '/proc/version'], /--trace \/proc\/version: cannot create a file in \/proc/],
  ['a run that fails after its trace opened leaves the earlier trace', ['run', '--data', 'nan.fvecs', '--query-file', 'q.fvecs', '--tiles', '2', '--k', '3', '--trace', 'old.jsonl'], /--data nan\.fvecs: row 2, column 4/],
  ['sign-kernel --out the kernel', [...WASM, '--out', 'mine.wasm'], /--out mine\.wasm is the same file as the kernel <wasm> mine\.wasm/],
  ['sign-kernel --out the key', [...WASM, '--out', 'key.pem'], /--out key\.pem is the same file as --key key\.pem/],
  ['sign-kernel --out another private key', [...WASM, '--out', 'other-key.pem'], /--out other-key\.pem holds a private key/],
  ['sign-kernel --out into a missing folder', [...WASM, '--out', 'nowhere/m.json'], /--out nowhere\/m\.json: the folder .*nowhere does not exist/],
  ['sign-kernel --key a binary file', ['sign-kernel', 'mine.wasm', '--key', 'binary.key'], /binary\.key is not a PEM private key/],
  ['--trust-key a binary file', ['run', ...SMALL, '--kernel-file', 'mine.wasm', '--trust-key', 'binary.key'], /--kernel-file mine\.wasm: key file .*binary\.key is a binary file/],
  // Values a tile cannot carry
  ['+Inf in a base vector', ['run', '--data', 'inf.fvecs', '--query-file', 'q.fvecs', '--tiles', '2', '--k', '3'], /--data inf\.fvecs: row 3, column 5 \(from 0\) holds Infinity; .*65,504/],
  ['-Inf in a query', ['run', '--data', 'good.fvecs', '--query-file', 'qinf.fvecs', '--tiles', '2', '--k', '3'], /--query-file qinf\.fvecs: row 1, column 2 \(from 0\) holds -Infinity/],
  ['1e5 with --dtype fp16', ['run', '--data', 'big.fvecs', '--query-file', 'q.fvecs', '--tiles', '2', '--k', '3'], /--data big\.fvecs: row 7, column 1 \(from 0\) holds 100000; values must be finite with \|x\| <= 65,504/],
  ['1e5 with --dtype i8 --metric cosine', ['run', '--data', 'big.fvecs', '--query-file', 'q.fvecs', '--tiles', '2', '--k', '3', '--dtype', 'i8', '--metric', 'cosine'], /--data big\.fvecs: row 7, column 1 .*65,504/],
  ['NaN in a base vector', ['run', '--data', 'nan.fvecs', '--query-file', 'q.fvecs', '--tiles', '2', '--k', '3'], /--data nan\.fvecs: row 2, column 4 \(from 0\) holds NaN/],
  ['a query file with 0 rows', ['run', '--data', 'good.fvecs', '--query-file', 'empty.npy', '--tiles', '2', '--k', '3'], /--query-file empty\.npy holds no queries \(0 rows\); it needs at least 1/],
  ['faults on a query file with 0 rows', ['faults', '--data', 'good.fvecs', '--query-file', 'empty.npy', '--tiles', '2', '--k', '3'], /--query-file empty\.npy holds no queries/],
  ['a base file with 0 rows', ['run', '--data', 'empty.npy', '--query-file', 'q.fvecs', '--tiles', '2', '--k', '3'], /--data empty\.npy holds no vectors/],
  ['.npy in Fortran order', ['run', '--data', 'fortran.npy', '--query-file', 'q.fvecs', '--tiles', '2', '--k', '3'], /--data fortran\.npy: .*Fortran/],
  // Flags the run would ignore
  ['--ef in push mode', ['run', ...SMALL, '--ef', '5'], /--ef applies to --mode pull and push-hnsw; this run is --mode push/],
  ['--walks in push-hnsw', ['run', ...SMALL, '--mode', 'push-hnsw', '--walks', '3'], /--walks applies to --mode pull; this run is --mode push-hnsw/],
  ['--M in push mode', ['run', ...SMALL, '--M', '8'], /--M applies to --mode pull and push-hnsw/],
  ['--index in push mode', ['run', ...SMALL, '--index', 'i.bin'], /--index applies to --mode pull and push-hnsw/],
  ['--descent in push-hnsw', ['run', ...SMALL, '--mode', 'push-hnsw', '--descent', 'tile'], /--descent applies to --mode pull/],
  ['--schedule in pull mode', ['run', ...SMALL, '--mode', 'pull', '--schedule', 'query'], /--schedule applies to --mode push/],
  ['--concurrency in pull mode', ['run', ...SMALL, '--mode', 'pull', '--concurrency', '2'], /--concurrency applies to --mode push and push-hnsw/],
  ['--concurrency with --schedule block', ['run', ...SMALL, '--schedule', 'block', '--concurrency', '2'], /--concurrency applies to --schedule query/],
  ['--dim with --data', ['run', ...DATA, '--dim', '8'], /--dim applies to the built-in data/],
  ['--clusters with --data', ['run', ...DATA, '--clusters', '2'], /--clusters applies to the built-in data/],
  ['--query-file without --data', ['run', ...SMALL, '--query-file', 'q.fvecs'], /--query-file goes with --data/],
  ['--compare with --mode', ['run', ...SMALL, '--compare', '--mode', 'pull'], /--compare runs push, push-hnsw and pull; drop --mode/],
  ['--compare with --trace', ['run', ...SMALL, '--compare', '--trace', 't.jsonl'], /--trace with --compare/],
  ['--compare --index with sharded pull', ['run', ...SMALL, '--compare', '--index', 'i.bin'], /--index with --compare names one file/],
  ['faults --compare', ['faults', ...SMALL, '--compare'], /^error: unknown option '--compare'/],
  ['faults --kernel without the watchdog', ['faults', ...SMALL, '--kernel', 'simd'], /--kernel simd: cogsim faults runs a fuel build/],
  ['--kernel with --kernel-file', ['run', ...SMALL, '--kernel', 'scalar', '--kernel-file', 'mine.wasm'], /--kernel and --kernel-file both name the kernel/],
  // --index
  ['--index a folder', ['run', ...SMALL, '--mode', 'pull', '--index', 'adir'], /--index adir is a folder/],
  ['--index a corrupt file with 2 walks', ['run', ...SMALL, '--mode', 'pull', '--walks', '2', '--index', 'corrupt.bin'], /--index: .*corrupt\.bin: not a cogsim index/],
  ['--index built at dim 32 on dim 16 data', ['run', ...SMALL, '--mode', 'pull', '--walks', '1', '--index', 'idx32.bin'], /idx32\.bin: was built on 40 vectors of dim 32; this run's data is 60 vectors of dim 16/],
  ['--M disagreeing with --index', ['run', ...SMALL, '--mode', 'pull', '--walks', '1', '--index', 'idx16.bin', '--M', '8'], /--M 8 disagrees with --index idx16\.bin, built with M 16/],
  ['--index of one region for 2 shards', ['run', ...SMALL, '--mode', 'pull', '--walks', '2', '--index', 'idx16.bin'], /idx16\.bin: holds one index .*2 regions/],
  ['--index built for another metric', ['run', ...SMALL, '--mode', 'push-hnsw', '--index', 'idx16.bin', '--metric', 'ip'], /--index idx16\.bin was built for metric l2; this run uses --metric ip/],
  ['--index into a missing folder', ['run', ...SMALL, '--mode', 'pull', '--index', 'nowhere/i.bin'], /--index nowhere\/i\.bin: the folder .*nowhere does not exist/],
  ['--index names the --data file', ['run', ...DATA, '--mode', 'pull', '--index', 'good.fvecs'], /--index: .*good\.fvecs: not a cogsim index|--index: .*good\.fvecs: .*magic/],
  // The tile ceiling
  ['--tiles 16777216', ['run', '--tiles', '16777216'], /--tiles 16,777,216 is above the 65,536 tiles one cogsim process holds \(measured: 65,536 tiles peak at 1\.66 GiB resident, ~24 KiB per idle tile/],
  ['--tiles 65537', ['run', '--tiles', '65537', '--mesh', '257x256'], /--tiles 65,537 is above the 65,536/],
  // Refused before issue 12 too (test/cli-bad-input.test.ts), now exit 2 throughout
  ['a truncated .fvecs', ['run', '--data', 'truncated.fvecs', '--query-file', 'q.fvecs'], /--data .*record 4 .*truncated/],
  ['--data that does not exist', ['run', '--data', 'missing.fvecs', '--query-file', 'q.fvecs'], /--data missing\.fvecs: no such file/],
  ['--data a folder', ['run', '--data', 'adir', '--query-file', 'q.fvecs'], /--data adir is a folder/],
  ['--tiles abc', ['run', '--tiles', 'abc'], /--tiles takes a whole number, got 'abc'/],
  ['--k 17', ['run', ...SMALL, '--k', '17'], /--k 17 is outside 1\.\.16/],
  ['--seed 4294967296', ['run', ...SMALL, '--seed', '4294967296'], /--seed must be a whole number in 0\.\.4294967295/],
  ['--walks 65', ['run', ...SMALL, '--mode', 'pull', '--walks', '65'], /--walks must be a whole number in 1\.\.64/],
  ['push-hnsw --ef 4097', ['run', ...SMALL, '--mode', 'push-hnsw', '--ef', '4097'], /--ef must be a whole number in 1\.\.4096/],
  ['--ef-construction 2000000', ['run', ...SMALL, '--mode', 'pull', '--ef-construction', '2000000'], /--ef-construction must be a whole number in 1\.\.1,048,576/],
  ['--rate 0.3', ['faults', ...SMALL, '--rate', '0.3'], /--rate 0\.3 is above 0\.25/],
  ['no command', [], /^Usage: cogsim/],
];

let results: CliResult[] = [];
let before: Record<string, string> = {};
let after: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cogsim-user-errors-'));
  const f = (name: string) => join(dir, name);
  writeFileSync(f('good.fvecs'), writeFvecs(vectors(60, 16), 16));
  writeFileSync(f('q.fvecs'), writeFvecs(vectors(3, 16), 16));
  symlinkSync('good.fvecs', f('link.fvecs'));
  linkSync(f('q.fvecs'), f('hard.fvecs'));
  writeFileSync(f('inf.fvecs'), withValue(60, 16, 3, 5, Infinity));
  writeFileSync(f('qinf.fvecs'), withValue(3, 16, 1, 2, -Infinity));
  writeFileSync(f('big.fvecs'), withValue(60, 16, 7, 1, 1e5));
  writeFileSync(f('nan.fvecs'), withValue(60, 16, 2, 4, NaN));
  writeFileSync(f('empty.npy'), writeNpy(new Float32Array(0), 0, 16, '<f4'));
  writeFileSync(f('fortran.npy'), Buffer.from(Buffer.from(writeNpy(vectors(60, 16), 60, 16, '<f4')).toString('latin1').replace("'fortran_order': False", "'fortran_order': True "), 'latin1'));
  const good = writeFvecs(vectors(5, 16), 16);
  writeFileSync(f('truncated.fvecs'), good.subarray(0, good.length - 5));
  writeFileSync(f('v32.fvecs'), writeFvecs(vectors(40, 32), 32));
  writeFileSync(f('q32.fvecs'), writeFvecs(vectors(3, 32), 32));
  writeFileSync(f('old.jsonl'), 'an earlier trace\n');
  writeFileSync(f('corrupt.bin'), Uint8Array.from({ length: 300 }, (_, i) => (i * 151) % 256));
  writeFileSync(f('binary.key'), Uint8Array.from({ length: 256 }, (_, i) => i));
  const pem = () => generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' });
  writeFileSync(f('key.pem'), pem());
  writeFileSync(f('other-key.pem'), pem());
  copyFileSync(join(KERNEL_BUILD_DIR, 'simd.wasm'), f('mine.wasm'));
  mkdirSync(f('adir'));
  // Two indexes the --index cases load: one built at dim 32, one at M 16 over the small run's data.
  const setup = await cogsimMany(
    [
      ['run', '--data', 'v32.fvecs', '--query-file', 'q32.fvecs', '--tiles', '2', '--k', '3', '--mode', 'pull', '--walks', '1', '--index', 'idx32.bin'],
      ['run', ...SMALL, '--mode', 'pull', '--walks', '1', '--index', 'idx16.bin'],
    ],
    dir,
  );
  for (const r of setup) expect(r.stderr).toBe('');
  before = snapshot(dir);
  results = await cogsimMany(CASES.map((c) => c[1]), dir);
  after = snapshot(dir);
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('cogsim refuses bad input with exit 2 and one printable line', () => {
  it.each(CASES.map((c, i) => [c[0], i] as const))('%s', (_, i) => {
    const r = results[i]!;
    const [, args, mentions] = CASES[i]!;
    const lines = r.stderr.split('\n').filter((l) => l.length > 0);
    const shown = `${args.join(' ')} -> exit ${r.status}: ${r.stderr}`;
    expect(r.status, shown).toBe(2);
    if (args.length === 0) {
      expect(r.stderr, shown).toMatch(mentions); // help, on stderr
      return;
    }
    expect(r.stdout, shown).toBe('');
    expect(lines, shown).toHaveLength(1);
    expect(lines[0], shown).toMatch(/^(cogsim: |error: )/);
    expect(lines[0], shown).toMatch(/^[\x20-\x7e]+$/); // printable ASCII: no control bytes echoed
    expect(lines[0], shown).toMatch(mentions);
  });

  it('changed, added or removed no file (inputs, keys, earlier outputs, no temporary files left)', () => {
    expect(after).toEqual(before);
  });
});
