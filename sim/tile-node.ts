// One simulated tile: a real kernel instance behind a message port. A message that
// arrives while the tile is busy waits; the kernel runs it for real (its reply and any
// trap are the kernel's), and the cost model prices what its work counters say it did.
import { TileInstance } from '../tile/tile-instance.ts';
import { ByteSlab } from '../protocol/byte-slab.ts';
import { writeStampedMessage } from '../protocol/stamped-message.ts';
import type { LoadedKernel } from '../tile/kernel-module.ts';
import { TileTrap } from '../tile/tile-trap.ts';
import { CFG_F_REQUIRE_MSG_CRC, CFG_FLAGS, CFG_DIM, CFG_DTYPE, CFG_K, CFG_METRIC, CFG_PROFILE, CFG_TILE_ID, CONFIG_BYTES, IO_BYTES, IO_PTR, MSG_HEADER_BYTES } from '../wat/layout.ts';
import { ioCopyCycles, type CostModel } from './cost-model.ts';
import type { ComputeShape, TileWorkCounts, TileWorkCycles } from './message-cost.ts';
import { chargeRecord, RECORD_OWNER_0, RECORD_OWNER_1, WorkMeter, type Prices } from './work-meter.ts';

/** The tile's busy times sit in its work meter's record, beside what a delivery's charge touches. */
const BUSY_UNTIL = RECORD_OWNER_0;
const BUSY = RECORD_OWNER_1;

export interface TileBootConfig {
  dtype: number;
  metric: number;
  k: number;
  dim: number;
  /** Refuse any message without a CRC32C trailer (integrity mode). */
  requireMessageCrc: boolean;
}

/**
 * The watchdog: loop iterations one message may take in a fuel-counting build. The
 * heaviest legal message (a 32 KB block: CRC, then 128 distances, then the merge) takes
 * about 20,000 (see docs/faults.md); ten times that leaves room and still stops a hang fast.
 */
export const WATCHDOG_FUEL_PER_MESSAGE = 200_000;
/** Cycles one fuel unit (one loop iteration) stands for when the watchdog fires. */
export const CYCLES_PER_FUEL_UNIT = 4;

/** Replies copied out of the I/O buffer are carved from shared slabs (protocol/byte-slab.ts). */
const REPLY_COPIES = new ByteSlab();

/**
 * What one message came to. `handle` returns the same object each time (one per tile, no
 * allocation per message): read it before the tile's next message. With `repliesInPlace`,
 * a reply's bytes are a view of the tile's I/O buffer, which the next message overwrites.
 */
export type TileOutcome = TileReply | { kind: 'trap'; trap: TileTrap; cycles: number };
/** A reply; `length` is `bytes.length`, kept beside it so a caller has it without touching the view (a line the kernel's call evicted). */
export type TileReply = { kind: 'reply'; bytes: Uint8Array; length: number; cycles: number };

export class TileNode {
  // The fields a delivery reads come first, in the order it reads them: an object's fields sit
  // in declaration order, so they span as few cache lines as they can (each is a first touch
  // of memory the last kernel call evicted); what a delivery does not read comes last.
  /** Set by the fault injector: the tile no longer answers at all. */
  dead = false;
  messagesHandled = 0;
  /** Set by the fault injector: the next message runs on this corrupted code image. */
  pendingImage: LoadedKernel | null = null;
  /** The tile's instance (its memory and own image); replaced only by a restart, so the meter knows when its memory is new. */
  private own: TileInstance;
  /** Watchdog budget (loop iterations per message) in fuel-counting kernel builds. */
  fuelPerMessage: number;
  /** Set by the fault injector: the next message stalls this many extra cycles. */
  pendingStallCycles = 0;
  /**
   * The record's "before" counters are `instance`'s counters now: the last message was charged
   * on them and nothing has touched them since. A restart, another image, a watchdog stop and
   * a host write (memoryWritten) clear it, and the next message reads the counters afresh.
   */
  private meterHeld = false;
  /** The work meter's record (a page shared with other tiles' records, and where this one starts) and figures, read here without the meter object. */
  private readonly rec: Float64Array;
  private readonly recAt: number;
  private readonly prices: Prices | null;
  private readonly reply: TileReply = { kind: 'reply', bytes: new Uint8Array(0), length: 0, cycles: 0 };
  /**
   * A reply is handed out as a view of the I/O buffer instead of a copy. Only for a caller
   * that reads or copies it before this tile's next message or restart and keys nothing by
   * its identity (the view is reused): the transport without a link tap (sim-transport.ts).
   */
  repliesInPlace = false;
  /** The length of replyView, kept here: the view object itself is a line the kernel's call has evicted. */
  private replyViewLength = 0;
  /** The memory bytes replyView is a view of. */
  private replyViewOf: Uint8Array | null = null;
  /** The last in-place reply view: the next reply of the same length in the same memory reuses it. */
  private replyView: Uint8Array = new Uint8Array(0);
  /** Set by the fault injector: multiplies this tile's compute cycles. */
  slowFactor = 1;
  readonly tileId: number;
  private kernel: LoadedKernel;
  private readonly boot: TileBootConfig;
  private readonly model: CostModel;
  private readonly defaultFuelPerMessage: number;
  /** The work counters before and after each message, priced, and the run's totals: one record (handle is not re-entrant). */
  private readonly meter: WorkMeter;
  /** The first trap the run's own kernel raised (not an injected image): what the CLI reports. */
  firstKernelTrap: TileTrap | null = null;

