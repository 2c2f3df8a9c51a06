// One tile: a kernel instance bound to its own 2-page memory that cannot grow, typed
// views of the data and scratch windows, and calls that turn every trap into a TileTrap.
import { DATA_BASE, DATA_BYTES, MEMORY_PAGES, SCRATCH_BASE, SCRATCH_BYTES } from '../wat/layout.ts';
import type { KernelExports } from './kernel-exports.ts';
import { loadKernel, type LoadedKernel } from './kernel-module.ts';
import { classifyEngineError, TileTrap } from './tile-trap.ts';

/** Fuel per call when the caller sets none: far above any legal kernel call. */
export const DEFAULT_FUEL = 50_000_000;

export class TileInstance {
  readonly memory: WebAssembly.Memory;
  readonly kernel: LoadedKernel;
  private readonly instance: WebAssembly.Instance;
  /** The kernel's fuel counter: accessor exports, or an exported global (older images). */
  private readonly fuel: { get(): number; set(v: number): void } | undefined;
  private readonly mpuGlobal: WebAssembly.Global | undefined;
  /** Fuel given to each call (loop iterations) in builds that count fuel. */
  fuelPerCall = DEFAULT_FUEL;
  /** Fuel the last call used, in fuel builds. */
  lastFuelUsed = 0;
  /**
   * Views made once: the memory cannot grow (maximum = initial), so its buffer is never
   * detached, and a view per access was a measurable share of every message (docs/performance.md).
   */
  readonly bytes: Uint8Array;
  readonly view: DataView;

  /** `memory`: share another instance's memory (the same tile running other code). */
  constructor(
    readonly tileId: number,
    kernel: LoadedKernel | string,
    memory?: WebAssembly.Memory,
  ) {
    this.kernel = typeof kernel === 'string' ? loadKernel(kernel) : kernel;
    // A pack's limit sets the memory the kernel is given; its import must fit in it.
    const pages = this.kernel.limits?.memoryPages ?? MEMORY_PAGES;
    this.memory = memory ?? new WebAssembly.Memory({ initial: Math.min(pages, MEMORY_PAGES), maximum: pages });
    this.instance = new WebAssembly.Instance(this.kernel.module, { tile: { memory: this.memory } });
    const ex = this.instance.exports as Record<string, unknown>;
    this.fuel = fuelCounter(ex);
    this.mpuGlobal = ex.rvf_mpu_fault instanceof WebAssembly.Global ? ex.rvf_mpu_fault : undefined;
    // All of tile memory (the hole below DATA_BASE included), as bytes and as a DataView.
    this.bytes = new Uint8Array(this.memory.buffer);
    this.view = new DataView(this.memory.buffer);
  }
  get dataWindow(): Uint8Array {
    return new Uint8Array(this.memory.buffer, DATA_BASE, DATA_BYTES);
  }
  get scratchWindow(): Uint8Array {
    return new Uint8Array(this.memory.buffer, SCRATCH_BASE, SCRATCH_BYTES);
  }

  /** Calls an export; a trap comes back as a TileTrap naming the tile and the export. */
  call<K extends keyof KernelExports>(name: K, ...args: Parameters<KernelExports[K]>): ReturnType<KernelExports[K]> {
    const fn = (this.instance.exports as Record<string, unknown>)[name];
    if (typeof fn !== 'function') throw new TileTrap(this.tileId, 'kernel-trap', name, `kernel ${this.kernel.variant} does not export ${name}`);
    this.fuel?.set(this.fuelPerCall);
    if (this.mpuGlobal) this.mpuGlobal.value = -1;
    try {
      return (fn as (...a: unknown[]) => ReturnType<KernelExports[K]>)(...args);
    } catch (err) {
      throw this.toTrap(name, err);
    } finally {
      if (this.fuel) this.lastFuelUsed = this.fuelPerCall - this.fuel.get();
    }
  }

  private toTrap(name: string, err: unknown): TileTrap {
    const { kind, detail } = classifyEngineError(err);
    if (kind === 'unreachable' && this.fuel && this.fuel.get() < 0) {
      return new TileTrap(this.tileId, 'budget-exceeded', name, `ran past its budget of ${this.fuelPerCall.toLocaleString('en-US')} loop iterations`);
    }
    if (kind === 'unreachable' && this.mpuGlobal && (this.mpuGlobal.value as number) !== -1) {
      const address = (this.mpuGlobal.value as number) >>> 0;
      return new TileTrap(
        this.tileId,
        'window-violation',
        name,
        `access at 0x${address.toString(16)} is outside the data window [0x${DATA_BASE.toString(16)}, 0x${(DATA_BASE + DATA_BYTES).toString(16)}) and the scratch window [0x${SCRATCH_BASE.toString(16)}, 0x${(SCRATCH_BASE + SCRATCH_BYTES).toString(16)})`,
        address,
      );
    }
    return new TileTrap(this.tileId, kind, name, detail);
  }
}

function fuelCounter(ex: Record<string, unknown>): { get(): number; set(v: number): void } | undefined {
  const get = ex.rvf_fuel_get;
  const set = ex.rvf_fuel_set;
  if (typeof get === 'function' && typeof set === 'function') {
    return { get: get as () => number, set: set as (v: number) => void };
  }
  const g = ex.rvf_fuel;
  if (g instanceof WebAssembly.Global) {
    return { get: () => g.value as number, set: (v) => void (g.value = v) };
  }
  return undefined;
}
