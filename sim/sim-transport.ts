// The hub's transport in simulation: messages cross the mesh as timed events, tiles run
// them for real, replies and traps come back as events. Payloads in the trace are small
// (tile, message type, msg_id, size, and for a reply a digest of its bytes); the bytes
// wait in a side table keyed by a ref.
import type { HubSink, HubTransport } from '../hub/hub-transport.ts';
import { HEADER } from '../protocol/constants.ts';
import type { TileTrap } from '../tile/tile-trap.ts';
import { CANONICAL_JSON } from './canonical-json.ts';
import { payloadDigest } from './payload-digest.ts';
import type { Mesh } from './mesh.ts';
import type { Simulator } from './simulator.ts';
import type { TileNode, TileOutcome } from './tile-node.ts';
import type { ChipLink } from './chip/chip-link.ts';

/** Cycles to instantiate a fresh kernel and run rvf_init (boot and restart). */
export const TILE_BOOT_CYCLES = 20_000;

export interface MessageRef {
  [CANONICAL_JSON]?: string;
  tile: number;
  ref: number;
  type: number;
  msgId: number;
  bytes: number;
  /** Replies only: payloadDigest of the bytes the hub receives, so the trace hash pins every answer. */
  digest?: string;
}

export interface SimEvents {
  booted: { tile: number };
  deliver: MessageRef;
  reply: MessageRef;
  trap: { tile: number; ref: number; kind: string };
  restarted: { tile: number };
}

/** Where the fault injector reaches into the message path and the tiles. */
export interface LinkTap {
  /** May corrupt or drop a message in flight; returns the bytes to deliver or null. */
  hubToTile(tile: number, bytes: Uint8Array): Uint8Array | null;
  tileToHub(tile: number, bytes: Uint8Array, arrivalCycle: number): Uint8Array | null;
  /** Just before the tile runs a delivered message. */
  beforeHandle(node: TileNode, request: Uint8Array): void;
  /** How the link carries the message just let through: a latency spike, a late second copy. */
  routing(): { delayCycles: number; copyAfterCycles: number | null; copy: Uint8Array | null };
  /** A reply is about to reach the hub (null: done with it). */
  replyArriving(bytes: Uint8Array | null): void;
  /** A trap report is about to reach the hub (null: done with it). */
  trapArriving(trap: TileTrap | null): void;
  /** Just after: what the tile made of it. */
  afterHandle(request: Uint8Array, outcome: TileOutcome): void;
  /** The message reached a dead tile: nobody will ever handle it. */
  undeliverable(request: Uint8Array): void;
}

export class SimTransport implements HubTransport {
  /** Bytes that crossed the hub link to the tiles (with chips: without what the chips served). */
  bytesToTiles = 0;
  /** Bytes the tiles' chips served from shared memory instead of the hub link. */
  chipBytesToTiles = 0;
  bytesToHub = 0;
  messagesToHub = 0;
  private nextRef = 1;
  private readonly inFlight = new Map<number, Uint8Array>();
  private readonly traps = new Map<number, TileTrap>();
  private hubBusyUntil = 0;
  /** Per tile and direction, the latest arrival scheduled: a link keeps its order, so a
   *  message held up (a latency spike) holds up those behind it. */
  private readonly toTileOrder: number[] = [];
  private readonly toHubOrder: number[] = [];
  hubBusyCycles = 0;

  /** `sink` hears of boots, replies, traps and restarts; `tap` (the fault injector) may reach into the message path. */
  constructor(
    readonly sim: Simulator<SimEvents>,
    readonly mesh: Mesh,
    readonly nodes: TileNode[],
    private readonly sink: HubSink,
    private readonly tap: LinkTap | null = null,
    private readonly chip: ChipLink | null = null,
  ) {
    sim.on('booted', ({ tile }) => this.sink.onTileBooted(tile));
    sim.on('deliver', (m) => this.onDeliver(m));
    sim.on('reply', (m) => {
      const bytes = this.take(m.ref);
      this.tap?.replyArriving(bytes);
      this.sink.onReply(m.tile, bytes);
      this.tap?.replyArriving(null);
    });
    sim.on('trap', ({ tile, ref }) => {
      const trap = this.traps.get(ref)!;
      this.traps.delete(ref);
      this.tap?.trapArriving(trap);
      this.sink.onTrap(tile, trap);
      this.tap?.trapArriving(null);
    });
    sim.on('restarted', ({ tile }) => {
      this.nodes[tile]!.restart();
      this.sink.onTileRestarted(tile);
    });
  }

  bootAll(): void {
    for (const n of this.nodes) this.sim.scheduleAfter(TILE_BOOT_CYCLES, 'booted', { tile: n.tileId });
  }

  nowCycles(): number {
    return this.sim.nowCycles;
  }

