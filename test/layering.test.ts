import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Data flows one way: wat -> tile -> protocol -> hub -> sim. A layer imports only layers to
// its left (and itself).
const ORDER = ['wat', 'tile', 'protocol', 'hub', 'sim'] as const;
const ROOT = new URL('..', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('layering', () => {
  it('never lets a lower layer import a higher one', () => {
    const violations: string[] = [];
    for (const [rank, layer] of ORDER.entries()) {
      for (const file of files(join(ROOT, layer))) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/from '(\.[^']+)'/g)) {
          const target = relative(ROOT, join(file, '..', m[1]!)).split('/')[0]!;
          const targetRank = ORDER.indexOf(target as (typeof ORDER)[number]);
          if (targetRank > rank) violations.push(`${relative(ROOT, file)} imports ${m[1]}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });
});
