// A minimal S-expression reader/printer for WAT, enough for the build's source
// transforms (strict-window checks, fuel counters). Comments are dropped; strings and
// atoms are kept verbatim. Each node remembers its source line so a transform can name
// the place it refuses to rewrite.

export type SNode = SAtom | SList;
export interface SAtom {
  readonly kind: 'atom';
  readonly text: string;
  readonly line: number;
}
export interface SList {
  readonly kind: 'list';
  readonly items: SNode[];
  readonly line: number;
}

export class WatSyntaxError extends Error {
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'WatSyntaxError';
  }
}

export function parseSexprs(source: string, file: string): SNode[] {
  const stack: SList[] = [{ kind: 'list', items: [], line: 1 }];
  let line = 1;
  let i = 0;
  const top = (): SList => stack[stack.length - 1]!;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === ';' && source[i + 1] === ';') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '(' && source[i + 1] === ';') {
      const end = source.indexOf(';)', i + 2);
      if (end < 0) throw new WatSyntaxError(file, line, 'unterminated block comment');
      for (let j = i; j < end; j++) if (source[j] === '\n') line++;
      i = end + 2;
    } else if (c === '(') {
      const list: SList = { kind: 'list', items: [], line };
      top().items.push(list);
      stack.push(list);
      i++;
    } else if (c === ')') {
      if (stack.length === 1) throw new WatSyntaxError(file, line, "unbalanced ')'");
      stack.pop();
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < source.length && source[j] !== '"') j += source[j] === '\\' ? 2 : 1;
      top().items.push({ kind: 'atom', text: source.slice(i, j + 1), line });
      i = j + 1;
    } else {
      let j = i;
      while (j < source.length && !/[\s()";]/.test(source[j]!)) j++;
      top().items.push({ kind: 'atom', text: source.slice(i, j), line });
      i = j;
    }
  }
  if (stack.length !== 1) throw new WatSyntaxError(file, top().line, "unclosed '(' opened here");
  return stack[0]!.items;
}

export function printSexprs(nodes: readonly SNode[]): string {
  return nodes.map((n) => printNode(n, 0)).join('\n') + '\n';
}

function printNode(node: SNode, depth: number): string {
  if (node.kind === 'atom') return node.text;
  const parts = node.items.map((n) => printNode(n, depth + 1));
  const flat = `(${parts.join(' ')})`;
  if (flat.length < 100 && !flat.includes('\n')) return flat;
  const pad = '  '.repeat(depth + 1);
  return `(${parts[0] ?? ''}\n${parts.slice(1).map((p) => pad + p).join('\n')})`;
}

export function atom(text: string, line = 0): SAtom {
  return { kind: 'atom', text, line };
}

export function list(items: SNode[], line = 0): SList {
  return { kind: 'list', items, line };
}

export function headOf(node: SNode): string | undefined {
  if (node.kind !== 'list') return undefined;
  const h = node.items[0];
  return h?.kind === 'atom' ? h.text : undefined;
}
