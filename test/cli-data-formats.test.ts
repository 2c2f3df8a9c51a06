import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeBvecs } from '../hub/data/fvecs.ts';
import { tempDirs } from './helpers/temp-dir.ts';

describe('cogsim run on user data', () => {
  const tempDir = tempDirs('cogsim-bvecs-');

  it('searches .bvecs base and query files exactly (uint8 widens to f32 losslessly)', () => {
    const dir = tempDir();
    const dim = 16;
    const base = new Uint8Array(300 * dim).map((_, i) => (i * 37 + (i >> 4) * 11) % 256);
    const queries = new Uint8Array(5 * dim).map((_, i) => (i * 53) % 256);
    writeFileSync(join(dir, 'b.bvecs'), writeBvecs(base, dim));
    writeFileSync(join(dir, 'q.bvecs'), writeBvecs(queries, dim));
    const out = execFileSync('node', ['sim/cli/cogsim.js', 'run', '--data', join(dir, 'b.bvecs'), '--query-file', join(dir, 'q.bvecs'), '--tiles', '4', '--k', '5', '--json'], {
      encoding: 'utf8',
    });
    const r = JSON.parse(out) as { queries: number; recallAtK: number; exactMatches: number };
    expect(r.queries).toBe(5);
    expect(r.recallAtK).toBe(1);
    expect(r.exactMatches).toBe(5);
  });
});