  send(tileId: number, bytes: Uint8Array): void {
    const chip = this.chip?.fromChip(bytes) ?? { bytes: 0, cycles: 0 };
    this.bytesToTiles += bytes.length - chip.bytes;
    this.chipBytesToTiles += chip.bytes;
    // The hub's one CPU sends once it has finished what it was computing (chargeHub, hubCompute).
    const { arrivalCycle } = this.mesh.sendFromHub(Math.max(this.sim.nowCycles, this.hubBusyUntil), tileId, bytes.length - chip.bytes);
    const delivered = this.tap ? this.tap.hubToTile(tileId, bytes) : bytes;
    if (delivered === null) return; // lost in the mesh: the hub's reply timeout notices
    this.carry('deliver', tileId, delivered, arrivalCycle + chip.cycles, this.toTileOrder);
  }

  /** Schedules a message's arrival in its link's order, with what the tap did to the link. */
  private carry(event: 'deliver' | 'reply', tile: number, bytes: Uint8Array, arrivalCycle: number, order: number[]): void {
    const r = this.tap?.routing();
    const at = Math.max(arrivalCycle + (r?.delayCycles ?? 0), order[tile] ?? 0);
    order[tile] = at;
    // A reply's line in the trace carries a digest of its bytes (the trace pins the answers).
    this.sim.scheduleAt(at, event, this.ref(tile, bytes, event === 'reply'));
    if (r?.copy) this.sim.scheduleAt(at + r.copyAfterCycles!, event, this.ref(tile, r.copy, event === 'reply'));
  }

  restartTile(tileId: number): void {
    if (this.nodes[tileId]!.dead) return; // a dead tile never boots again; the hub's restart timer notices
    this.sim.scheduleAfter(TILE_BOOT_CYCLES, 'restarted', { tile: tileId });
  }

  later(fn: () => void): void {
    this.sim.setTimer(0, 'hub-next', fn);
  }

  hubCompute(cycles: number, done: () => void): void {
    this.chargeHub(cycles);
    this.sim.setTimer(this.hubBusyUntil - this.sim.nowCycles, 'hub-local', done);
  }

  chargeHub(cycles: number): number {
    this.hubBusyUntil = Math.max(this.sim.nowCycles, this.hubBusyUntil) + cycles;
    this.hubBusyCycles += cycles;
    return this.hubBusyUntil;
  }

  nearestTiles(tileId: number): readonly number[] {
    return this.mesh.nearestTiles(tileId);
  }

  private onDeliver(m: MessageRef): void {
    const node = this.nodes[m.tile]!;
    const request = this.take(m.ref);
    if (node.dead) {
      this.tap?.undeliverable(request);
      return;
    }
    const start = Math.max(this.sim.nowCycles, node.busyUntilCycles);
    this.tap?.beforeHandle(node, request);
    if (node.dead) {
      this.tap?.undeliverable(request); // the injector killed it: the message is never answered
      return;
    }
    const outcome = node.handle(request);
    this.tap?.afterHandle(request, outcome);
    const done = start + outcome.cycles;
    node.busyUntilCycles = done;
    node.busyCycles += outcome.cycles;
    if (outcome.kind === 'trap') {
      // The trap is raised on the tile; the hub hears of it one trip across the mesh later.
      const ref = this.nextRef++;
      this.traps.set(ref, outcome.trap);
      this.sim.scheduleAt(done + this.mesh.arrivalCycles(m.tile, 8), 'trap', { tile: m.tile, ref, kind: outcome.trap.kind });
      return;
    }
    const { arrivalCycle } = this.mesh.sendToHub(done, m.tile, outcome.bytes.length);
    this.bytesToHub += outcome.bytes.length;
    this.messagesToHub++;
    const delivered = this.tap ? this.tap.tileToHub(m.tile, outcome.bytes, arrivalCycle) : outcome.bytes;
    if (delivered === null) return;
    this.carry('reply', m.tile, delivered, arrivalCycle, this.toHubOrder);
  }

  private ref(tile: number, bytes: Uint8Array, digest = false): MessageRef {
    const ref = this.nextRef++;
    this.inFlight.set(ref, bytes);
    // Header fields read byte by byte: a DataView per message was a measurable allocation.
    const t = HEADER.type;
    const i = HEADER.id;
    const type = bytes.length >= 2 ? bytes[t]! | (bytes[t + 1]! << 8) : -1;
    const msgId = bytes.length >= 8 ? (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0 : -1;
    return withCanonicalJson({ tile, ref, type, msgId, bytes: bytes.length, ...(digest ? { digest: payloadDigest(bytes) } : {}) });
  }

  private take(ref: number): Uint8Array {
    const bytes = this.inFlight.get(ref)!;
    this.inFlight.delete(ref);
    return bytes;
  }
}

/**
 * One trace line per message crossing the mesh: its canonical form is precomputed (keys in
 * sorted order), equal to what canonicalJson would write (test/sim-trace-fast-path.test.ts).
 */
export function withCanonicalJson(m: MessageRef): MessageRef {
  const digest = m.digest === undefined ? '' : `"digest":${JSON.stringify(m.digest)},`;
  m[CANONICAL_JSON] = `{"bytes":${m.bytes},${digest}"msgId":${m.msgId},"ref":${m.ref},"tile":${m.tile},"type":${m.type}}`;
  return m;
}
