// The hub's transport in simulation: messages cross the mesh as timed events, tiles run
// them for real, replies and traps come back as events. A message's event carries only a
// slot number (message-slots.ts): the message waits there, and the trace records it in
// place (tile, type, msg_id, size, and for a reply every byte), so nothing is allocated per
// message on the way.
//
// Without a link tap nothing is copied either: a request waits as the hub's shared template
// and its msg_id and is written once, stamped, straight into the tile's I/O buffer
// (TileNode.handleStamped); a reply waits as a view of that buffer and is copied out only if
// the tile is about to reuse the buffer before the hub has read it (copy on conflict). A tap
// (fault injection, an observer) keys, keeps and changes the very bytes it is given, so with
// one every request is a stamped copy of its own and every reply a copy: that path is
// tapped-link.ts, chosen once when the transport is built.
import type { HubSink, HubTransport } from '../hub/hub-transport.ts';
import type { TileTrap } from '../tile/tile-trap.ts';
import { TappedLink, type LinkTap, type TappedHost } from './tapped-link.ts';
import type { Mesh } from './mesh.ts';
import { MessageSlots } from './message-slots.ts';
import type { KindId, Simulator } from './simulator.ts';
import type { TraceRecorder } from './trace.ts';
import type { TileNode, TileOutcome } from './tile-node.ts';
import type { ChipLink } from './chip/chip-link.ts';
import { ByteSlab } from '../protocol/byte-slab.ts';
import { stampedLengthOf, stampedTypeOf } from '../protocol/stamped-message.ts';
import { tilePayloadJson } from './canonical-json.ts';

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

/** A tile's record in SimTransport.links: arrival order to the tile, to the hub, its reply waiting in place. */
const LINK_FIELDS = 4;
const TO_TILE = 0;
const TO_HUB = 1;
const REPLY_SLOT = 2;

