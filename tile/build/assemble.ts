// WAT text -> validated, size-optimized WebAssembly bytes. wabt parses and validates
// (with SIMD on only for the SIMD flavor, so a v128 op in the scalar build is an error);
// binaryen optimizes for size (-Oz: optimize level 2, shrink level 2) and re-validates.
import wabtInit from 'wabt';
import binaryen from 'binaryen';

type Wabt = Awaited<ReturnType<typeof wabtInit>>;
let wabtPromise: Promise<Wabt> | undefined;

export class KernelAssembleError extends Error {
  constructor(variant: string, stage: string, detail: string) {
    super(`kernel ${variant}: ${stage} failed: ${detail}`);
    this.name = 'KernelAssembleError';
  }
}

export interface AssembleOptions {
  variant: string;
  simd: boolean;
  optimize: boolean;
}

export async function assembleWat(text: string, opts: AssembleOptions): Promise<Uint8Array> {
  wabtPromise ??= wabtInit();
  const wabt = await wabtPromise;
  let raw: Uint8Array;
  let parsed: ReturnType<Wabt['parseWat']> | undefined;
  try {
    parsed = wabt.parseWat(`${opts.variant}.wat`, text, {
      simd: opts.simd,
      bulk_memory: true,
      mutable_globals: true,
      sign_extension: true,
      sat_float_to_int: true,
    });
    parsed.resolveNames();
    parsed.validate();
    raw = parsed.toBinary({ log: false, write_debug_names: true }).buffer;
  } catch (err) {
    throw new KernelAssembleError(opts.variant, 'wabt parse/validate', String((err as Error).message ?? err));
  } finally {
    parsed?.destroy();
  }
  return opts.optimize ? optimize(raw, opts) : raw;
}

function optimize(raw: Uint8Array, opts: AssembleOptions): Uint8Array {
  const mod = binaryen.readBinary(raw);
  try {
    let features = binaryen.Features.MVP | binaryen.Features.MutableGlobals | binaryen.Features.BulkMemory | binaryen.Features.BulkMemoryOpt | binaryen.Features.SignExt | binaryen.Features.NontrappingFPToInt;
    if (opts.simd) features |= binaryen.Features.SIMD128;
    mod.setFeatures(features);
    binaryen.setOptimizeLevel(2);
    binaryen.setShrinkLevel(2);
    // Names survive into a "name" section so the size report can say which internal
    // function is which; the caller strips custom sections from the kernel it ships.
    binaryen.setDebugInfo(true);
    mod.optimize();
    if (!mod.validate()) throw new KernelAssembleError(opts.variant, 'binaryen validate', 'optimized module is invalid');
    return mod.emitBinary();
  } finally {
    mod.dispose();
  }
}
