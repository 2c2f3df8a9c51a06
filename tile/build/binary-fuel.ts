// The watchdog, written into a module's IR: loops burn fuel from a counter the host sets
// before each call (`rvf_fuel_set` / `rvf_fuel_get`); when a charge exceeds what is left the
// kernel executes `unreachable` with the counter negative, so the host reports a budget
// stop, after the same number of iterations every run.
//
// Cheap by construction, because every simulated run executes it:
// * A function that loops keeps the fuel in a local (a register) and syncs the global only
//   at its entry and exits and around calls to functions that burn fuel themselves.
// * A counted loop, `(loop $L ... (br_if $L (COND)))` whose body writes neither its counter
//   nor its bound and has no other branch back to $L, is charged its whole trip count once,
//   before it starts, with COND one of
//     i32.lt_u (local.tee $x (i32.add (local.get $x) (i32.const C>0))) BOUND   1 + (BOUND - x) / C
//     i32.ne   (local.tee $x (i32.add (local.get $x) (i32.const 1)))   BOUND   BOUND - x
//     local.tee $x (i32.sub (local.get $x) (i32.const 1))                     x
//   (BOUND a constant or an unwritten local). A count that wraps, or a corrupted bound,
//   charges 2^32 - 1 and stops at once. Any other loop pays one unit per iteration.
import binaryen from 'binaryen';
import { forEachExpression } from './ir-walk.ts';

type Ref = number;
export const FUEL_GLOBAL = '__cogsim_fuel';
const FUEL_INITIAL = 0x7fffffff;
const X = binaryen as unknown as Record<string, Record<string, (e: Ref, v?: Ref) => unknown>>;

export interface FuelFunction {
  /** The fuel local of this function. */
  fuel: number;
  /** A temp local of `type` for `role`, made on first use. */
  local(role: string, type: number): number;
}

export function addFuelRuntime(mod: binaryen.Module): void {
  mod.addGlobal(FUEL_GLOBAL, binaryen.i32, true, mod.i32.const(FUEL_INITIAL));
  // Accessor functions rather than an exported global: V8 keeps an exported mutable global
  // behind an indirection, which every sync would pay for.
  mod.addFunction('__cogsim_fuel_set', binaryen.i32, binaryen.none, [], mod.global.set(FUEL_GLOBAL, mod.local.get(0, binaryen.i32)));
  mod.addFunction('__cogsim_fuel_get', binaryen.none, binaryen.i32, [], mod.global.get(FUEL_GLOBAL, binaryen.i32));
  mod.addFunctionExport('__cogsim_fuel_set', 'rvf_fuel_set');
  mod.addFunctionExport('__cogsim_fuel_get', 'rvf_fuel_get');
}

/** Functions that burn fuel: they loop, call indirectly, or call one that does. */
export function fuelBurners(mod: binaryen.Module, functions: readonly string[]): { burners: Set<string>; loopers: Set<string> } {
  const loopers = new Set<string>();
  const burners = new Set<string>();
  const calls = new Map<string, Set<string>>();
  for (const name of functions) {
    const out = new Set<string>();
    forEachExpression(binaryen.getFunctionInfo(mod.getFunction(name)).body, (e, id) => {
      if (id === binaryen.LoopId) loopers.add(name);
      if (id === binaryen.CallIndirectId) burners.add(name);
      if (id === binaryen.CallId) out.add(X.Call!.getTarget!(e) as string);
    });
    calls.set(name, out);
  }
  for (const l of loopers) burners.add(l);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, out] of calls) {
      if (!burners.has(name) && [...out].some((c) => burners.has(c))) {
        burners.add(name);
        changed = true;
      }
    }
  }
  return { burners, loopers };
}

const store = (mod: binaryen.Module, f: FuelFunction) => mod.global.set(FUEL_GLOBAL, mod.local.get(f.fuel, binaryen.i32));
const load = (mod: binaryen.Module, f: FuelFunction) => mod.local.set(f.fuel, mod.global.get(FUEL_GLOBAL, binaryen.i32));

