// The fault injector: seeded, per message, in simulated time, acting on the real message
// bytes and the real tiles (docs/faults.md). Each message crossing the mesh gets a fault
// with probability rate (an integer ratio); the kind is drawn from those that can apply to
// that message. Deaths are bounded so that three quarters of the tiles always survive.
// A plan adds time-phased faults (fault-plan.ts); a script replaces both with an exact list
// (fault-record.ts). Every fault injected is recorded as data, so any run can be replayed.
import { Prng } from '../../hub/prng.ts';
import { HEADER } from '../../protocol/constants.ts';
import { BLOCK_PTR, LB_DEQUANT_STAGE_PTR, LB_F_DEQUANT, LB_F_FINAL, LB_F_VERIFY_CRC, LB_FLAGS, LB_OFFSET, CMP_FLAGS, MSG_COMPUTE, MSG_ERROR, MSG_HEADER_BYTES, MSG_LOAD_BLOCK, REPLY_WORD, ST_CHUNK_BYTES, STATE_PTR } from '../../wat/layout.ts';
import { DIRECT_ROUTING, type LinkTap, type Routing } from '../tapped-link.ts';
import type { TileNode, TileOutcome } from '../tile-node.ts';
import { faultImages } from './fault-images.ts';
import { REPLY_KINDS, type FaultKind, type FaultRate } from './fault-kinds.ts';
import type { FaultLedger, Injection } from './fault-ledger.ts';
import { activePhases, type FaultPlan } from './fault-plan.ts';
import type { FaultDirection, FaultRecord, FaultScript, MessageFault, SlowdownFault } from './fault-record.ts';
import { forge, forgeriesFor, sdcApplies, silentError, type Forgery } from './reply-forgery.ts';
import type { TileTrap } from '../../tile/tile-trap.ts';

export interface InjectorOptions {
  rate: FaultRate;
  kinds: readonly FaultKind[];
  tiles: number;
  /** A slow tile stalls this long on one message: past the hub's reply timeout. */
  stallCycles: number;
  /** The hub's reply timeout: delays, freezes and late copies are drawn around it. */
  replyTimeoutCycles: number;
  /** Time-phased faults beside the random rate (drawn from their own stream). */
  plan?: FaultPlan;
  /** Exactly these faults, and no random ones: a replay. */
  script?: FaultScript;
}

/** Where a fault's parameters come from: a seeded stream, or the script being replayed. */
type ParamSource = Prng | MessageFault;

/** What waits to happen to a tile's next delivery. */
interface Armed {
  injection: Injection;
  record: MessageFault;
  source: ParamSource;
  bitflipBase?: number;
  /** The late copy of a duplicated message (its answer is the duplicate's effect). */
  copy?: true;
}


export class FaultInjector implements LinkTap {
  /** Every fault injected, in order, as data: a script that replays this run exactly. */
  readonly injected: FaultRecord[] = [];
  /** Injections waiting for their message to be handled, keyed by the very bytes delivered:
   *  a retry can overtake a message in flight, so a per-tile slot could be overwritten. */
  private readonly armed = new WeakMap<Uint8Array, Armed>();
  /** The injections whose effect a reply or a trap carries to the hub. */
  private readonly effects = new WeakMap<object, Injection[]>();
  private routed: Readonly<Routing> = DIRECT_ROUTING;
  private deaths = 0;
  private readonly maxDeaths: number;
  /** Messages seen per tile and direction: the index a fault record names. */
  private readonly sent: number[];
  private readonly received: number[];
  private readonly slowdowns: SlowdownFault[];

  constructor(
    private readonly prng: Prng,
    private readonly planPrng: Prng,
    readonly ledger: FaultLedger,
    private readonly nodes: readonly TileNode[],
    private readonly opts: InjectorOptions,
    private readonly awaited: (tile: number, reply: Uint8Array, arrivalCycle: number) => boolean,
    private readonly now: () => number,
  ) {
    this.maxDeaths = Math.floor(opts.tiles / 4);
    this.sent = new Array<number>(opts.tiles).fill(0);
    this.received = new Array<number>(opts.tiles).fill(0);
    this.slowdowns = opts.script
      ? opts.script.slowdowns
      : (opts.plan?.phases ?? []).filter((p) => p.kind === 'slowdown').flatMap((p) => p.tiles.map((tile): SlowdownFault => ({ kind: 'slowdown', tile, fromCycles: p.fromCycles, toCycles: p.toCycles, factor: p.factor })));
    this.injected.push(...this.slowdowns);
  }

