// Bad input through the real binary: every user error ends as ONE line on stderr,
// starting with "cogsim:" (our checks) or "error:" (commander's flag parsing), exit 2, nothing on stdout and no stack trace. Each limit is also run at the limit, where
// the same command succeeds.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFvecs } from '../hub/data/fvecs.ts';
import { cogsim, SMALL_RUN, type CliResult } from './helpers/cli.ts';

let dir = '';
const file = (name: string): string => join(dir, name);

function vectors(count: number, dim: number): Float32Array {
  return Float32Array.from({ length: count * dim }, (_, i) => ((i * 7919) % 101) / 101 - 0.5);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cogsim-cli-'));
  writeFileSync(file('good.fvecs'), writeFvecs(vectors(40, 8), 8));
  writeFileSync(file('queries.fvecs'), writeFvecs(vectors(3, 8), 8));
  const good = writeFvecs(vectors(5, 8), 8);
  writeFileSync(file('truncated.fvecs'), good.subarray(0, good.length - 5)); // last record short by 5 bytes
  const dims = new DataView(good.buffer.slice(0));
  dims.setInt32(2 * (4 + 8 * 4), 7, true); // record 2 claims dim 7, the file's dim is 8
  writeFileSync(file('dim-mismatch.fvecs'), new Uint8Array(dims.buffer));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function expectOneLineError(r: CliResult, mentions: RegExp): void {
  expect(r.status).toBe(2); // README "Exit codes": 2 = the user's input or environment
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l.length > 0);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^(cogsim: |error: )/);
  expect(r.stderr).not.toMatch(/^\s{4}at /m);
  expect(lines[0]).toMatch(mentions);
}

function expectSuccess(r: CliResult): void {
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^trace sha256\s+[0-9a-f]{64}$/m);
}

describe('cogsim run with a bad data file', () => {
  it('reads a well-formed .fvecs with its query file', () => {
    expectSuccess(cogsim(['run', '--data', file('good.fvecs'), '--query-file', file('queries.fvecs'), '--tiles', '2']));
  });

  it('refuses a .fvecs whose last record is truncated, naming the record', () => {
    expectOneLineError(cogsim(['run', '--data', file('truncated.fvecs'), '--query-file', file('queries.fvecs')]), /--data .*record 4 .*truncated/);
  });

  it('refuses a .fvecs whose record dim disagrees with the first record', () => {
    expectOneLineError(cogsim(['run', '--data', file('dim-mismatch.fvecs'), '--query-file', file('queries.fvecs')]), /--data .*record 2 .*dim 7/);
  });

  it('refuses --data without --query-file', () => {
    expectOneLineError(cogsim(['run', '--data', file('good.fvecs')]), /--data needs --query-file/);
  });

  it('refuses a --data file that does not exist', () => {
    expectOneLineError(cogsim(['run', '--data', file('missing.fvecs'), '--query-file', file('queries.fvecs')]), /--data .*missing\.fvecs: no such file/);
  });
});

describe('cogsim run with bad flags', () => {
  it('accepts --mesh 2x2 with --tiles 4 and refuses --tiles 5 on it', () => {
    expectSuccess(cogsim([...SMALL_RUN, '--mesh', '2x2', '--tiles', '4']));
    expectOneLineError(cogsim([...SMALL_RUN, '--mesh', '2x2', '--tiles', '5']), /mesh 2x2 has 4 tiles, --tiles asks for 5/);
  });

  it('refuses --mesh 2x2 with --tiles 8', () => {
    expectOneLineError(cogsim(['run', '--mesh', '2x2', '--tiles', '8']), /mesh 2x2 has 4 tiles, --tiles asks for 8/);
  });

  it('accepts --k 16 and refuses --k 17 (a tile keeps 16 candidates)', () => {
    expectSuccess(cogsim([...SMALL_RUN, '--k', '16']));
    expectOneLineError(cogsim([...SMALL_RUN, '--k', '17']), /--k 17 is outside 1\.\.16/);
  });

  it('accepts --dim 384 and refuses --dim 385 on bare tiles (the Core profile fp16 limit; Hot data runs on chips)', () => {
    expectSuccess(cogsim([...SMALL_RUN, '--dim', '384']));
    expectOneLineError(cogsim([...SMALL_RUN, '--dim', '385']), /dim 385 fp16 is above Core's 384 .*needs hot/);
  });

  it('refuses --tiles abc', () => {
    expectOneLineError(cogsim(['run', '--tiles', 'abc']), /--tiles takes a whole number, got 'abc'/);
  });

  it('refuses an unknown --schedule', () => {
    expectOneLineError(cogsim(['run', '--schedule', 'diagonal']), /--schedule takes one of query, block, got 'diagonal'/);
  });

  it('refuses --k above --vectors before running anything', () => {
    expectOneLineError(cogsim(['run', '--vectors', '5', '--clusters', '1', '--k', '6']), /--k 6 is more than --vectors 5/);
  });

  it('refuses a --trace path in a directory that does not exist', () => {
    expectOneLineError(cogsim([...SMALL_RUN, '--trace', file('no-such-dir/trace.jsonl')]), /no-such-dir/);
  });
});
