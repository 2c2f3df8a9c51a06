// Outputs never land on an input and are never half-written (temp file + rename).
import { existsSync, linkSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtomicFile, checkOutputPaths, writeFileAtomic } from '../sim/output/safe-write.ts';
import { tempDirs } from './helpers/temp-dir.ts';

const dir = tempDirs('cogsim-safe-write-')();

describe('safe output files', () => {
  it('replaces a file only when the new one is complete, leaving no temporary file', () => {
    const path = join(dir, 'a.ivecs');
    writeFileSync(path, 'old');
    const f = new AtomicFile({ flag: '--out', path });
    f.write('new, part 1; ');
    expect(readFileSync(path, 'utf8')).toBe('old'); // mid-write the old file is intact
    f.write('part 2');
    f.commit();
    expect(readFileSync(path, 'utf8')).toBe('new, part 1; part 2');
    expect(readdirSync(dir)).toEqual(['a.ivecs']);
  });

  it('keeps the old file when a write is abandoned', () => {
    const path = join(dir, 'b.json');
    writeFileAtomic({ flag: '--out', path }, 'old');
    const f = new AtomicFile({ flag: '--out', path });
    f.write('half');
    f.abandon();
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir).filter((n) => n.includes('b.json'))).toEqual(['b.json']);
  });

  it('refuses an output that is an input under another spelling: ./, a symlink, a hard link', () => {
    const input = join(dir, 'base.fvecs');
    writeFileSync(input, 'data');
    symlinkSync(input, join(dir, 'sym.fvecs'));
    linkSync(input, join(dir, 'hard.fvecs'));
    for (const spelling of [join(dir, '.', 'base.fvecs'), join(dir, 'sym.fvecs'), join(dir, 'hard.fvecs')]) {
      expect(() => checkOutputPaths([{ flag: '--out', path: spelling }], [{ flag: '--data', path: input }])).toThrow(`--out ${spelling} is the same file as --data ${input}; an output never overwrites an input or a key, choose another path`);
    }
    expect(() => checkOutputPaths([{ flag: '--out', path: join(dir, 'other.ivecs') }], [{ flag: '--data', path: input }])).not.toThrow();
  });

  it('refuses an output whose folder does not exist, before any run', () => {
    const path = join(dir, 'missing', 'r.ivecs');
    expect(() => checkOutputPaths([{ flag: '--out', path }], [])).toThrow(`--out ${path}: the folder ${join(dir, 'missing')} does not exist`);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });
});
