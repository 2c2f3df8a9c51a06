// Keeps a looping function's fuel in a local instead of the global (tile/build/instrument.ts):
// a loop iteration then costs a register decrement and a branch, not a load and a store.
// The global stays the truth at every boundary: the function loads it on entry, and writes
// the local back before each call (the callee reads the global), after each call (it reads
// what the callee left), before each return and at the end, and before trapping, so the
// host reads exactly what was burned.
import { atom, headOf, list, parseSexprs, type SList, type SNode } from './sexpr.ts';

export const FUEL_LOCAL = '$__fl';
const HEADER_HEADS = new Set(['export', 'import', 'type', 'param', 'result', 'local']);

export interface ModuleFunctions {
  /** Result types of every function, by name. */
  results: Map<string, string[]>;
  /** Functions that burn fuel: they loop, or call one that does. Only calls to these need syncing. */
  burners: Set<string>;
}

function walk(node: SNode, visit: (n: SList) => void): void {
  if (node.kind === 'atom') return;
  visit(node);
  for (const n of node.items) walk(n, visit);
}

export function moduleFunctions(fields: readonly SNode[]): ModuleFunctions {
  const results = new Map<string, string[]>();
  const callees = new Map<string, Set<string>>();
  const burners = new Set<string>();
  for (const f of fields) {
    if (headOf(f) !== 'func' || f.kind !== 'list') continue;
    const name = f.items[1]?.kind === 'atom' ? f.items[1].text : undefined;
    if (!name?.startsWith('$')) continue;
    results.set(name, resultsOf(f));
    const calls = new Set<string>();
    walk(f, (n) => {
      const h = headOf(n);
      if (h === 'loop') burners.add(name);
      if (h === 'call' && n.items[1]?.kind === 'atom') calls.add(n.items[1].text);
    });
    callees.set(name, calls);
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, calls] of callees) {
      if (!burners.has(name) && [...calls].some((c) => burners.has(c))) {
        burners.add(name);
        changed = true;
      }
    }
  }
  return { results, burners };
}

function resultsOf(func: SList): string[] {
  return func.items.filter((n) => headOf(n) === 'result').flatMap((n) => (n as SList).items.slice(1).map((a) => (a as { text: string }).text));
}

function snippet(text: string): SNode {
  return parseSexprs(text, '<fuel-local>')[0]!;
}

const store = () => snippet(`(global.set $__fuel (local.get ${FUEL_LOCAL}))`);
const load = () => snippet(`(local.set ${FUEL_LOCAL} (global.get $__fuel))`);

function usesFuelLocal(node: SNode): boolean {
  if (node.kind === 'atom') return node.text === FUEL_LOCAL;
  return node.items.some(usesFuelLocal);
}

function block(results: string[], items: SNode[]): SList {
  const type = results.length > 0 ? [list([atom('result'), ...results.map((r) => atom(r))])] : [];
  return list([atom('block'), ...type, ...items]);
}

function syncCalls(node: SNode, fns: ModuleFunctions, funcResults: string[]): SNode {
  if (node.kind === 'atom') return node;
  const items = node.items.map((n, i) => (i === 0 ? n : syncCalls(n, fns, funcResults)));
  const head = headOf(node);
  const callee = items[1]?.kind === 'atom' ? items[1].text : '';
  // A callee that never burns fuel needs no sync, and stays cheap to inline.
  if (head === 'call' && fns.burners.has(callee)) {
    return block(fns.results.get(callee) ?? [], [store(), list(items, node.line), load()]);
  }
  if (head === 'return') {
    const value = items.slice(1);
    return value.length > 0 ? list([atom('return'), block(funcResults, [...value, store()])]) : block([], [store(), list(items)]);
  }
  return list(items, node.line);
}

/** A function whose loops burn the fuel local, with the boundaries synced. */
export function localizeFuel(func: SList, fns: ModuleFunctions): SList {
  if (!usesFuelLocal(func)) return func;
  let bodyStart = 1;
  if (func.items[1]?.kind === 'atom' && func.items[1].text.startsWith('$')) bodyStart = 2;
  while (bodyStart < func.items.length && HEADER_HEADS.has(headOf(func.items[bodyStart]!) ?? '')) bodyStart++;
  const own = resultsOf(func);
  const body = func.items.slice(bodyStart).map((n) => syncCalls(n, fns, own));
  return list(
    [...func.items.slice(0, bodyStart), snippet(`(local ${FUEL_LOCAL} i32)`), load(), block(own, body), store()],
    func.line,
  );
}
