// A tile's work meter across messages (sim/work-meter.ts, TileNode.run): a message's "before"
// counters are the previous charge's "after", not read again before the call, so everything
// that changes the counters between two charged messages must make the meter read them
// afresh: a restart, another image run on the tile's memory (a fault injector's trap or hang
// image), a watchdog stop that charges nothing, a host write to the memory. A tiny kernel adds
// what each message says to the nine counters and then answers, traps or hangs; every
// message's cycles must be the price of exactly its own additions, and the totals their sum.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { assembleWat } from '../tile/build/assemble.ts';
import { instrumentBinary } from '../tile/build/binary-instrument.ts';
import { compileKernel, type LoadedKernel } from '../tile/kernel-module.ts';
import { WORK_COUNTER_OFFSETS } from '../tile/work-counters.ts';
import { DEFAULT_COST_MODEL, ioCopyCycles } from '../sim/cost-model.ts';
import { addWork, workCyclesInto, zeroWorkCounts, zeroWorkCycles, type ComputeShape, type TileWorkCounts } from '../sim/message-cost.ts';
import { CYCLES_PER_FUEL_UNIT, TileNode } from '../sim/tile-node.ts';
import { runFaultExperiment } from '../sim/run/fault-run.ts';
import { DEFAULT_RUN } from '../sim/run/run-config.ts';
import { DTYPE_FP16, IO_PTR, METRIC_L2, WORK_PTR } from '../wat/layout.ts';

const KEYS = Object.keys(WORK_COUNTER_OFFSETS) as (keyof TileWorkCounts)[];
const ADDRESSES = KEYS.map((k) => WORK_PTR + WORK_COUNTER_OFFSETS[k]);
const SHAPE: ComputeShape = { metric: 'l2', k: 10 };
const MODEL = DEFAULT_COST_MODEL;
const BOOT = { dtype: DTYPE_FP16, metric: METRIC_L2, k: 10, dim: 64, requireMessageCrc: false };

/** What a message does after its additions: answer 8 bytes, trap (unreachable), or loop until the fuel runs out. */
const ANSWER = 0;
const TRAP = 1;
const HANG = 2;

// The message: u32 mode, then nine u32 additions in the WorkCounters order.
const ADD = ADDRESSES.map((at, i) => `(i32.store (i32.const ${at}) (i32.add (i32.load (i32.const ${at})) (i32.load (i32.const ${IO_PTR + 4 + 4 * i}))))`).join(' ');
const WAT =
  '(module (import "tile" "memory" (memory 2 2))' +
  ' (func (export "rvf_init") (param i32) (result i32) (i32.const 0))' +
  ` (func (export "rvf_on_message") (result i32) ${ADD}` +
  ` (if (i32.eq (i32.load (i32.const ${IO_PTR})) (i32.const ${TRAP})) (then (unreachable)))` +
  ` (if (i32.eq (i32.load (i32.const ${IO_PTR})) (i32.const ${HANG})) (then (loop $l (br $l))))` +
  ' (i32.const 8)))';

let image: LoadedKernel;
let other: LoadedKernel;
beforeAll(async () => {
  const plain = await assembleWat(WAT, { variant: 'adder', simd: false, optimize: false });
  image = compileKernel('adder', instrumentBinary('adder', plain, { strict: false, fuel: true }), false);
  other = compileKernel('adder-2', instrumentBinary('adder', plain, { strict: false, fuel: true }), false);
});

function message(mode: number, adds: TileWorkCounts): Uint8Array {
  const m = new Uint32Array(1 + KEYS.length);
  m[0] = mode;
  KEYS.forEach((k, i) => (m[1 + i] = adds[k]));
  return new Uint8Array(m.buffer);
}

/** A message's additions: one message counted, a block chunk's I/O, and (`final`) a block's distances and merge. */
function adds(n: number, final = false): TileWorkCounts {
  return { ...zeroWorkCounts(), messages: 1, ioBytes: 2000 + n, ...(final ? { distances: 128, distElems: 128 * 64, merged: 10 + n, crcBytes: 4096 } : {}) };
}

/** Runs the tile's messages and checks each one's cycles against the price of its own additions; the expected totals. */
class Check {
  readonly counts = zeroWorkCounts();
  readonly cycles = zeroWorkCycles();
  constructor(readonly node: TileNode) {}

  /** An own-image message that answers or traps: charged by exactly `a`. */
  charged(mode: number, a: TileWorkCounts): void {
    const out = this.node.handle(message(mode, a));
    expect(out.kind).toBe(mode === ANSWER ? 'reply' : 'trap');
    const priced = workCyclesInto(MODEL, SHAPE, a, zeroWorkCycles());
    expect(out.cycles).toBe(Math.ceil(priced.total));
    addWork(this.counts, a);
    addWork(this.cycles, priced);
  }

  /** A message whose counters are not trusted (another image, or not exactly one message): dispatch and the copy. */
  uncharged(mode: number, a: TileWorkCounts): void {
    const bytes = message(mode, a);
    const out = this.node.handle(bytes);
    expect(out.cycles).toBe(MODEL.messageDispatchCycles + ioCopyCycles(MODEL, bytes.length));
  }

  /** A watchdog stop: the whole budget, nothing charged. */
  hang(a: TileWorkCounts): void {
    const out = this.node.handle(message(HANG, a));
    expect(out.kind === 'trap' && out.trap.kind).toBe('budget-exceeded');
    expect(out.cycles).toBe(this.node.fuelPerMessage * CYCLES_PER_FUEL_UNIT);
  }

