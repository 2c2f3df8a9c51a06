import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Issue 10's shape rules for the hub, kept true as features land: the core file stays under
// 300 lines and no function in hub/ reaches past 80 lines. Declarative machine definitions
// (hub/machines/) are excepted. TypeScript 7 ships no JS compiler API, so functions are found
// by a small token scan: a `{` opens a function body when it follows `=>`, or follows the
// parameter list (and optional return type) of a declaration, method, accessor or constructor.
const ROOT = new URL('..', import.meta.url).pathname;
const HUB_CORE_MAX_LINES = 300;
const FUNCTION_MAX_LINES = 80;
const EXCEPTED = [/^hub\/machines\//];

interface Token {
  text: string;
  line: number;
}

const KEYWORD_BLOCKS = new Set(['if', 'for', 'while', 'switch', 'catch', 'with']);
/** After these a `/` starts a regular expression rather than a division. */
const BEFORE_REGEX = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await']);

/** Code tokens with their lines; comments dropped, strings, template text and regexes one token each. */
function tokenize(src: string): Token[] {
  const out: Token[] = [];
  const templates: number[] = []; // brace depth at each open `${`
  let depth = 0;
  let line = 1;
  let i = 0;
  const push = (text: string, at: number): void => void out.push({ text, line: at });
  const skipQuoted = (quote: string): void => {
    for (i++; i < src.length && src[i] !== quote; i++) if (src[i] === '\\') i++;
    i++;
  };
  const templateText = (): void => {
    // From just after a backtick or a closing `}` of `${`: up to the closing backtick or the next `${`.
    for (; i < src.length; i++) {
      if (src[i] === '\\') i++;
      else if (src[i] === '\n') line++;
      else if (src[i] === '`') return void i++;
      else if (src[i] === '$' && src[i + 1] === '{') {
        templates.push(depth);
        depth++;
        i += 2;
        return;
      }
    }
  };
  while (i < src.length) {
    const c = src[i]!;
    const prev = out.at(-1)?.text;
    if (c === '\n') (line++, i++);
    else if (/\s/.test(c)) i++;
    else if (src.startsWith('//', i)) while (i < src.length && src[i] !== '\n') i++;
    else if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      line += src.slice(i, stop).split('\n').length - 1;
      i = stop;
    } else if (c === "'" || c === '"') (push('STRING', line), skipQuoted(c));
    else if (c === '`') (push('STRING', line), i++, templateText());
    else if (c === '/' && (prev === undefined || !/^[\w$)\]}]/.test(prev) || BEFORE_REGEX.has(prev))) {
      push('REGEX', line);
      for (i++; i < src.length && src[i] !== '/'; i++) {
        if (src[i] === '\\') i++;
        else if (src[i] === '[') while (i < src.length && src[i] !== ']') i += src[i] === '\\' ? 2 : 1;
      }
      i++;
    } else if (/[\w$]/.test(c)) {
      const m = /^[\w$]+/.exec(src.slice(i, i + 200))!;
      push(m[0], line);
      i += m[0].length;
    } else if (src.startsWith('=>', i)) (push('=>', line), (i += 2));
    else if (c === '}' && templates.at(-1) === depth - 1) {
      templates.pop();
      depth--;
      i++;
      templateText();
    } else {
      if (c === '{') depth++;
      if (c === '}') depth--;
      push(c, line);
      i++;
    }
  }
  return out;
}

const OPEN: Record<string, string> = { ')': '(', ']': '[', '}': '{', '>': '<' };
/** Tokens a type literal `{...}` may follow inside a return type. */
const BEFORE_TYPE_LITERAL = new Set([':', '|', '&', '=>']);

/** Index of the opener matching the closer at `at`, walking back; a generic's `>` counts only in a type. */
function openerBefore(tokens: Token[], at: number, inType = false): number {
  const stack: string[] = [];
  for (let j = at; j >= 0; j--) {
    const t = tokens[j]!.text;
    if (t in OPEN && (inType || t !== '>')) stack.push(OPEN[t]!);
    else if (t === stack.at(-1)) {
      stack.pop();
      if (stack.length === 0) return j;
    }
  }
  return -1;
}

/** Whether `close` is the `)` of a parameter list (not of `if (...)` and kin); the index of its `(` if so. */
function parameterList(tokens: Token[], close: number): number {
  if (tokens[close]?.text !== ')') return -1;
  const open = openerBefore(tokens, close);
  const before = tokens[open - 1]?.text ?? '';
  if (KEYWORD_BLOCKS.has(before) || (before === 'await' && tokens[open - 2]?.text === 'for')) return -1;
  return open;
}