  constructor(tileId: number, kernel: LoadedKernel, boot: TileBootConfig, model: CostModel, shape: ComputeShape, defaultFuelPerMessage = WATCHDOG_FUEL_PER_MESSAGE) {
    this.tileId = tileId;
    this.kernel = kernel;
    this.boot = boot;
    this.model = model;
    this.defaultFuelPerMessage = defaultFuelPerMessage;
    // A kernel pack's execution budget replaces the default watchdog (tile/pack/).
    this.fuelPerMessage = kernel.limits?.fuelPerMessage ?? defaultFuelPerMessage;
    this.meter = new WorkMeter(model, shape);
    this.rec = this.meter.page;
    this.recAt = this.meter.at;
    this.prices = this.meter.prices;
    this.own = this.freshInstance();
  }

  get instance(): TileInstance {
    return this.own;
  }

  /** The cycle the tile is busy until (the transport sets it as each message is handled). */
  get busyUntilCycles(): number {
    return this.rec[this.recAt + BUSY_UNTIL]!;
  }
  set busyUntilCycles(cycle: number) {
    this.rec[this.recAt + BUSY_UNTIL] = cycle;
  }

  /** Cycles spent handling messages over the run. */
  get busyCycles(): number {
    return this.rec[this.recAt + BUSY]!;
  }
  set busyCycles(cycles: number) {
    this.rec[this.recAt + BUSY] = cycles;
  }

  /** What the kernel did over every message, by its work counters, and the cycles charged for it (copies, made when asked). */
  get work(): { counts: TileWorkCounts; cycles: TileWorkCycles } {
    return { counts: this.meter.counts, cycles: this.meter.cycles };
  }

  /** The code image the tile boots. */
  get image(): LoadedKernel {
    return this.kernel;
  }

  /** A new code image (a kernel upgrade or rollback): it runs from the next restart on. */
  swapImage(kernel: LoadedKernel): void {
    this.kernel = kernel;
    this.fuelPerMessage = kernel.limits?.fuelPerMessage ?? this.defaultFuelPerMessage;
  }

  /** A new instance with fresh memory, configured by rvf_init: what a restart does. */
  restart(): void {
    this.own = this.freshInstance();
    this.meterHeld = false;
  }

  /**
   * The host wrote the tile's memory outside a message (a fault injector's bit flip): the work
   * meter reads the counters afresh before the next message instead of trusting the last
   * charge's (sim/work-meter.ts). Whoever writes `instance`'s memory between messages calls it.
   */
  memoryWritten(): void {
    this.meterHeld = false;
  }

  private freshInstance(): TileInstance {
    const tile = new TileInstance(this.tileId, this.kernel);
    const v = tile.view;
    const cfg = IO_PTR; // staged in the I/O buffer, as the hub would write it
    tile.bytes.fill(0, cfg, cfg + CONFIG_BYTES);
    v.setUint32(cfg + CFG_TILE_ID, this.tileId, true);
    v.setUint8(cfg + CFG_PROFILE, 1);
    v.setUint8(cfg + CFG_DTYPE, this.boot.dtype);
    v.setUint8(cfg + CFG_METRIC, this.boot.metric);
    v.setUint8(cfg + CFG_K, this.boot.k);
    v.setUint16(cfg + CFG_DIM, this.boot.dim, true);
    v.setUint8(cfg + CFG_FLAGS, this.boot.requireMessageCrc ? CFG_F_REQUIRE_MSG_CRC : 0);
    tile.fuelPerCall = this.fuelPerMessage;
    const status = tile.call('rvf_init', cfg);
    if (status !== 0) throw new Error(`tile ${this.tileId}: rvf_init refused its configuration with status ${status}`);
    return tile;
  }