  totals(): void {
    expect(this.node.work).toEqual({ counts: this.counts, cycles: this.cycles });
  }
}

function tile(): Check {
  const node = new TileNode(3, image, BOOT, MODEL, SHAPE, 2_000);
  return new Check(node);
}

describe("a tile's work meter: each message's before is the last charge's after, and what changes the counters in between is seen", () => {
  it('a run of messages, chunks and final chunks, is priced message by message', () => {
    const c = tile();
    for (let n = 0; n < 40; n++) c.charged(ANSWER, adds(n, n % 16 === 15));
    c.totals();
  });

  it("tiles' records share pages: interleaved tiles, their busy times set between messages, keep their own totals", () => {
    const tiles = Array.from({ length: 70 }, () => tile());
    for (let n = 0; n < 6; n++) {
      tiles.forEach((c, t) => {
        c.charged(ANSWER, adds(n + t, (n + t) % 3 === 0));
        c.node.busyUntilCycles = 1e12 + t * 1000 + n;
        c.node.busyCycles += 0.5 + t;
      });
    }
    tiles.forEach((c, t) => {
      c.totals();
      expect(c.node.busyUntilCycles).toBe(1e12 + t * 1000 + 5);
      expect(c.node.busyCycles).toBe(6 * (0.5 + t));
    });
  });

  it('a message that counts 0 or 2 messages is not trusted, and the next one is priced alone', () => {
    const c = tile();
    c.charged(ANSWER, adds(1));
    c.uncharged(ANSWER, { ...adds(2), messages: 2 });
    c.charged(ANSWER, adds(3, true));
    c.uncharged(ANSWER, { ...adds(4), messages: 0 });
    c.charged(ANSWER, adds(5));
    c.totals();
  });

  it('a restart: the new memory is read afresh', () => {
    const c = tile();
    c.charged(ANSWER, adds(1, true));
    c.charged(ANSWER, adds(2));
    c.node.restart();
    c.charged(ANSWER, adds(3));
    c.charged(ANSWER, adds(4, true));
    c.totals();
  });

  it("another image (a fault injector's) run on the tile's memory: its work is not the next message's", () => {
    const c = tile();
    c.charged(ANSWER, adds(1));
    c.node.pendingImage = other;
    c.uncharged(ANSWER, adds(2, true));
    c.charged(ANSWER, adds(3));
    c.node.pendingImage = other;
    expect(c.node.handle(message(HANG, adds(4, true))).cycles).toBe(c.node.fuelPerMessage * CYCLES_PER_FUEL_UNIT);
    c.charged(ANSWER, adds(5, true));
    c.node.pendingImage = other;
    expect(c.node.handle(message(TRAP, adds(6))).kind).toBe('trap');
    c.charged(ANSWER, adds(7));
    c.totals();
  });

  it("the tile's own trap is charged its work, and a watchdog stop charges nothing and is not the next message's", () => {
    const c = tile();
    c.charged(ANSWER, adds(1));
    c.charged(TRAP, adds(2, true));
    c.charged(ANSWER, adds(3));
    c.hang(adds(4, true));
    c.charged(ANSWER, adds(5));
    c.hang(adds(6));
    c.hang(adds(7));
    c.charged(TRAP, adds(8));
    c.totals();
  });

  it('a host write to the counters between messages is read afresh once the tile is told (memoryWritten)', () => {
    const c = tile();
    c.charged(ANSWER, adds(1));
    const words = c.node.instance.words;
    for (const at of ADDRESSES) words[at >>> 2] = (words[at >>> 2]! + 0xfffffff0) >>> 0;
    c.node.memoryWritten();
    c.charged(ANSWER, adds(2, true));
    c.totals();
    // Untold, the meter takes the write for the next message's work (what the other cases guard against).
    const io = (WORK_PTR + WORK_COUNTER_OFFSETS.ioBytes) >>> 2;
    words[io] = words[io]! + 7;
    const out = c.node.handle(message(ANSWER, adds(3)));
    expect(out.cycles).toBe(Math.ceil(workCyclesInto(MODEL, SHAPE, { ...adds(3), ioBytes: adds(3).ioBytes + 7 }, zeroWorkCycles()).total));
  });

  it("a request written by the host (`handle`) lands above the counters: they sit below the I/O buffer", () => {
    for (const at of ADDRESSES) expect(at + 4).toBeLessThanOrEqual(IO_PTR);
  });

  it("the fault injector's bit flips in a tile's memory each tell the tile (memoryWritten)", () => {
    const told = vi.spyOn(TileNode.prototype, 'memoryWritten');
    try {
      const run = { ...DEFAULT_RUN, tiles: 8, meshRows: 3, meshCols: 3, vectors: 1500, dim: 64, queries: 12, clusters: 16, seed: 21, verifyCrc: true };
      const r = runFaultExperiment({ run, kinds: ['bitflip'], rate: { numerator: 1, denominator: 5 } }, () => 0);
      const flips = r.ledger.counts().bitflip.injected;
      expect(flips).toBeGreaterThan(0);
      expect(r.differing).toEqual([]);
      expect(told).toHaveBeenCalledTimes(flips);
    } finally {
      told.mockRestore();
    }
  });
});
