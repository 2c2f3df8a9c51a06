// The fault injector: seeded, per message, in simulated time, acting on the real message
// bytes and the real tiles (docs/faults.md). Each message crossing the mesh gets a fault
// with probability rate (an integer ratio); the kind is drawn from those that can apply to
// that message. Deaths are bounded so that three quarters of the tiles always survive.
import type { Prng } from '../../hub/prng.ts';
import { HEADER } from '../../protocol/constants.ts';
import { BLOCK_PTR, LB_DEQUANT_STAGE_PTR, LB_F_DEQUANT, LB_F_FINAL, LB_F_VERIFY_CRC, LB_FLAGS, LB_OFFSET, CMP_FLAGS, MSG_COMPUTE, MSG_ERROR, MSG_HEADER_BYTES, MSG_LOAD_BLOCK, REPLY_WORD, ST_CHUNK_BYTES, STATE_PTR } from '../../wat/layout.ts';
import { ERR_BAD_MSG_CRC, ERR_BAD_MSG_LENGTH, ERR_CRC_MISMATCH } from '../../wat/status.ts';
import type { LinkTap } from '../sim-transport.ts';
import type { TileNode, TileOutcome } from '../tile-node.ts';
import { faultImages } from './fault-images.ts';
import type { FaultKind, FaultRate } from './fault-kinds.ts';
import type { FaultLedger, Injection } from './fault-ledger.ts';

export interface InjectorOptions {
  rate: FaultRate;
  kinds: readonly FaultKind[];
  tiles: number;
  /** A slow tile stalls this long on one message: past the hub's reply timeout. */
  stallCycles: number;
}

/** What waits to happen to a tile's next delivery. */
interface Armed {
  injection: Injection;
  bitflipBase?: number;
}

export class FaultInjector implements LinkTap {
  /** Injections waiting for their message to be handled, keyed by the very bytes delivered:
   *  a retry can overtake a message in flight, so a per-tile slot could be overwritten. */
  private readonly armed = new WeakMap<Uint8Array, Armed>();
  private readonly corruptedReplies = new WeakMap<Uint8Array, Injection>();
  private deaths = 0;
  private readonly maxDeaths: number;

  constructor(
    private readonly prng: Prng,
    private readonly ledger: FaultLedger,
    private readonly nodes: readonly TileNode[],
    private readonly opts: InjectorOptions,
    private readonly awaited: (tile: number, reply: Uint8Array, arrivalCycle: number) => boolean,
  ) {
    this.maxDeaths = Math.floor(opts.tiles / 4);
  }

  hubToTile(tile: number, bytes: Uint8Array): Uint8Array | null {
    if (this.nodes[tile]!.dead || !this.prng.chance(this.opts.rate.numerator, this.opts.rate.denominator)) return bytes;
    const kind = this.pick(this.applicableToTile(bytes));
    if (!kind) return bytes;
    const injection = this.ledger.inject(kind, tile, 'to-tile', describe(bytes), msgIdOf(bytes));
    if (kind === 'drop') return null;
    if (kind === 'corrupt') {
      const flipped = this.flipBits(bytes);
      this.armed.set(flipped, { injection });
      return flipped;
    }
    if (kind === 'death') this.deaths++;
    this.armed.set(bytes, { injection, ...(kind === 'bitflip' ? { bitflipBase: stagingBase(bytes) } : {}) });
    return bytes;
  }

  tileToHub(tile: number, bytes: Uint8Array, arrivalCycle: number): Uint8Array | null {
    // A late answer nobody waits for cannot be missed: faults go on replies that matter.
    if (!this.awaited(tile, bytes, arrivalCycle)) return bytes;
    if (!this.prng.chance(this.opts.rate.numerator, this.opts.rate.denominator)) return bytes;
    const kind = this.pick(this.opts.kinds.filter((k) => k === 'corrupt' || k === 'drop'));
    if (!kind) return bytes;
    const injection = this.ledger.inject(kind, tile, 'to-hub', describe(bytes), msgIdOf(bytes));
    if (kind === 'drop') return null;
    const flipped = this.flipBits(bytes);
    this.corruptedReplies.set(flipped, injection);
    return flipped;
  }