/** `before`, then `inner`, then `after`, keeping inner's value. */
function around(mod: binaryen.Module, f: FuelFunction, before: Ref[], inner: Ref, after: Ref[]): Ref {
  const type = binaryen.getExpressionType(inner);
  if (type === binaryen.none || type === binaryen.unreachable) return mod.block(null, [...before, inner, ...after]);
  const tmp = f.local('value', type);
  return mod.block(null, [...before, mod.local.set(tmp, inner), ...after, mod.local.get(tmp, type)], type);
}

/** A call to a burning function, with the global synced around it. */
export function syncCall(mod: binaryen.Module, f: FuelFunction, call: Ref): Ref {
  return around(mod, f, [store(mod, f)], call, [load(mod, f)]);
}

/** `return v`: the value computed first, then the fuel stored, then the return. */
export function syncReturn(mod: binaryen.Module, f: FuelFunction, ret: Ref): Ref {
  const value = X.Return!.getValue!(ret) as Ref;
  if (!value) return mod.block(null, [store(mod, f), ret]);
  const type = binaryen.getExpressionType(value);
  const tmp = f.local('value', type);
  X.Return!.setValue!(ret, mod.block(null, [mod.local.set(tmp, value), store(mod, f), mod.local.get(tmp, type)], type));
  return ret;
}

/** A function body that loads the fuel on entry and stores it at the end. */
export function fuelBody(mod: binaryen.Module, f: FuelFunction, body: Ref): Ref {
  return around(mod, f, [load(mod, f)], body, [store(mod, f)]);
}

function trap(mod: binaryen.Module, value: Ref): Ref {
  return mod.block(null, [mod.global.set(FUEL_GLOBAL, value), mod.unreachable()]);
}

/** A loop with its fuel charge: the trip count up front when counted, else per iteration. */
export function chargeLoop(mod: binaryen.Module, f: FuelFunction, loop: Ref): Ref {
  const fl = () => mod.local.get(f.fuel, binaryen.i32);
  const charge = tripCount(mod, loop);
  if (charge !== undefined) {
    const c = f.local('charge', binaryen.i32);
    const cv = () => mod.local.get(c, binaryen.i32);
    return mod.block(
      null,
      [mod.local.set(c, charge), mod.if(mod.i32.gt_u(cv(), fl()), trap(mod, mod.i32.const(-1))), mod.local.set(f.fuel, mod.i32.sub(fl(), cv())), loop],
      binaryen.getExpressionType(loop),
    );
  }
  const body = X.Loop!.getBody!(loop) as Ref;
  const burn = mod.local.set(f.fuel, mod.i32.sub(fl(), mod.i32.const(1)));
  const check = mod.if(mod.i32.lt_s(fl(), mod.i32.const(0)), trap(mod, fl()));
  X.Loop!.setBody!(loop, mod.block(null, [burn, check, body], binaryen.getExpressionType(body)));
  return loop;
}

interface Counter {
  x: number; // the counter local
  tee: Ref; // the br_if's own write of it
  kind: 'lt_u' | 'ne' | 'down';
  step: number;
  bound?: { local: number } | { value: number };
}

const isId = (e: Ref, id: number) => e !== 0 && binaryen.getExpressionId(e) === id;

function constI32(e: Ref): number | undefined {
  if (!isId(e, binaryen.ConstId) || binaryen.getExpressionType(e) !== binaryen.i32) return undefined;
  return X.Const!.getValueI32!(e) as number;
}

/** `(local.tee $x (i32.add|sub (local.get $x) (i32.const C)))`: x, the signed step, the tee. */
function stepOf(e: Ref): { x: number; step: number } | undefined {
  if (!isId(e, binaryen.LocalSetId) || !X.LocalSet!.isTee!(e)) return undefined;
  const x = X.LocalSet!.getIndex!(e) as number;
  const v = X.LocalSet!.getValue!(e) as Ref;
  if (!isId(v, binaryen.BinaryId)) return undefined;
  const op = X.Binary!.getOp!(v);
  const left = X.Binary!.getLeft!(v) as Ref;
  const c = constI32(X.Binary!.getRight!(v) as Ref);
  if (c === undefined || !isId(left, binaryen.LocalGetId) || X.LocalGet!.getIndex!(left) !== x) return undefined;
  if (op === binaryen.AddInt32) return { x, step: c };
  if (op === binaryen.SubInt32) return { x, step: -c };
  return undefined;
}

