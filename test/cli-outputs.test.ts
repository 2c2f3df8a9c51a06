// The good paths of issue 12 through the real binary: outputs land whole and leave no
// temporary file, a sharded pull index is ONE file that a second run loads (with the
// index's own M in the summary), the tile ceiling's re-exec keeps exit codes, --version.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFvecs } from '../hub/data/fvecs.ts';
import { traceHashOfJsonl } from '../sim/trace-jsonl.ts';
import { cogsimMany, SMALL_RUN, type CliResult } from './helpers/cli.ts';

const ROOT = new URL('..', import.meta.url).pathname;
let dir = '';
const SMALL = SMALL_RUN.slice(1);
const DATA = ['--data', 'b.fvecs', '--query-file', 'q.fvecs', '--tiles', '2', '--k', '3'];

function vectors(count: number, dim: number): Float32Array {
  return Float32Array.from({ length: count * dim }, (_, i) => ((i * 7919) % 101) / 101 - 0.5);
}

const traceHash = (r: CliResult) => /trace sha256\s+([0-9a-f]{64})/.exec(r.stdout)?.[1];

let first: CliResult[] = [];
let second: CliResult[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cogsim-outputs-'));
  writeFileSync(join(dir, 'b.fvecs'), writeFvecs(vectors(80, 16), 16));
  writeFileSync(join(dir, 'q.fvecs'), writeFvecs(vectors(3, 16), 16));
  writeFileSync(join(dir, 'old.jsonl'), 'an earlier trace\n');
  first = await cogsimMany(
    [
      ['run', ...DATA, '--trace', 'old.jsonl'],
      ['run', ...DATA, '--mode', 'pull', '--walks', '2', '--M', '8', '--index', 'sharded.bin'],
      ['--version'],
      // Above 8,192 tiles cogsim.js re-runs node with --disable-wasm-trap-handler; the child's refusal comes back as is.
      ['run', '--tiles', '9000', '--ef', '5'],
    ],
    dir,
  );
  second = await cogsimMany([['run', ...DATA, '--mode', 'pull', '--walks', '2', '--index', 'sharded.bin']], dir);
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('outputs', () => {
  it('--trace replaces an earlier file whole: it rebuilds the printed trace hash, no temporary file is left', () => {
    const r = first[0]!;
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const written = traceHashOfJsonl(readFileSync(join(dir, 'old.jsonl'), 'utf8'));
    expect(written).toBe(traceHash(r));
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('a sharded pull --index is one file, loaded by the next run with the index\'s own M', () => {
    const [built, loaded] = [first[1]!, second[0]!];
    expect(built.stderr).toBe('');
    expect(built.stdout).toMatch(/HNSW M 8, efConstruction 200; index built \(2 regions, .*sharded\.bin\)/);
    expect(readdirSync(dir).filter((f) => f.startsWith('sharded'))).toEqual(['sharded.bin']);
    expect(loaded.stderr).toBe('');
    // No --M on the second run: the summary says the file's M 8, not the default 16.
    expect(loaded.stdout).toMatch(/HNSW M 8, efConstruction 200; index file \(2 regions, .*sharded\.bin\)/);
    expect(traceHash(loaded)).toBe(traceHash(built));
  });

  it('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(first[2]!.status).toBe(0);
    expect(first[2]!.stdout.trim()).toBe(pkg.version);
  });
});

describe('an interrupted run', () => {
  it('leaves an earlier --trace byte-identical (the run writes a temporary file beside it)', async () => {
    const { spawn } = await import('node:child_process');
    writeFileSync(join(dir, 'kept.jsonl'), 'an earlier trace\n');
    const child = spawn(process.execPath, [join(ROOT, 'sim/cli/cogsim.js'), 'run', '--tiles', '4', '--vectors', '20000', '--dim', '64', '--queries', '400', '--trace', 'kept.jsonl'], { cwd: dir, stdio: 'ignore' });
    const closed = new Promise<void>((done) => child.on('close', () => done()));
    // Interrupt once the run has started writing its trace (the temporary file exists).
    for (let waited = 0; waited < 60_000 && !readdirSync(dir).some((f) => f.startsWith('.kept.jsonl.')); waited += 100) await new Promise((r) => setTimeout(r, 100));
    expect(readdirSync(dir).some((f) => f.startsWith('.kept.jsonl.'))).toBe(true);
    child.kill('SIGINT');
    await closed;
    expect(readFileSync(join(dir, 'kept.jsonl'), 'utf8')).toBe('an earlier trace\n');
  });
});

describe('tile ceiling', () => {
  it('re-runs itself above 8,192 tiles and keeps the child\'s exit code and its one line', () => {
    const r = first[3]!;
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('cogsim: --ef applies to --mode pull and push-hnsw; this run is --mode push, so drop --ef');
  });

  it('refuses above 8,192 tiles in a process with the trap handler on, naming the flag', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'sim/cli/main.ts'), 'run', '--tiles', '9000'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^cogsim: --tiles 9,000 is above 8,192, which needs node --disable-wasm-trap-handler/);
  });
});

describe('--help and the README', () => {
  it('name the same flags for run, faults and sign-kernel', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const command of ['run', 'faults', 'sign-kernel']) {
      const help = spawnSync(process.execPath, [join(ROOT, 'sim/cli/cogsim.js'), command, '--help'], { cwd: ROOT, encoding: 'utf8' }).stdout;
      const flags = [...help.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]!).filter((f) => f !== '--help');
      expect(flags.length).toBeGreaterThan(command === 'run' ? 25 : 3);
      expect(flags.filter((f) => !readme.includes(`\`${f}`)), command).toEqual([]);
    }
  });
});

describe('tile ceiling constants', () => {
  it('cogsim.js re-runs above the same tile count tile-ceiling.ts refuses without the flag', async () => {
    const { TRAP_HANDLER_TILES } = await import('../sim/cli/tile-ceiling.ts');
    const js = readFileSync(join(ROOT, 'sim/cli/cogsim.js'), 'utf8');
    expect(Number(/const TRAP_HANDLER_TILES = (\d+);/.exec(js)?.[1])).toBe(TRAP_HANDLER_TILES);
  });
});

describe('layering of user errors', () => {
  it('sim/run and sim/faults never import the CLI (the CLI maps their UserError to exit 2)', () => {
    const offenders: string[] = [];
    for (const sub of ['sim/run', 'sim/faults']) {
      for (const f of readdirSync(join(ROOT, sub)).filter((x) => x.endsWith('.ts'))) {
        const text = readFileSync(join(ROOT, sub, f), 'utf8');
        if (/from '\.\.\/cli\//.test(text)) offenders.push(relative(ROOT, join(ROOT, sub, f)));
      }
    }
    expect(offenders).toEqual([]);
  });
});