/** Where a function whose body opens at `brace` starts (token index), or -1 if the brace opens no function. */
function functionStart(tokens: Token[], brace: number): number {
  const prev = brace - 1;
  if (tokens[prev]?.text === '=>') {
    const params = parameterList(tokens, prev - 1);
    return params >= 0 ? params : prev - 1;
  }
  if (tokens[prev]?.text === ')') return parameterList(tokens, prev);
  // A return type: walk back over it at depth 0 to its `:`, which must follow a parameter list.
  for (let j = prev; j >= 0; j--) {
    const t = tokens[j]!.text;
    if (t in OPEN) {
      j = openerBefore(tokens, j, true);
      if (j < 0 || (t === '}' && !BEFORE_TYPE_LITERAL.has(tokens[j - 1]?.text ?? ''))) return -1;
    } else if (t === ':') return j < prev ? parameterList(tokens, j - 1) : -1; // `: {` is a type literal or a case's block
    else if (';{=,([<'.includes(t)) return -1;
  }
  return -1;
}

/** Every function (declaration, method, accessor, constructor, arrow or function expression with a block body) and its line span. */
function functionSpans(src: string): { line: number; lines: number }[] {
  const tokens = tokenize(src);
  const spans: { line: number; lines: number }[] = [];
  const opened: (number | null)[] = [];
  tokens.forEach((t, i) => {
    if (t.text === '{') opened.push(functionStart(tokens, i));
    else if (t.text === '}') {
      const start = opened.pop();
      if (start !== undefined && start !== null && start >= 0) spans.push({ line: tokens[start]!.line, lines: t.line - tokens[start]!.line + 1 });
    }
  });
  return spans.sort((a, b) => a.line - b.line);
}

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((f) => {
    const path = `${dir}/${f}`;
    if (statSync(join(ROOT, path)).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** A function whose body spans `lines` lines, with a statement per line. */
function fn(lines: number): string {
  return ['function f(): void {', ...Array.from({ length: lines - 2 }, (_, i) => `  g(${i});`), '}'].join('\n');
}

describe('function scan', () => {
  it('measures declarations from their first line to their closing brace', () => {
    expect(functionSpans(fn(81))).toEqual([{ line: 1, lines: 81 }]);
    expect(functionSpans(`const x = 1;\n${fn(80)}`)).toEqual([{ line: 2, lines: 80 }]);
  });

  it('finds methods, accessors, constructors, arrows and function expressions, and nothing else', () => {
    const source = [
      'class A {', // 1
      '  constructor(private readonly b: number) {}', // 2
      '  get c(): { d: number } | null {', // 3
      '    if (this.b > 0) { return { d: 1 }; }', // 4
      '    for (const x of [1]) { while (x) { break; } }', // 5
      '    return null;', // 6
      '  }', // 7
      '  m<T extends { e: 1 }>(t: T): Map<string, { f: T }> {', // 8
      '    const s = `}${"{"}{${t ? `${1}}` : "}"}`;', // 9
      '    const r = /[{]\\}{2}/;', // 10
      '    return new Map([[s, { f: t }]]);', // 11
      '  }', // 12
      '}', // 13
      'const h = (x: number): number => {', // 14
      '  switch (x) { case 1: { return 1; } }', // 15
      '  try { return 2; } catch { return 3; }', // 16
      '};', // 17
      'const o = { k() { return 1; }, l: function () { return 2; }, n: async (y) => { await y; } };', // 18
      'interface I { p(): void }', // 19
    ].join('\n');
    expect(functionSpans(source)).toEqual([
      { line: 2, lines: 1 },
      { line: 3, lines: 5 },
      { line: 8, lines: 5 },
      { line: 14, lines: 4 },
      { line: 18, lines: 1 },
      { line: 18, lines: 1 },
      { line: 18, lines: 1 },
    ]);
  });
});

describe('hub shape (issue 10)', () => {
  it(`keeps hub/hub.ts under ${HUB_CORE_MAX_LINES} lines`, () => {
    const lines = readFileSync(join(ROOT, 'hub/hub.ts'), 'utf8').replace(/\n$/, '').split('\n').length;
    expect(lines).toBeLessThan(HUB_CORE_MAX_LINES);
  });

  it(`has no function in hub/ over ${FUNCTION_MAX_LINES} lines (machine definitions excepted)`, () => {
    const files = tsFiles('hub').filter((f) => !EXCEPTED.some((re) => re.test(f)));
    expect(files.length).toBeGreaterThan(50); // the walk found the hub at all
    const long = files.flatMap((f) =>
      functionSpans(readFileSync(join(ROOT, f), 'utf8'))
        .filter((s) => s.lines > FUNCTION_MAX_LINES)
        .map((s) => `${relative(ROOT, join(ROOT, f))}:${s.line}: ${s.lines} lines`),
    );
    expect(long).toEqual([]);
  });
});