  hubToTile(tile: number, bytes: Uint8Array): Uint8Array | null {
    const message = this.sent[tile]!++;
    if (this.nodes[tile]!.dead) return bytes;
    const d = this.decide('to-tile', tile, message, bytes);
    if (!d) return bytes;
    const { record, injection } = this.record(d.kind, tile, 'to-tile', message, bytes);
    if (d.kind === 'drop') return null;
    if (d.kind === 'corrupt' || d.kind === 'truncate') {
      const changed = d.kind === 'corrupt' ? this.flipBits(bytes, d.source, record) : this.truncate(bytes, d.source, record);
      this.armed.set(changed, { injection, record, source: d.source });
      return changed;
    }
    if (d.kind === 'delay' || d.kind === 'duplicate') {
      this.route(d.kind, bytes, d.source, record);
      if (this.routed.copy) this.armed.set(this.routed.copy, { injection, record, source: d.source, copy: true });
      return bytes;
    }
    if (d.kind === 'freeze') record.stallCycles = this.draw(d.source, d.source instanceof Prng ? undefined : d.source.stallCycles, 2 * this.opts.replyTimeoutCycles, 4 * this.opts.replyTimeoutCycles);
    if (d.kind === 'slow') record.stallCycles = d.source instanceof Prng ? this.opts.stallCycles : (d.source.stallCycles ?? this.opts.stallCycles);
    if (d.kind === 'death') this.deaths++;
    this.armed.set(bytes, { injection, record, source: d.source, ...(d.kind === 'bitflip' ? { bitflipBase: stagingBase(bytes) } : {}) });
    return bytes;
  }

  tileToHub(tile: number, bytes: Uint8Array, arrivalCycle: number): Uint8Array | null {
    const message = this.received[tile]!++;
    // A late answer nobody waits for cannot be missed: faults go on replies that matter. A
    // reply that carries the effect of a fault on its request (an ERROR, a late copy's answer)
    // travels untouched, so the hub sees that effect and the ledger can match its reaction.
    if (!this.awaited(tile, bytes, arrivalCycle) || this.effects.has(bytes)) return bytes;
    const d = this.decide('to-hub', tile, message, bytes);
    if (!d) return bytes;
    const { record, injection } = this.record(d.kind, tile, 'to-hub', message, bytes);
    if (d.kind === 'drop') return null;
    const carried = [...(this.effects.get(bytes) ?? []), injection];
    if (d.kind === 'delay' || d.kind === 'duplicate') {
      this.route(d.kind, bytes, d.source, record);
      if (this.routed.copy) this.effects.set(this.routed.copy, [injection]);
      return bytes;
    }
    let changed: Uint8Array;
    if (d.kind === 'corrupt') changed = this.flipBits(bytes, d.source, record);
    else if (d.kind === 'truncate') changed = this.truncate(bytes, d.source, record);
    else if (d.kind === 'forged') {
      const options = forgeriesFor(bytes);
      const forgery: Forgery = d.source instanceof Prng ? options[d.source.nextInt(0, options.length - 1)]! : (d.source.forgery as Forgery);
      record.forgery = forgery;
      const picks: number[] = d.source instanceof Prng ? [] : [...(d.source.picks ?? [])];
      changed = forge(bytes, forgery, (n) => {
        const v = d.source instanceof Prng ? d.source.nextInt(0, n - 1) : (picks.shift() ?? 0) % n;
        (record.picks ??= []).push(v);
        return v;
      });
    } else {
      const scripted = d.source instanceof Prng ? undefined : d.source.picks;
      const entry = this.draw(d.source, scripted?.[0], 0, 15);
      const permille = this.draw(d.source, scripted?.[1], 0, 1000);
      record.picks = [entry, permille];
      changed = silentError(bytes, entry, permille);
    }
    this.effects.set(changed, carried);
    return changed;
  }

  /** How the link carries the message just let through (then back to direct). */
  routing(): Readonly<Routing> {
    const r = this.routed;
    this.routed = DIRECT_ROUTING;
    return r;
  }

  replyArriving(bytes: Uint8Array | null): void {
    this.ledger.carrying = bytes ? (this.effects.get(bytes) ?? []) : [];
  }

  trapArriving(trap: TileTrap | null): void {
    this.ledger.carrying = trap ? (this.effects.get(trap) ?? []) : [];
  }

  beforeHandle(node: TileNode, request: Uint8Array): void {
    if (this.slowdowns.length > 0) node.slowFactor = this.slowFactor(node.tileId);
    const a = this.armed.get(request);
    if (!a) return;
    const kind = a.injection.kind;
    if (a.copy) return; // the late copy runs as it is
    if (kind === 'trap') node.pendingImage = faultImages().trap;
    else if (kind === 'hang') node.pendingImage = faultImages().hang;
    else if (kind === 'slow' || kind === 'freeze') node.pendingStallCycles = a.record.stallCycles!;
    else if (kind === 'death') node.dead = true;
    else if (kind === 'bitflip' && !this.flipScratchBit(node, a, request)) {
      // A repeated final chunk (its first answer was lost) is acknowledged without a check:
      // there is nothing for a flipped bit to be caught by, so this one does not count.
      this.armed.delete(request);
      this.ledger.cancel(a.injection, 'nothing staged for the flip to hit (a repeated final chunk is acknowledged without a check)');
    }
  }

