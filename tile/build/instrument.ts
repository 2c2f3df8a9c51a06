// Source-level instrumentation of the kernel, applied to the parsed WAT before assembly.
//
// strict: every load, store and bulk-memory address goes through $__mpu, which traps when
//   the effective address falls below the data window. Above the scratch window the
//   memory itself ends (two pages, no growth), so the engine's own bounds check traps.
//   The faulting address is left in the exported global `rvf_mpu_fault` for the host.
// fuel: every loop iteration burns one unit of the fuel counter (set and read by the host
//   through `rvf_fuel_set` / `rvf_fuel_get`); when it goes negative the kernel executes
//   `unreachable`. The host sets the budget before each call, so a tile stuck in a loop
//   stops after the same number of iterations every run.
//
// Both need the memory operations written in folded form, `(i32.load offset=4 (ADDR))`,
// so the address operand is a subtree; a stack-form load is refused with its line.
import { DATA_BASE } from '../../wat/layout.ts';
import { FUEL_LOCAL, localizeFuel, moduleFunctions, type ModuleFunctions } from './fuel-local.ts';
import { atom, headOf, list, parseSexprs, type SList, type SNode, WatSyntaxError } from './sexpr.ts';

const MEMORY_OP = /^(i32|i64|f32|f64|v128)\.(load|store)/;
const FUEL_INITIAL = 0x7fffffff;

export interface Instrumentation {
  strict: boolean;
  fuel: boolean;
}

/** `fns`: the whole module's functions (moduleFunctions over every file, before instrumenting). */
export function instrumentModule(fields: SNode[], opts: Instrumentation, file: string, fns?: ModuleFunctions): SNode[] {
  if (!opts.strict && !opts.fuel) return fields;
  const rewritten = fields.map((f) => rewrite(f, opts, file));
  if (!opts.fuel) return rewritten;
  const all = fns ?? moduleFunctions(fields);
  return rewritten.map((f) => (headOf(f) === 'func' && f.kind === 'list' ? localizeFuel(f, all) : f));
}

/** The functions and globals the instrumentation calls; added once per module. */
export function instrumentationRuntime(opts: Instrumentation): SNode[] {
  return [...(opts.strict ? strictRuntime() : []), ...(opts.fuel ? fuelRuntime() : [])];
}

function rewrite(node: SNode, opts: Instrumentation, file: string): SNode {
  if (node.kind === 'atom') {
    if ((opts.fuel && node.text === 'loop') || (opts.strict && MEMORY_OP.test(node.text))) {
      throw new WatSyntaxError(file, node.line, `'${node.text}' in stack form; the build instruments folded forms only`);
    }
    return node;
  }
  const head = headOf(node);
  // The head atom itself is not an instruction to refuse, so rewrite only the operands.
  const items = node.items.map((n, i) => (i === 0 && head !== undefined ? n : rewrite(n, opts, file)));
  const out: SList = list(items, node.line);
  if (head === undefined) return out;
  if (opts.strict && MEMORY_OP.test(head)) return guardAddress(out, file);
  if (opts.strict && (head === 'memory.copy' || head === 'memory.fill')) return guardBulk(out, head);
  if (opts.fuel && head === 'loop') return burnFuel(out);
  return out;
}

function guardAddress(op: SList, file: string): SList {
  let offset = 0;
  const addrIndex = op.items.findIndex((n, i) => i > 0 && n.kind === 'list');
  if (addrIndex < 0) throw new WatSyntaxError(file, op.line, `'${headOf(op)}' has no folded address operand`);
  for (const n of op.items.slice(1, addrIndex)) {
    if (n.kind === 'atom' && n.text.startsWith('offset=')) offset = Number(n.text.slice(7));
  }
  const items = op.items.slice();
  items[addrIndex] = list([atom('call'), atom('$__mpu'), items[addrIndex]!, list([atom('i32.const'), atom(String(offset))])]);
  return list(items, op.line);
}

function guardBulk(op: SList, head: string): SList {
  const items = op.items.slice();
  const guarded = head === 'memory.copy' ? [1, 2] : [1];
  for (const i of guarded) {
    const operand = items[i];
    if (operand) items[i] = list([atom('call'), atom('$__mpu'), operand, list([atom('i32.const'), atom('0')])]);
  }
  return list(items, op.line);
}

function burnFuel(loop: SList): SList {
  let bodyStart = 1;
  while (bodyStart < loop.items.length) {
    const n = loop.items[bodyStart]!;
    const isLabel = n.kind === 'atom' && n.text.startsWith('$');
    const h = headOf(n);
    const isType = h === 'result' || h === 'param' || h === 'type';
    if (!isLabel && !isType) break;
    bodyStart++;
  }
  // The function keeps its fuel in a local (tile/build/fuel-local.ts); the global gets the
  // spent count back before the trap so the host sees the overrun.
  const burn = parseSnippet(
    `(local.set ${FUEL_LOCAL} (i32.sub (local.get ${FUEL_LOCAL}) (i32.const 1)))`,
    `(if (i32.lt_s (local.get ${FUEL_LOCAL}) (i32.const 0)) (then (global.set $__fuel (local.get ${FUEL_LOCAL})) (unreachable)))`,
  );
  const items = [...loop.items.slice(0, bodyStart), ...burn, ...loop.items.slice(bodyStart)];
  return list(items, loop.line);
}

function strictRuntime(): SNode[] {
  return parseSnippet(
    '(global $__mpu_fault (export "rvf_mpu_fault") (mut i32) (i32.const -1))',
    `(func $__mpu (param $a i32) (param $o i32) (result i32)
       (if (i32.lt_u (i32.add (local.get $a) (local.get $o)) (i32.const ${DATA_BASE}))
         (then (global.set $__mpu_fault (i32.add (local.get $a) (local.get $o))) (unreachable)))
       (local.get $a))`,
  );
}

// The counter is an internal global with accessor exports rather than an exported
// global: V8 keeps an exported mutable global behind an indirection, which made every loop
// iteration pay for a load and a store through it.
function fuelRuntime(): SNode[] {
  return parseSnippet(
    `(global $__fuel (mut i32) (i32.const ${FUEL_INITIAL}))`,
    '(func $__fuel_set (export "rvf_fuel_set") (param $f i32) (global.set $__fuel (local.get $f)))',
    '(func $__fuel_get (export "rvf_fuel_get") (result i32) (global.get $__fuel))',
  );
}

function parseSnippet(...texts: string[]): SNode[] {
  return texts.flatMap((t) => parseSexprs(t, '<instrument>'));
}