function counterOf(cond: Ref): Counter | undefined {
  const down = stepOf(cond);
  if (down) return down.step === -1 ? { x: down.x, tee: cond, kind: 'down', step: 1 } : undefined;
  if (!isId(cond, binaryen.BinaryId)) return undefined;
  const op = X.Binary!.getOp!(cond);
  const kind = op === binaryen.LtUInt32 ? 'lt_u' : op === binaryen.NeInt32 ? 'ne' : undefined;
  const tee = X.Binary!.getLeft!(cond) as Ref;
  const s = stepOf(tee);
  if (!kind || !s || s.step <= 0 || (kind === 'ne' && s.step !== 1)) return undefined;
  const right = X.Binary!.getRight!(cond) as Ref;
  const value = constI32(right);
  if (value !== undefined) return { x: s.x, tee, kind, step: s.step, bound: { value } };
  if (!isId(right, binaryen.LocalGetId) || X.LocalGet!.getIndex!(right) === s.x) return undefined;
  return { x: s.x, tee, kind, step: s.step, bound: { local: X.LocalGet!.getIndex!(right) as number } };
}

/** The loop's counter when its only way round is the final br_if and nothing else moves it. */
function countedLoop(loop: Ref): Counter | undefined {
  const name = X.Loop!.getName!(loop) as string | null;
  const body = X.Loop!.getBody!(loop) as Ref;
  if (!name) return undefined;
  const isBlock = isId(body, binaryen.BlockId);
  const n = isBlock ? (X.Block!.getNumChildren!(body) as number) : 1;
  const last = isBlock ? (X.Block!.getChildAt as (e: Ref, i: number) => Ref)(body, n - 1) : body;
  if (!isId(last, binaryen.BreakId) || X.Break!.getName!(last) !== name || X.Break!.getValue!(last)) return undefined;
  const counter = counterOf(X.Break!.getCondition!(last) as Ref);
  if (!counter) return undefined;
  const guarded = new Set([counter.x, ...(counter.bound && 'local' in counter.bound ? [counter.bound.local] : [])]);
  let clean = true;
  forEachExpression(body, (e, id) => {
    if (id === binaryen.LocalSetId && e !== counter.tee && guarded.has(X.LocalSet!.getIndex!(e) as number)) clean = false;
    if (id === binaryen.BreakId && e !== last && X.Break!.getName!(e) === name) clean = false;
    if (id === binaryen.SwitchId && [...(X.Switch!.getNames!(e) as string[]), X.Switch!.getDefaultName!(e) as string].includes(name)) clean = false;
  });
  return clean ? counter : undefined;
}

/** Iterations of a counted loop entered now, as an i32 (u32) expression; undefined if not counted. */
function tripCount(mod: binaryen.Module, loop: Ref): Ref | undefined {
  const c = countedLoop(loop);
  if (!c) return undefined;
  const x = () => mod.local.get(c.x, binaryen.i32);
  const bound = () => (c.bound && 'local' in c.bound ? mod.local.get(c.bound.local, binaryen.i32) : mod.i32.const(c.bound && 'value' in c.bound ? c.bound.value : 0));
  const never = mod.i32.const(-1); // 2^32 - 1: more than any budget, so the charge traps
  if (c.kind === 'down') return mod.select(mod.i32.eqz(x()), never, x());
  if (c.kind === 'ne') return mod.select(mod.i32.eq(bound(), x()), never, mod.i32.sub(bound(), x()));
  // lt_u: the counter never wraps while the bound is at most 2^32 - 1 - step.
  const steps = mod.select(mod.i32.gt_u(bound(), x()), mod.i32.div_u(mod.i32.sub(bound(), x()), mod.i32.const(c.step)), mod.i32.const(0));
  return mod.select(mod.i32.gt_u(bound(), mod.i32.const((0xffffffff - c.step) | 0)), never, mod.i32.add(mod.i32.const(1), steps));
}