  /** A fault riding on a message that met a dead tile can be seen by nobody: it is not counted. */
  undeliverable(request: Uint8Array): void {
    const a = this.armed.get(request);
    if (!a || a.injection.kind === 'death') return; // the death itself is seen by the hub
    this.armed.delete(request);
    this.ledger.cancel(a.injection, a.copy ? 'the late copy reached a dead tile' : 'the message reached a dead tile');
  }

  afterHandle(request: Uint8Array, outcome: TileOutcome): void {
    const a = this.armed.get(request);
    if (!a) return;
    this.armed.delete(request);
    const kind = a.injection.kind;
    // What the tile made of it travels to the hub; the hub's reaction to that is the detection.
    const effect: object = outcome.kind === 'trap' ? outcome.trap : outcome.bytes;
    if (a.copy || kind === 'trap' || kind === 'hang' || kind === 'corrupt' || kind === 'bitflip' || kind === 'truncate') {
      this.effects.set(effect, [...(this.effects.get(effect) ?? []), a.injection]);
    }
    if (kind === 'truncate' && outcome.kind === 'reply' && errorCode(outcome.bytes) === null) {
      this.ledger.harmless(a.injection, "the tile's I/O buffer still held the lost tail (an earlier copy of the same message)");
    }
    // slow, freeze and death are seen by the hub (a timeout, a retirement).
  }

  /**
   * The fault for this message, if any: the script's when replaying; otherwise a plan phase
   * active now, then the random rate. Draws keep their order (chance, then kind), so a run
   * without a plan draws exactly as before plans existed.
   */
  private decide(direction: FaultDirection, tile: number, message: number, bytes: Uint8Array): { kind: FaultKind; source: ParamSource } | null {
    const applicable = direction === 'to-tile' ? (k: FaultKind, capped: boolean) => this.appliesToTile(k, bytes, capped) : (k: FaultKind) => appliesToReply(k, bytes);
    if (this.opts.script) {
      const f = this.opts.script.at(direction, tile, message);
      return f && applicable(f.kind, false) ? { kind: f.kind, source: f } : null;
    }
    for (const p of this.opts.plan ? activePhases(this.opts.plan, tile, direction, this.now()) : []) {
      const kind = p.kind as FaultKind;
      if (applicable(kind, false) && this.planPrng.chance(p.rate.numerator, p.rate.denominator)) return { kind, source: this.planPrng };
    }
    if (!this.prng.chance(this.opts.rate.numerator, this.opts.rate.denominator)) return null;
    const kind = this.pick(this.opts.kinds.filter((k) => applicable(k, true)));
    return kind ? { kind, source: this.prng } : null;
  }

  private record(kind: FaultKind, tile: number, direction: FaultDirection, message: number, bytes: Uint8Array): { record: MessageFault; injection: Injection } {
    const record: MessageFault = { kind, tile, direction, message, atCycles: this.now() };
    this.injected.push(record);
    return { record, injection: this.ledger.inject(kind, tile, direction, describe(bytes), msgIdOf(bytes)) };
  }

  private appliesToTile(kind: FaultKind, bytes: Uint8Array, capDeaths: boolean): boolean {
    if (kind === 'death') return !capDeaths || this.deaths < this.maxDeaths;
    if (kind === 'bitflip') return stagingBase(bytes) >= 0;
    return kind !== 'forged' && kind !== 'sdc';
  }

  /** A drawn parameter, or the script's. */
  private draw(source: ParamSource, scripted: number | undefined, lo: number, hi: number): number {
    return source instanceof Prng ? source.nextInt(lo, hi) : (scripted ?? lo);
  }

  /** A latency spike or a late second copy on the link. */
  private route(kind: 'delay' | 'duplicate', bytes: Uint8Array, source: ParamSource, record: MessageFault): void {
    const timeout = this.opts.replyTimeoutCycles;
    record.delayCycles = this.draw(source, source instanceof Prng ? undefined : source.delayCycles, kind === 'delay' ? timeout / 10 : 1_000, kind === 'delay' ? timeout * 2 : timeout);
    this.routed = kind === 'delay' ? { ...DIRECT_ROUTING, delayCycles: record.delayCycles } : { delayCycles: 0, copyAfterCycles: record.delayCycles, copy: bytes.slice() };
  }

  /** The message's tail cut off: its header arrives, then 0 .. length-9 more bytes. */
  private truncate(bytes: Uint8Array, source: ParamSource, record: MessageFault): Uint8Array {
    record.length = this.draw(source, source instanceof Prng ? undefined : source.length, MSG_HEADER_BYTES, bytes.length - 1);
    return bytes.slice(0, record.length);
  }