/** Replies copied on conflict (keepReply). */
const CONFLICT_COPIES = new ByteSlab();

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
  /**
   * Per tile, one record of LINK_FIELDS numbers (the fields a message reads for its tile sit
   * on one line of memory, not one line in each of three arrays): the latest arrival
   * scheduled each way (a link keeps its order, so a message held up by a latency spike
   * holds up those behind it), and the slot of its reply waiting as a view of its I/O
   * buffer (-1: none).
   */
  private readonly links: Float64Array;
  /** Replies copied out of a tile's I/O buffer because the tile was about to reuse it before the hub read them. */
  repliesCopiedOnConflict = 0;
  /** The tapped path (tapped-link.ts), when the transport has a tap. */
  private readonly tapped: TappedLink | null;
  hubBusyCycles = 0;
  /** The message kinds' queue ids, resolved once: scheduled once per message. */
  private readonly deliverKind: KindId<'deliver'>;
  private readonly replyKind: KindId<'reply'>;

  /** `sink` hears of boots, replies, traps and restarts; `tap` (the fault injector) may reach into the message path. */
  constructor(
    readonly sim: Simulator<SimEvents>,
    readonly mesh: Mesh,
    readonly nodes: TileNode[],
    private readonly sink: HubSink,
    tap: LinkTap | null = null,
    private readonly chip: ChipLink | null = null,
  ) {
    // A tap sees every reply as bytes of its own; without one a reply stays in the I/O buffer.
    for (const n of nodes) n.repliesInPlace = tap === null;
    // Typed, one record per tile: a plain array filled by tile id in any order went holey.
    this.links = new Float64Array(Math.max(nodes.length, mesh.tiles) * LINK_FIELDS);
    for (let at = REPLY_SLOT; at < this.links.length; at += LINK_FIELDS) this.links[at] = -1;
    this.deliverKind = sim.kindId('deliver');
    this.replyKind = sim.kindId('reply');
    // Its trace record's payload written as canonical JSON directly (one event per tile in the
    // run: the generic record's keys, sort and strings were ~0.5 KB per tile; docs/performance.md,
    // "Allocation at many tiles").
    sim.on('booted', ({ tile }) => this.sink.onTileBooted(tile), (trace, t, seq, p) => trace.recordEventJson(t, seq, 'booted', p, tilePayloadJson(p.tile)));
    // The per-message handlers and tracers are chosen once, here: without a tap a request
    // always waits as a template and a reply as bytes, so those paths never ask about a tap
    // or a slot's form (one event is one message: every check saved is saved per message).
    // The tap-free handlers are bound arrow fields, given as they are: no closure calling a
    // method, one frame fewer per event.
    this.tapped = tap === null ? null : this.tappedLink(tap);
    if (this.tapped === null) {
      sim.on('deliver', this.onDeliverStamped, this.traceTemplate);
      sim.on('reply', this.onReplyInPlace, this.traceReply);
    } else {
      sim.on('deliver', this.tapped.onDeliver, this.tapped.tracer('deliver'));
      sim.on('reply', this.tapped.onReply, this.tapped.tracer('reply'));
    }
    sim.on('trap', ({ tile, ref }) => {
      const trap = this.traps.get(ref)!;
      this.traps.delete(ref);
      if (this.tapped === null) this.sink.onTrap(tile, trap);
      else this.tapped.trapToHub(tile, trap);
    });
    sim.on('restarted', ({ tile }) => {
      this.keepReply(tile); // a restart need not leave the old memory alone
      this.nodes[tile]!.restart();
      this.sink.onTileRestarted(tile);
    });
  }

  /** The tapped path, given what it uses of this transport (its link order and settle are private here). */
  private tappedLink(tap: LinkTap): TappedLink {
    const host: TappedHost = {
      sim: this.sim,
      nodes: this.nodes,
      slots: this.inFlight,
      sink: this.sink,
      inOrder: (event, tile, arrivalCycle) => this.inOrder(tile, arrivalCycle, event === 'deliver' ? TO_TILE : TO_HUB),
      settle: (node, start, outcome) => this.settle(node, start, outcome),
    };
    return new TappedLink(tap, host);
  }

  bootAll(): void {
    for (const n of this.nodes) this.sim.scheduleAfter(TILE_BOOT_CYCLES, 'booted', { tile: n.tileId });
  }

  nowCycles(): number {
    return this.sim.nowCycles;
  }

  send(tileId: number, template: Uint8Array, msgId: number, sealed: boolean, type: number, templateLength: number): number {
    // The template's facts, not its (cold) bytes: it is read once, where it is copied.
    const length = stampedLengthOf(templateLength, sealed);
    // What the tile's chip serves does not cross the hub link (read as two numbers: no object per send).
    const chip = this.chip;
    const chipBytes = chip === null ? 0 : chip.fromChip(msgId);
    const chipCycles = chip === null ? 0 : chip.cycles;
    this.bytesToTiles += length - chipBytes;
    this.chipBytesToTiles += chipBytes;
    // The hub's one CPU sends once it has finished what it was computing (chargeHub, hubCompute).
    const arrivalCycle = this.mesh.arrivalFromHub(Math.max(this.sim.nowCycles, this.hubBusyUntil), tileId, length - chipBytes) + chipCycles;
    // Its last byte has left the hub's egress link: that link is free again from then.
    const departureCycle = this.mesh.hubEgressFreeCycle;
    if (this.tapped === null) {
      const slot = this.inFlight.putTemplate(tileId, template, msgId, sealed, stampedTypeOf(type, sealed), length);
      this.sim.scheduleLaneAt(this.inOrder(tileId, arrivalCycle, TO_TILE), this.deliverKind, slot, tileId);
    } else {
      this.tapped.hubToTile(tileId, template, msgId, sealed, arrivalCycle);
    }
    return departureCycle;
  }

  /** The cycle a message arriving at `arrivalCycle` reaches `tile`: a link (`way`: TO_TILE, TO_HUB) keeps its order. */
  private inOrder(tile: number, arrivalCycle: number, way: number): number {
    const links = this.links;
    const i = tile * LINK_FIELDS + way;
    const at = Math.max(arrivalCycle, links[i]!);
    links[i] = at;
    return at;
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

  /** A reply reaching the hub, without a tap: lent to the hub as it waits (a view of the I/O buffer or a copy). */
  private readonly onReplyInPlace = (slot: number): void => {
    const s = this.inFlight;
    const tile = s.tileOf(slot);
    const links = this.links;
    const waiting = tile * LINK_FIELDS + REPLY_SLOT;
    if (links[waiting] === slot) links[waiting] = -1;
    this.sink.onReply(tile, s.take(slot));
  };

  /**
   * A hub request reaching its tile, without a tap: written stamped into the I/O buffer, no
   * copy, and the tile's reply on its way back as a view of that buffer (a trap goes through
   * settle). The tapped path's deliver, settle and carry in one function, each field read
   * once: this runs once per message.
   */
  private readonly onDeliverStamped = (slot: number): void => {
    const s = this.inFlight;
    const tileId = s.tileOf(slot);
    const msgId = s.msgIdOf(slot);
    const sealed = s.sealedOf(slot);
    const template = s.take(slot);
    const node = this.nodes[tileId]!;
    if (node.dead) return;
    const links = this.links;
    const link = tileId * LINK_FIELDS;
    if (links[link + REPLY_SLOT]! >= 0) this.keepReply(tileId);
    const outcome = node.handleStamped(template, msgId, sealed);
    // Read after the call (the call changes neither): the busy time sits in the line of the
    // tile's record the charge has just touched, not one the kernel's call evicts in between.
    const start = Math.max(this.sim.nowCycles, node.busyUntilCycles);
    if (outcome.kind === 'trap') {
      this.settle(node, start, outcome);
      return;
    }
    const cycles = outcome.cycles;
    const done = start + cycles;
    node.busyUntilCycles = done;
    node.busyCycles += cycles;
    const bytes = outcome.bytes;
    const length = outcome.length;
    const arrivalCycle = this.inOrder(tileId, this.mesh.arrivalAtHub(done, tileId, length), TO_HUB);
    this.bytesToHub += length;
    this.messagesToHub++;
    // A view of the I/O buffer (TileNode.repliesInPlace): kept track of until the hub reads it.
    const replySlot = s.put(tileId, bytes);
    links[link + REPLY_SLOT] = replySlot;
    this.sim.scheduleLaneAt(arrivalCycle, this.replyKind, replySlot, tileId);
  };

  /** The tile's time taken, and its trap or (the tapped path) reply on its way to the hub. */
  private settle(node: TileNode, start: number, outcome: TileOutcome): void {
    const tileId = node.tileId;
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
    this.tapped!.tileToHub(tileId, outcome.bytes, arrivalCycle); // without a tap, onDeliverStamped sends the reply itself
  }

  /**
   * Copy on conflict: the tile is about to overwrite its I/O buffer (a message, a restart)
   * while its last reply still waits there, unread by the hub (a re-sent request overtaking
   * a late reply): that reply is copied out first, so what the hub reads never depends on
   * the tile keeping one message outstanding.
   */
  private keepReply(tileId: number): void {
    const waiting = tileId * LINK_FIELDS + REPLY_SLOT;
    const slot = this.links[waiting]!;
    if (slot < 0) return;
    this.links[waiting] = -1;
    this.inFlight.replace(slot, CONFLICT_COPIES.copy(this.inFlight.peek(slot)));
    this.repliesCopiedOnConflict++;
  }

  // A message's trace record, read from its bytes in place. A reply's record holds every
  // byte the hub receives, so the trace hash pins every answer (requests follow from the
  // config, the data and the replies before them). The listener sees the slot as payload.

  /** Without a tap: a request's record, from its slot (the request as it will be stamped:
   *  stamped-message.ts; its type and length came with it, the template is not read). Bound
   *  arrow fields, as the handlers: no closure between. */
  private readonly traceTemplate = (trace: TraceRecorder, t: number, seq: number, slot: number): void => {
    const s = this.inFlight;
    trace.recordDeliver(t, seq, s.tileOf(slot), s.typeOf(slot), s.msgIdOf(slot), s.lengthOf(slot), slot);
  };

  /** Without a tap: a reply's record, with every byte. */
  private readonly traceReply = (trace: TraceRecorder, t: number, seq: number, slot: number): void => {
    const s = this.inFlight;
    trace.recordReply(t, seq, s.tileOf(slot), s.peek(slot), slot);
  };
}