  replyArriving(bytes: Uint8Array | null): void {
    this.ledger.delivering = bytes ? (this.corruptedReplies.get(bytes) ?? null) : null;
  }

  beforeHandle(node: TileNode, request: Uint8Array): void {
    const a = this.armed.get(request);
    if (!a) return;
    const kind = a.injection.kind;
    if (kind === 'trap') node.pendingImage = faultImages().trap;
    else if (kind === 'hang') node.pendingImage = faultImages().hang;
    else if (kind === 'slow') node.pendingStallCycles = this.opts.stallCycles;
    else if (kind === 'death') node.dead = true;
    else if (kind === 'bitflip' && !this.flipScratchBit(node, a.bitflipBase!, request)) {
      // A repeated final chunk (its first answer was lost) is acknowledged without a check:
      // there is nothing for a flipped bit to be caught by, so this one does not count.
      this.armed.delete(request);
      this.ledger.cancel(a.injection);
    }
  }

  /** A fault riding on a message that met a dead tile can be seen by nobody: it is not counted. */
  undeliverable(request: Uint8Array): void {
    const a = this.armed.get(request);
    if (!a || a.injection.kind === 'death') return; // the death itself is seen by the hub
    this.armed.delete(request);
    this.ledger.cancel(a.injection);
  }

  afterHandle(request: Uint8Array, outcome: TileOutcome): void {
    const a = this.armed.get(request);
    if (!a) return;
    this.armed.delete(request);
    const kind = a.injection.kind;
    if (outcome.kind === 'trap') {
      const expected = kind === 'trap' ? 'memory-out-of-bounds' : kind === 'hang' ? 'budget-exceeded' : null;
      if (outcome.trap.kind === expected) this.ledger.detect(a.injection, `tile: ${outcome.trap.kind}`);
      return;
    }
    const code = errorCode(outcome.bytes);
    if (kind === 'corrupt' && (code === ERR_BAD_MSG_CRC || code === ERR_BAD_MSG_LENGTH)) this.ledger.detect(a.injection, 'tile: message CRC32C');
    if (kind === 'bitflip' && code === ERR_CRC_MISMATCH) this.ledger.detect(a.injection, 'tile: block CRC32C');
    // slow and death are seen by the hub (a timeout, a retirement); trap/hang by their trap.
  }

  private applicableToTile(bytes: Uint8Array): FaultKind[] {
    return this.opts.kinds.filter((k) => {
      if (k === 'death') return this.deaths < this.maxDeaths;
      if (k === 'bitflip') return stagingBase(bytes) >= 0;
      return true;
    });
  }

  private pick(kinds: FaultKind[]): FaultKind | undefined {
    return kinds.length === 0 ? undefined : kinds[this.prng.nextInt(0, kinds.length - 1)];
  }

  /** One to three distinct bit flips anywhere in a copy of the message. */
  private flipBits(bytes: Uint8Array): Uint8Array {
    const out = bytes.slice();
    const flips = this.prng.nextInt(1, 3);
    const bits = new Set<number>();
    while (bits.size < flips) bits.add(this.prng.nextInt(0, out.length * 8 - 1)); // a bit flipped twice is no flip
    for (const bit of bits) out[bit >> 3] = out[bit >> 3]! ^ (1 << (bit & 7));
    return out;
  }

  /**
   * A single flipped bit in the block bytes the tile is about to verify and use; false when
   * the message will not check them (a repeated final chunk, nothing staged).
   */
  private flipScratchBit(node: TileNode, base: number, request: Uint8Array): boolean {
    const staged = node.instance.view.getUint32(STATE_PTR + ST_CHUNK_BYTES, true);
    const v = new DataView(request.buffer, request.byteOffset, request.byteLength);
    const isChunk = (v.getUint16(HEADER.type, true) & 0x3fff) === MSG_LOAD_BLOCK;
    if (staged === 0 || (isChunk && v.getUint32(MSG_HEADER_BYTES + LB_OFFSET, true) !== staged)) return false;
    const bit = this.prng.nextInt(0, staged * 8 - 1);
    const at = base + (bit >> 3);
    node.instance.bytes[at] = node.instance.bytes[at]! ^ (1 << (bit & 7));
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