  private slowFactor(tile: number): number {
    const now = this.now();
    let factor = 1;
    for (const s of this.slowdowns) if (s.tile === tile && now >= s.fromCycles && now < s.toCycles) factor *= s.factor;
    return factor;
  }

  private pick(kinds: FaultKind[]): FaultKind | undefined {
    return kinds.length === 0 ? undefined : kinds[this.prng.nextInt(0, kinds.length - 1)];
  }

  /** One to three distinct bit flips anywhere in a copy of the message (drawn, or the script's). */
  private flipBits(bytes: Uint8Array, source: ParamSource, record: MessageFault): Uint8Array {
    const out = bytes.slice();
    let bits: number[];
    if (source instanceof Prng) {
      const flips = source.nextInt(1, 3);
      const drawn = new Set<number>();
      while (drawn.size < flips) drawn.add(source.nextInt(0, out.length * 8 - 1)); // a bit flipped twice is no flip
      bits = [...drawn];
    } else {
      bits = (source.bits ?? []).filter((b) => b < out.length * 8);
    }
    record.bits = bits;
    for (const bit of bits) out[bit >> 3] = out[bit >> 3]! ^ (1 << (bit & 7));
    return out;
  }

  /**
   * A single flipped bit in the block bytes the tile is about to verify and use; false when
   * the message will not check them (a repeated final chunk, nothing staged).
   */
  private flipScratchBit(node: TileNode, a: Armed, request: Uint8Array): boolean {
    const staged = node.instance.view.getUint32(STATE_PTR + ST_CHUNK_BYTES, true);
    const v = new DataView(request.buffer, request.byteOffset, request.byteLength);
    const isChunk = (v.getUint16(HEADER.type, true) & 0x3fff) === MSG_LOAD_BLOCK;
    if (staged === 0 || (isChunk && v.getUint32(MSG_HEADER_BYTES + LB_OFFSET, true) !== staged)) return false;
    const bit = a.source instanceof Prng ? a.source.nextInt(0, staged * 8 - 1) : a.source.bits?.[0];
    if (bit === undefined || bit >= staged * 8) return false;
    a.record.bits = [bit];
    const at = a.bitflipBase! + (bit >> 3);
    node.instance.bytes[at] = node.instance.bytes[at]! ^ (1 << (bit & 7));
    node.memoryWritten(); // the staged block, not the work counters; said anyway, as every host write must
    return true;
  }
}

/**
 * Where the bytes a message will check by CRC sit on the tile, or -1 when it checks none:
 * a final block chunk with VERIFY_CRC after earlier chunks (the staged part), or a COMPUTE
 * that re-verifies the resident block.
 */
function stagingBase(bytes: Uint8Array): number {
  if (bytes.length < MSG_HEADER_BYTES + 8) return -1;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = v.getUint16(HEADER.type, true) & 0x3fff;
  if (type === MSG_LOAD_BLOCK && bytes.length >= MSG_HEADER_BYTES + 24) {
    const flags = v.getUint8(MSG_HEADER_BYTES + LB_FLAGS);
    const final = flags & LB_F_FINAL && flags & LB_F_VERIFY_CRC && v.getUint32(MSG_HEADER_BYTES + LB_OFFSET, true) > 0;
    return final ? (flags & LB_F_DEQUANT ? LB_DEQUANT_STAGE_PTR : BLOCK_PTR) : -1;
  }
  if (type === MSG_COMPUTE) return v.getUint8(MSG_HEADER_BYTES + CMP_FLAGS) & LB_F_VERIFY_CRC ? BLOCK_PTR : -1;
  return -1;
}

function appliesToReply(kind: FaultKind, bytes: Uint8Array): boolean {
  if (kind === 'forged') return forgeriesFor(bytes).length > 0;
  if (kind === 'sdc') return sdcApplies(bytes);
  return REPLY_KINDS.includes(kind);
}

function errorCode(reply: Uint8Array): number | null {
  if (reply.length < MSG_HEADER_BYTES + 8) return null;
  const v = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
  return (v.getUint16(HEADER.type, true) & 0x3fff) === MSG_ERROR ? v.getUint16(MSG_HEADER_BYTES + REPLY_WORD, true) : null;
}

function describe(bytes: Uint8Array): string {
  if (bytes.length < MSG_HEADER_BYTES) return `${bytes.length} B`;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return `type 0x${(v.getUint16(HEADER.type, true) & 0x3fff).toString(16)} id ${v.getUint32(HEADER.id, true)}`;
}

function msgIdOf(bytes: Uint8Array): number {
  return bytes.length < MSG_HEADER_BYTES ? -1 : new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(HEADER.id, true);
}