  /** Runs one message (these very bytes) through the kernel's dispatch loop. */
  handle(request: Uint8Array): TileOutcome {
    const tile = this.runner();
    tile.bytes.set(request, IO_PTR);
    return this.run(tile, request.length);
  }

  /**
   * Runs the hub's message `template` with `msgId` (sealed when `sealed`), written once
   * straight into the I/O buffer: the same bytes `handle` would get from a stamped copy
   * (protocol/stamped-message.ts), without the copy.
   */
  handleStamped(template: Uint8Array, msgId: number, sealed: boolean): TileOutcome {
    const tile = this.runner();
    return this.run(tile, writeStampedMessage(tile.io, 0, template, msgId, sealed));
  }

  /** The instance the next message runs on (a corrupted image once, on the tile's memory), set up for it. */
  private runner(): TileInstance {
    this.messagesHandled++;
    // A corrupted code image runs on the tile's own memory, for this message only.
    const tile = this.pendingImage ? new TileInstance(this.tileId, this.pendingImage, this.own.memory) : this.own;
    this.pendingImage = null;
    tile.fuelPerCall = this.fuelPerMessage;
    return tile;
  }

  /** Runs the `length`-byte message already in the I/O buffer of `tile`. */
  private run(tile: TileInstance, length: number): TileOutcome {
    const stall = this.pendingStallCycles;
    this.pendingStallCycles = 0;
    const words = tile.words;
    const ownImage = tile === this.own;
    // Only the tile's own image is charged by its counters; another one runs on the same memory.
    if (!ownImage) this.meterHeld = false;
    else if (!this.meterHeld) this.meter.start(words);
    let replyLength: number;
    try {
      replyLength = tile.onMessage();
    } catch (err) {
      return this.trapped(err, words, ownImage, length, stall);
    }
    const out = this.reply;
    const n = Math.max(MSG_HEADER_BYTES, Math.min(replyLength, IO_BYTES));
    out.bytes = this.replyBytes(tile.bytes, n);
    out.length = n;
    out.cycles = this.scaled(this.charge(words, ownImage, length)) + stall;
    return out;
  }

  /**
   * A trap out of the kernel call, as the tile's outcome. Apart from `run` so that the
   * per-message function stays small enough for the JIT to inline the kernel call and the
   * I/O write into its caller (docs/performance.md, "The deliver path in one pass").
   */
  private trapped(err: unknown, words: Uint32Array, ownImage: boolean, length: number, stall: number): TileOutcome {
    if (!(err instanceof TileTrap)) throw err;
    if (ownImage) this.firstKernelTrap ??= err;
    // A watchdog stop took the whole budget (its counters are not read: the next message reads
    // them afresh); any other trap, the work done up to it.
    if (err.kind === 'budget-exceeded') {
      this.meterHeld = false;
      return { kind: 'trap', trap: err, cycles: this.scaled(this.fuelPerMessage * CYCLES_PER_FUEL_UNIT) + stall };
    }
    const spent = this.charge(words, ownImage, length);
    return { kind: 'trap', trap: err, cycles: this.scaled(spent) + stall };
  }

  /** The reply's `n` bytes at the I/O buffer: a copy, or (repliesInPlace) a view reused while it fits. */
  private replyBytes(memory: Uint8Array, n: number): Uint8Array {
    if (!this.repliesInPlace) return REPLY_COPIES.copy(memory, IO_PTR, IO_PTR + n);
    // `memory` is an instance's `bytes`, made once per instance: comparing it is cheaper
    // than the view's `buffer` getter, and a new instance (a restart) gets a new view.
    if (this.replyViewLength === n && this.replyViewOf === memory) return this.replyView;
    this.replyViewOf = memory;
    this.replyViewLength = n;
    return (this.replyView = memory.subarray(IO_PTR, IO_PTR + n));
  }

  /**
   * Cycles of the work the kernel's counters say this message did. A corrupted code image
   * (fault injection) may have scribbled on the counters, and a dispatch that did not count
   * exactly one message cannot be trusted either: those pay dispatch and the request copy.
   */
  private charge(words: Uint32Array, ownImage: boolean, requestLength: number): number {
    let cycles: number | null = null;
    if (ownImage) {
      // The charge leaves the counters now in the record: the next message's "before".
      this.meterHeld = true;
      const p = this.prices;
      cycles = p !== null ? chargeRecord(this.rec, this.recAt, p, words) : this.meter.charge(words);
    }
    return cycles ?? this.model.messageDispatchCycles + ioCopyCycles(this.model, requestLength);
  }

  private scaled(cycles: number): number {
    return Math.ceil(cycles * this.slowFactor);
  }
}
