// Instruments any kernel binary, not only the project's WAT: the window check on every
// load, store and bulk-memory operation (binary-strict.ts, the tile's MPU) and the fuel
// watchdog on every loop (binary-fuel.ts), written into binaryen's IR of the module the
// user gave. The plain module is what the size budget measures (the silicon); this twin is
// what a simulated run executes (the MPU and the watchdog), see docs/size-budget.md.
import binaryen from 'binaryen';
import { addFuelRuntime, chargeLoop, fuelBody, fuelBurners, syncCall, syncReturn, type FuelFunction } from './binary-fuel.ts';
import { addStrictRuntime, guardMemoryAccess } from './binary-strict.ts';
import { InstrumentError } from './instrument-error.ts';
import { IrWalkError, rewriteTree } from './ir-walk.ts';
import { stripCustomSections } from './wasm-sections.ts';

export interface Instrumentation {
  strict: boolean;
  fuel: boolean;
}


/** What a tile allows a kernel to use; the instrumentation adds nothing beyond it. */
export const TILE_FEATURES =
  binaryen.Features.MVP |
  binaryen.Features.MutableGlobals |
  binaryen.Features.BulkMemory |
  binaryen.Features.BulkMemoryOpt |
  binaryen.Features.SignExt |
  binaryen.Features.NontrappingFPToInt |
  binaryen.Features.SIMD128;

const RESERVED_EXPORTS = ['rvf_mpu_fault', 'rvf_fuel_get', 'rvf_fuel_set', 'rvf_fuel'];
const addVar = (binaryen as unknown as { _BinaryenFunctionAddVar(f: number, t: number): number })._BinaryenFunctionAddVar;

function definedFunctions(mod: binaryen.Module): string[] {
  const names: string[] = [];
  for (let i = 0; i < mod.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(mod.getFunctionByIndex(i));
    if (!info.module) names.push(info.name);
  }
  return names;
}

function exportNames(mod: binaryen.Module): string[] {
  return Array.from({ length: mod.getNumExports() }, (_, i) => binaryen.getExportInfo(mod.getExportByIndex(i)).name);
}

/** Temp locals of one function, added on first use and shared by every check in it. */
function tempLocals(func: number): (role: string, type: number) => number {
  const made = new Map<string, number>();
  return (role, type) => {
    const key = `${role}:${type}`;
    if (!made.has(key)) made.set(key, addVar(func, type));
    return made.get(key)!;
  };
}

function instrumentFunction(mod: binaryen.Module, name: string, opts: Instrumentation, burners: Set<string>, loopers: Set<string>): void {
  const func = mod.getFunction(name);
  const local = tempLocals(func);
  const temps = { i32: (role: string) => local(role, binaryen.i32) };
  const fuel: FuelFunction | undefined = opts.fuel && loopers.has(name) ? { fuel: local('fuel', binaryen.i32), local } : undefined;
  const B = binaryen as unknown as { Call: { getTarget(e: number): string }; Function: { setBody(f: number, body: number): void } };
  const body = rewriteTree(binaryen.getFunctionInfo(func).body, (e, id) => {
    if (opts.strict) guardMemoryAccess(mod, e, id, temps);
    if (!fuel) return e;
    if (id === binaryen.LoopId) return chargeLoop(mod, fuel, e);
    if ((id === binaryen.CallId && burners.has(B.Call.getTarget(e))) || id === binaryen.CallIndirectId) return syncCall(mod, fuel, e);
    if (id === binaryen.ReturnId) return syncReturn(mod, fuel, e);
    return e;
  });
  B.Function.setBody(func, fuel ? fuelBody(mod, fuel, body) : body);
}

/** The instrumented twin of `plain` (a whole module, custom sections stripped). */
export function instrumentBinary(kernel: string, plain: Uint8Array, opts: Instrumentation): Uint8Array {
  let mod: binaryen.Module;
  try {
    mod = binaryen.readBinary(plain);
  } catch (err) {
    throw new InstrumentError(kernel, `binaryen cannot read it: ${(err as Error).message}`);
  }
  try {
    mod.setFeatures(TILE_FEATURES);
    const taken = exportNames(mod).filter((n) => RESERVED_EXPORTS.includes(n));
    if (taken.length > 0) throw new InstrumentError(kernel, `it already exports ${taken.join(', ')} (give the plain build; cogsim adds the checks)`);
    const functions = definedFunctions(mod);
    const { burners, loopers } = opts.fuel ? fuelBurners(mod, functions) : { burners: new Set<string>(), loopers: new Set<string>() };
    if (opts.fuel) addFuelRuntime(mod);
    if (opts.strict) addStrictRuntime(mod);
    for (const name of functions) instrumentFunction(mod, name, opts, burners, loopers);
    if (!mod.validate()) throw new InstrumentError(kernel, 'the instrumented module does not validate');
    return stripCustomSections(mod.emitBinary());
  } catch (err) {
    if (err instanceof IrWalkError) throw new InstrumentError(kernel, err.message);
    throw err;
  } finally {
    mod.dispose();
  }
}
