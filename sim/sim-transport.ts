// The hub's transport in simulation: messages cross the mesh as timed events, tiles run
// them for real, replies and traps come back as events. A message's event carries only a
// slot number (message-slots.ts): the bytes wait there, and the trace records the message
// from its bytes (tile, type, msg_id, size, and for a reply every byte), so nothing is
// allocated per message on the way.
import type { HubSink, HubTransport } from '../hub/hub-transport.ts';
import type { TileTrap } from '../tile/tile-trap.ts';
import type { Mesh } from './mesh.ts';
import { MessageSlots } from './message-slots.ts';
import type { EventTracer, Simulator } from './simulator.ts';
import { messageId, messageType, type MessageKind } from './trace-records.ts';
import type { TileNode, TileOutcome } from './tile-node.ts';
import type { ChipLink } from './chip/chip-link.ts';

/** Cycles to instantiate a fresh kernel and run rvf_init (boot and restart). */
export const TILE_BOOT_CYCLES = 20_000;

export interface SimEvents {
  booted: { tile: number };
  /** A message reaching a tile: its slot in the transport's MessageSlots. */
  deliver: number;
  /** A reply reaching the hub: its slot. */
  reply: number;
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
  private nextTrapRef = 1;
  private readonly inFlight = new MessageSlots();
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
    sim.on('deliver', (slot) => this.onDeliver(slot), this.tracer('deliver'));
    sim.on(
      'reply',
      (slot) => {
        const tile = this.inFlight.tileOf(slot);
        const bytes = this.inFlight.take(slot);
        this.tap?.replyArriving(bytes);
        this.sink.onReply(tile, bytes);
        this.tap?.replyArriving(null);
      },
      this.tracer('reply'),
    );
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

  send(tileId: number, bytes: Uint8Array): number {
    const chip = this.chip?.fromChip(bytes) ?? { bytes: 0, cycles: 0 };
    this.bytesToTiles += bytes.length - chip.bytes;
    this.chipBytesToTiles += chip.bytes;
    // The hub's one CPU sends once it has finished what it was computing (chargeHub, hubCompute).
    const arrivalCycle = this.mesh.arrivalFromHub(Math.max(this.sim.nowCycles, this.hubBusyUntil), tileId, bytes.length - chip.bytes);
    // Its last byte has left the hub's egress link: that link is free again from then.
    const departureCycle = this.mesh.hubEgressFreeCycle;
    const delivered = this.tap ? this.tap.hubToTile(tileId, bytes) : bytes;
    if (delivered === null) return departureCycle; // lost in the mesh: the hub's reply timeout notices
    this.carry('deliver', tileId, delivered, arrivalCycle + chip.cycles, this.toTileOrder);
    return departureCycle;
  }

  /** Schedules a message's arrival in its link's order, with what the tap did to the link. */
  private carry(event: 'deliver' | 'reply', tile: number, bytes: Uint8Array, arrivalCycle: number, order: number[]): void {
    const r = this.tap?.routing();
    const at = Math.max(arrivalCycle + (r?.delayCycles ?? 0), order[tile] ?? 0);
    order[tile] = at;
    this.sim.scheduleAt(at, event, this.inFlight.put(tile, bytes));
    if (r?.copy) this.sim.scheduleAt(at + r.copyAfterCycles!, event, this.inFlight.put(tile, r.copy));
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

  private onDeliver(slot: number): void {
    const tileId = this.inFlight.tileOf(slot);
    const node = this.nodes[tileId]!;
    const request = this.inFlight.take(slot);
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
      const ref = this.nextTrapRef++;
      this.traps.set(ref, outcome.trap);
      this.sim.scheduleAt(done + this.mesh.arrivalCycles(tileId, 8), 'trap', { tile: tileId, ref, kind: outcome.trap.kind });
      return;
    }
    const arrivalCycle = this.mesh.arrivalAtHub(done, tileId, outcome.bytes.length);
    this.bytesToHub += outcome.bytes.length;
    this.messagesToHub++;
    const delivered = this.tap ? this.tap.tileToHub(tileId, outcome.bytes, arrivalCycle) : outcome.bytes;
    if (delivered === null) return;
    this.carry('reply', tileId, delivered, arrivalCycle, this.toHubOrder);
  }

  /**
   * A message's trace record, read from its bytes in place. A reply's record holds every
   * byte the hub receives, so the trace hash pins every answer (requests follow from the
   * config, the data and the replies before them). The listener sees the slot as payload.
   */
  private tracer(kind: MessageKind): EventTracer<number> {
    return (trace, t, seq, slot) => {
      const bytes = this.inFlight.peek(slot);
      const body = kind === 'reply' ? bytes : null;
      trace.recordMessage(kind, t, seq, this.inFlight.tileOf(slot), messageType(bytes), messageId(bytes), bytes.length, body, slot);
    };
  }
}
