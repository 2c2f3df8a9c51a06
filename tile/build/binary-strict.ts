// The window check, written into a module's IR (the tile's MPU in simulation): every load,
// store and bulk-memory operation traps unless all the bytes it touches lie in the tile's
// windows, the data window and the scratch window above it, [DATA_BASE, MEMORY_BYTES).
// Below the data window (the hole), past the scratch window, or starting in the hole and
// running into the data window: the trap leaves the effective address in the exported
// global `rvf_mpu_fault` for the host (tile/tile-instance.ts).
//
// A load or store has a constant offset and size, so its check is one subtract and one
// unsigned compare on the pointer, inline: ptr - lo >u hi - lo traps, where [lo, hi] are
// the pointers whose whole access fits. Bulk operations have a run-time length and call
// `$__cogsim_mpu_range`.
import binaryen from 'binaryen';
import { DATA_BASE, MEMORY_BYTES } from '../../wat/layout.ts';

type Ref = number;
export const MPU_FAULT_GLOBAL = '__cogsim_mpu_fault';
const RANGE_FN = '__cogsim_mpu_range';

const SIMD_LOAD_BYTES = [1, 2, 4, 8, 8, 8, 8, 8, 8, 8, 4, 8]; // by binaryen's SIMDLoad op
const LANE_BYTES = [1, 2, 4, 8, 1, 2, 4, 8]; // Load8Lane..Load64Lane, Store8Lane..Store64Lane

/** Temp locals one function's checks need, made on first use. */
export interface FunctionTemps {
  i32(role: string): number;
}

const X = binaryen as unknown as Record<string, Record<string, (e: Ref, v?: Ref) => number>>;

export function addStrictRuntime(mod: binaryen.Module): void {
  mod.addGlobal(MPU_FAULT_GLOBAL, binaryen.i32, true, mod.i32.const(-1));
  mod.addGlobalExport(MPU_FAULT_GLOBAL, 'rvf_mpu_fault');
  const a = () => mod.local.get(0, binaryen.i32);
  const n = () => mod.local.get(1, binaryen.i32);
  // a must be in [DATA_BASE, MEMORY_BYTES] and n at most MEMORY_BYTES - a (no wrap: the
  // first test bounds a, and the two are OR-ed, so a wrapped difference is never trusted).
  const outside = mod.i32.or(
    mod.i32.gt_u(mod.i32.sub(a(), mod.i32.const(DATA_BASE)), mod.i32.const(MEMORY_BYTES - DATA_BASE)),
    mod.i32.gt_u(n(), mod.i32.sub(mod.i32.const(MEMORY_BYTES), a())),
  );
  const body = mod.if(outside, mod.block(null, [mod.global.set(MPU_FAULT_GLOBAL, a()), mod.unreachable()]));
  mod.addFunction(RANGE_FN, binaryen.createType([binaryen.i32, binaryen.i32]), binaryen.none, [], body);
}

/** The access size of a memory expression, or 0 when `id` is not a load or store. */
function accessBytes(e: Ref, id: number): number {
  if (id === binaryen.LoadId) return X.Load!.getBytes!(e);
  if (id === binaryen.StoreId) return X.Store!.getBytes!(e);
  if (id === binaryen.SIMDLoadId) return SIMD_LOAD_BYTES[X.SIMDLoad!.getOp!(e)] ?? 16;
  if (id === binaryen.SIMDLoadStoreLaneId) return LANE_BYTES[X.SIMDLoadStoreLane!.getOp!(e)] ?? 16;
  return 0;
}

const CLASS_OF = new Map<number, string>([
  [binaryen.LoadId, 'Load'],
  [binaryen.StoreId, 'Store'],
  [binaryen.SIMDLoadId, 'SIMDLoad'],
  [binaryen.SIMDLoadStoreLaneId, 'SIMDLoadStoreLane'],
]);

/** `ptr` checked for an access of `bytes` at constant `offset`; evaluates to ptr. */
function guardedPointer(mod: binaryen.Module, ptr: Ref, offset: number, bytes: number, temp: number): Ref {
  const lo = Math.max(0, DATA_BASE - offset);
  const hi = MEMORY_BYTES - offset - bytes; // the highest pointer whose access fits
  const t = () => mod.local.get(temp, binaryen.i32);
  const fault = mod.block(null, [mod.global.set(MPU_FAULT_GLOBAL, mod.i32.add(t(), mod.i32.const(offset | 0))), mod.unreachable()]);
  const test = hi < lo ? mod.i32.const(1) : mod.i32.gt_u(mod.i32.sub(t(), mod.i32.const(lo)), mod.i32.const(hi - lo));
  return mod.block(null, [mod.local.set(temp, ptr), mod.if(test, fault), t()], binaryen.i32);
}

/**
 * Adds the check to one memory expression in place (its operands keep their evaluation
 * order); returns false when `e` does not touch memory.
 */
export function guardMemoryAccess(mod: binaryen.Module, e: Ref, id: number, temps: FunctionTemps): boolean {
  const bytes = accessBytes(e, id);
  if (bytes > 0) {
    const cls = X[CLASS_OF.get(id)!]!;
    cls.setPtr!(e, guardedPointer(mod, cls.getPtr!(e), cls.getOffset!(e) >>> 0, bytes, temps.i32('ptr')));
    return true;
  }
  const bulk = id === binaryen.MemoryCopyId ? 'MemoryCopy' : id === binaryen.MemoryFillId ? 'MemoryFill' : id === binaryen.MemoryInitId ? 'MemoryInit' : undefined;
  if (!bulk) return false;
  // Operands are moved into temps inside the first operand, so they still run in order.
  const fields = bulk === 'MemoryCopy' ? ['Dest', 'Source', 'Size'] : bulk === 'MemoryFill' ? ['Dest', 'Value', 'Size'] : ['Dest', 'Offset', 'Size'];
  const cls = X[bulk]!;
  const locals = fields.map((f) => temps.i32(`bulk-${f}`));
  const get = (i: number) => mod.local.get(locals[i]!, binaryen.i32);
  const sets = fields.map((f, i) => mod.local.set(locals[i]!, cls[`get${f}`]!(e)));
  const checks = [mod.call(RANGE_FN, [get(0), get(2)], binaryen.none)];
  if (bulk === 'MemoryCopy') checks.push(mod.call(RANGE_FN, [get(1), get(2)], binaryen.none));
  cls[`set${fields[0]}`]!(e, mod.block(null, [...sets, ...checks, get(0)], binaryen.i32));
  cls[`set${fields[1]}`]!(e, get(1));
  cls[`set${fields[2]}`]!(e, get(2));
  return true;
}
