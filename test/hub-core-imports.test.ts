import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// The hub core knows no search mode: neither it nor anything it imports (transitively)
// may reach a driver or a mode's own code. Every form of import counts: `import`,
// `import type`, `export ... from`, a bare `import '...'` and a dynamic `import('...')`.
const ROOT = new URL('..', import.meta.url).pathname;
const CORE = ['hub/hub.ts', ...readdirSync(join(ROOT, 'hub/core')).map((f) => `hub/core/${f}`)];
/** Driver files and what only the modes use: unit kinds and their steps, block ownership, indexes. */
const MODE_CODE = [/^hub\/modes\//, /^hub\/pull\//, /^hub\/push-hnsw\//, /^hub\/hnsw\//, /^hub\/work\/(job|job-planner|message-builder|work-plan|resume-point|explicit-blocks)\.ts$/, /^hub\/local-fallback\.ts$/];
/** Mode names and their vocabulary; `.push(` (an array's) does not count. */
const MODE_WORDS = /(?<![.\w])(push|pull|hnsw|walks?|scan|probe|schedule|stationary|batch(es)?)\b/i;

/** Module specifiers a source imports (comments removed first, so a commented-out import does not count). */
function moduleSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const forms = [/\b(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  return forms.flatMap((re) => [...code.matchAll(re)].map((m) => m[1]!));
}

function importsOf(file: string): string[] {
  return moduleSpecifiers(readFileSync(join(ROOT, file), 'utf8'))
    .filter((name) => name.startsWith('.'))
    .map((name) => relative(ROOT, join(dirname(join(ROOT, file)), name)));
}

/** Every project file reachable from `start` through relative imports, with the path that reached it. */
function reachable(start: readonly string[]): Map<string, string[]> {
  const seen = new Map<string, string[]>(start.map((f) => [f, [f]]));
  const todo = [...start];
  while (todo.length > 0) {
    const file = todo.pop()!;
    for (const target of importsOf(file)) {
      if (seen.has(target) || !existsSync(join(ROOT, target))) continue;
      seen.set(target, [...seen.get(file)!, target]);
      todo.push(target);
    }
  }
  return seen;
}

describe('import reading', () => {
  it('sees every form of import and skips commented-out ones', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "export { c } from './c.ts';",
      "import './d.ts';",
      "const e = await import('./e.ts');",
      "import {\n  f,\n  g,\n} from './fg.ts';",
      "// import { x } from './x.ts';",
      "/* import { y } from './y.ts'; */",
    ].join('\n');
    expect(moduleSpecifiers(source).sort()).toEqual(['../b.ts', './a.ts', './c.ts', './d.ts', './e.ts', './fg.ts']);
  });
});

describe('hub core', () => {
  it('imports no driver and no mode code, directly or through another file', () => {
    const reached = reachable(CORE);
    expect(reached.size).toBeGreaterThan(CORE.length); // the walk follows imports at all
    const offending = [...reached.entries()].filter(([f]) => MODE_CODE.some((re) => re.test(f))).map(([, path]) => path.join(' -> '));
    expect(offending).toEqual([]);
  });

  it('finds a driver when one is imported (the registry reaches every driver)', () => {
    const reached = [...reachable(['sim/run/modes.ts']).keys()];
    for (const driver of readdirSync(join(ROOT, 'hub/modes'))) expect(reached).toContain(`hub/modes/${driver}`);
  });

  it('names no search mode in its source', () => {
    const named = CORE.flatMap((f) =>
      readFileSync(join(ROOT, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => (MODE_WORDS.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(named).toEqual([]);
  });
});
