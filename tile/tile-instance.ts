// One tile: a kernel instance bound to its own 2-page memory that cannot grow, typed
// views of the data and scratch windows, and calls that turn every trap into a TileTrap.
import { DATA_BASE, DATA_BYTES, IO_BYTES, IO_PTR, MEMORY_PAGES, SCRATCH_BASE, SCRATCH_BYTES } from '../wat/layout.ts';
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
  /** Its setter alone (the accessor export itself when there is one): called once per call. */
  private readonly setFuel: ((v: number) => void) | undefined;
  private readonly mpuGlobal: WebAssembly.Global | undefined;
  /** rvf_on_message, looked up once: `onMessage` runs it once per simulated message. */
  private readonly onMessageExport: (() => number) | undefined;
  /** Fuel given to each call (loop iterations) in builds that count fuel. */
  fuelPerCall = DEFAULT_FUEL;
  /** The fuel the last call started with (fuelPerCall then); undefined before any call. */
  private fuelGiven: number | undefined;
  /**
   * Views made once: the memory cannot grow (maximum = initial), so its buffer is never
   * detached, and a view per access was a measurable share of every message (docs/performance.md).
   */
  readonly bytes: Uint8Array;
  /** The memory as u32 words (host order: little-endian, as the kernel's, on every host node runs on). */
  readonly words: Uint32Array;
  readonly view: DataView;
  /** The 2 KB message I/O buffer (IO_PTR), a view made once. */
  readonly io: Uint8Array;

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
    this.setFuel = typeof ex.rvf_fuel_set === 'function' ? (ex.rvf_fuel_set as (v: number) => void) : this.fuel?.set;
    this.mpuGlobal = ex.rvf_mpu_fault instanceof WebAssembly.Global ? ex.rvf_mpu_fault : undefined;
    this.onMessageExport = typeof ex.rvf_on_message === 'function' ? (ex.rvf_on_message as () => number) : undefined;
    // All of tile memory (the hole below DATA_BASE included), as bytes, u32 words and a DataView.
    this.bytes = new Uint8Array(this.memory.buffer);
    this.words = new Uint32Array(this.memory.buffer);
    this.view = new DataView(this.memory.buffer);
    this.io = this.bytes.subarray(IO_PTR, IO_PTR + IO_BYTES);
  }

  /**
   * Fuel the last call used, in fuel builds (0 otherwise). Read from the kernel's counter
   * when asked, not after every call: valid until the next call.
   */
  get lastFuelUsed(): number {
    return this.fuel && this.fuelGiven !== undefined ? this.fuelGiven - this.fuel.get() : 0;
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
    if (typeof fn !== 'function') throw this.missing(name);
    this.giveFuel();
    try {
      return (fn as (...a: unknown[]) => ReturnType<KernelExports[K]>)(...args);
    } catch (err) {
      throw this.toTrap(name, err);
    }
  }

  /**
   * `call('rvf_on_message')` (the message already in the I/O buffer; returns the reply's
   * length), without the lookup by name and the argument array: the simulator's per-message
   * path. Same fuel, same traps.
   */
  onMessage(): number {
    const fn = this.onMessageExport;
    if (fn === undefined) throw this.missing('rvf_on_message');
    this.giveFuel();
    try {
      return fn();
    } catch (err) {
      throw this.toTrap('rvf_on_message', err);
    }
  }

  private missing(name: string): TileTrap {
    return new TileTrap(this.tileId, 'kernel-trap', name, `kernel ${this.kernel.variant} does not export ${name}`);
  }

  /**
   * The call's budget into the kernel's counter. The MPU fault global needs no reset here:
   * the kernel sets it only right before trapping, and toTrap resets it after reading it.
   */
  private giveFuel(): void {
    const given = this.fuelPerCall;
    this.fuelGiven = given;
    if (this.setFuel !== undefined) this.setFuel(given);
  }

  private toTrap(name: string, err: unknown): TileTrap {
    // The window the kernel left (-1: none), read and re-armed for the next call.
    const mpu = this.mpuGlobal ? (this.mpuGlobal.value as number) : -1;
    if (mpu !== -1) this.mpuGlobal!.value = -1;
    const { kind, detail } = classifyEngineError(err);
    if (kind === 'unreachable' && this.fuel && this.fuel.get() < 0) {
      return new TileTrap(this.tileId, 'budget-exceeded', name, `ran past its budget of ${this.fuelPerCall.toLocaleString('en-US')} loop iterations`);
    }
    if (kind === 'unreachable' && mpu !== -1) {
      const address = mpu >>> 0;
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
