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

/**
 * A counted loop, `(loop $L ... (br_if $L (i32.lt_u (local.tee $x (i32.add (local.get $x)
 * (i32.const C))) (local.get $e))))` whose body writes neither $x nor $e, runs at most
 * 1 + (e - x) / C times: it is charged that much once, on entry, instead of one unit per
 * iteration. A corrupted bound charges a huge count and traps at once, so the watchdog
 * still stops it; a hot inner loop no longer pays a check per iteration.
 */
function countedLoop(loop: SList, bodyStart: number): { x: string; e: string; step: string } | undefined {
  const label = loop.items[1];
  const last = loop.items[loop.items.length - 1];
  if (label?.kind !== 'atom' || !label.text.startsWith('$') || bodyStart !== 2 || !last || headOf(last) !== 'br_if') return undefined;
  const br = last as SList;
  const [, target, cond] = br.items;
  if (target?.kind !== 'atom' || target.text !== label.text || br.items.length !== 3 || !cond || headOf(cond) !== 'i32.lt_u') return undefined;
  const [, tee, end] = (cond as SList).items;
  if (!tee || headOf(tee) !== 'local.tee' || !end || headOf(end) !== 'local.get') return undefined;
  const x = ((tee as SList).items[1] as { text?: string }).text;
  const add = (tee as SList).items[2];
  const e = ((end as SList).items[1] as { text?: string }).text;
  if (!x || !e || x === e || !add || headOf(add) !== 'i32.add') return undefined;
  const [, base, step] = (add as SList).items;
  const stepText = step && headOf(step) === 'i32.const' ? ((step as SList).items[1] as { text?: string }).text : undefined;
  if (!base || headOf(base) !== 'local.get' || ((base as SList).items[1] as { text?: string }).text !== x) return undefined;
  if (!stepText || !/^[1-9]\d*$/.test(stepText)) return undefined;
  const writes = (n: SNode): boolean =>
    n.kind === 'list' && (((headOf(n) === 'local.set' || headOf(n) === 'local.tee') && [x, e].includes((n.items[1] as { text?: string }).text ?? '')) || n.items.some(writes));
  if (loop.items.slice(bodyStart, -1).some(writes)) return undefined;
  return { x, e, step: stepText };
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
  const counted = countedLoop(loop, bodyStart);
  if (counted) {
    const { x, e, step } = counted;
    const charge = `(i32.add (i32.const 1) (select (i32.div_u (i32.sub (local.get ${e}) (local.get ${x})) (i32.const ${step})) (i32.const 0) (i32.gt_u (local.get ${e}) (local.get ${x}))))`;
    return list(
      [
        atom('block'),
        ...parseSnippet(
          `(if (i32.gt_u ${charge} (local.get ${FUEL_LOCAL})) (then (global.set $__fuel (i32.const -1)) (unreachable)))`,
          `(local.set ${FUEL_LOCAL} (i32.sub (local.get ${FUEL_LOCAL}) ${charge}))`,
        ),
        loop,
      ],
      loop.line,
    );
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
