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
// one every request is a stamped copy of its own and every reply a copy, as before.
import type { HubSink, HubTransport } from '../hub/hub-transport.ts';
import type { TileTrap } from '../tile/tile-trap.ts';
import type { Mesh } from './mesh.ts';
import { MessageSlots } from './message-slots.ts';
import type { EventTracer, KindId, Simulator } from './simulator.ts';
import type { TraceRecorder } from './trace.ts';
import { messageId, messageType, type MessageKind } from './trace-records.ts';
import type { TileNode, TileOutcome } from './tile-node.ts';
import type { ChipLink } from './chip/chip-link.ts';
import { ByteSlab } from '../protocol/byte-slab.ts';
import { stampedCopy, stampedLengthOf, stampedTypeOf } from '../protocol/stamped-message.ts';

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

/**
 * Where the fault injector reaches into the message path and the tiles. Every message a tap
 * sees is bytes of its own (a stamped copy of the hub's request, a copy of the tile's reply):
 * a tap may key messages by their identity (the injector arms the very bytes it lets
 * through), keep them, or change them. A transport with a tap pays those copies; one
 * without a tap makes none.
 */
export interface LinkTap {
  /** May corrupt or drop a message in flight; returns the bytes to deliver or null. */
  hubToTile(tile: number, bytes: Uint8Array): Uint8Array | null;
  tileToHub(tile: number, bytes: Uint8Array, arrivalCycle: number): Uint8Array | null;
  /** Just before the tile runs a delivered message. */
  beforeHandle(node: TileNode, request: Uint8Array): void;
  /** How the link carries the message just let through: a latency spike, a late second copy.
   *  Asked only with a tap; a tap that changes nothing returns one shared DIRECT_ROUTING. */
  routing(): Readonly<Routing>;
  /** A reply is about to reach the hub (null: done with it). */
  replyArriving(bytes: Uint8Array | null): void;
  /** A trap report is about to reach the hub (null: done with it). */
  trapArriving(trap: TileTrap | null): void;
  /** Just after: what the tile made of it. */
  afterHandle(request: Uint8Array, outcome: TileOutcome): void;
  /** The message reached a dead tile: nobody will ever handle it. */
  undeliverable(request: Uint8Array): void;
}

/** How a tap's link carries a message (a fresh object only when the tap changes something). */
export interface Routing {
  /** Extra cycles on the link (the link keeps its order: later messages wait behind it). */
  delayCycles: number;
  /** A second copy arrives this many cycles after the first (null: none). */
  copyAfterCycles: number | null;
  copy: Uint8Array | null;
}

/** The link as it is: no delay, no second copy. */
export const DIRECT_ROUTING: Readonly<Routing> = Object.freeze({ delayCycles: 0, copyAfterCycles: null, copy: null });

/** A tile's record in SimTransport.links: arrival order to the tile, to the hub, its reply waiting in place. */
const LINK_FIELDS = 4;
const TO_TILE = 0;
const TO_HUB = 1;
const REPLY_SLOT = 2;

/** Copies of what a tap sees: stamped requests, replies out of the I/O buffer, replies copied on conflict. */
const TAP_COPIES = new ByteSlab();

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
  /** With a tap: the last stamped copy made of each template (tapRequest). */
  private readonly tapCopies = new WeakMap<Uint8Array, { msgId: number; sealed: boolean; bytes: Uint8Array }>();
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
    private readonly tap: LinkTap | null = null,
    private readonly chip: ChipLink | null = null,
  ) {
    // A tap sees every reply as bytes of its own; without one a reply stays in the I/O buffer.
    for (const n of nodes) n.repliesInPlace = tap === null;
    // Typed, one record per tile: a plain array filled by tile id in any order went holey.
    this.links = new Float64Array(Math.max(nodes.length, mesh.tiles) * LINK_FIELDS);
    for (let at = REPLY_SLOT; at < this.links.length; at += LINK_FIELDS) this.links[at] = -1;
    this.deliverKind = sim.kindId('deliver');
    this.replyKind = sim.kindId('reply');
    sim.on('booted', ({ tile }) => this.sink.onTileBooted(tile));
    // The per-message handlers and tracers are chosen once, here: without a tap a request
    // always waits as a template and a reply as bytes, so those paths never ask about a tap
    // or a slot's form (one event is one message: every check saved is saved per message).
    // The tap-free handlers are bound arrow fields, given as they are: no closure calling a
    // method, one frame fewer per event.
    if (tap === null) {
      sim.on('deliver', this.onDeliverStamped, this.traceTemplate);
      sim.on('reply', this.onReplyInPlace, this.traceReply);
    } else {
      sim.on('deliver', (slot) => this.onDeliver(slot), this.tracer('deliver'));
      sim.on('reply', (slot) => this.onReplyTapped(slot, tap), this.tracer('reply'));
    }
    sim.on('trap', ({ tile, ref }) => {
      const trap = this.traps.get(ref)!;
      this.traps.delete(ref);
      this.tap?.trapArriving(trap);
      this.sink.onTrap(tile, trap);
      this.tap?.trapArriving(null);
    });
    sim.on('restarted', ({ tile }) => {
      this.keepReply(tile); // a restart need not leave the old memory alone
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
    if (this.tap === null) {
      const slot = this.inFlight.putTemplate(tileId, template, msgId, sealed, stampedTypeOf(type, sealed), length);
      this.sim.scheduleLaneAt(this.inOrder(tileId, arrivalCycle, TO_TILE), this.deliverKind, slot, tileId);
      return departureCycle;
    }
    const delivered = this.tap.hubToTile(tileId, this.tapRequest(template, msgId, sealed));
    if (delivered === null) return departureCycle; // lost in the mesh: the hub's reply timeout notices
    this.carry('deliver', tileId, delivered, arrivalCycle, TO_TILE, this.tap);
    return departureCycle;
  }

  /**
   * The stamped copy a tap is given. A message the hub sends again as it was (a pull walk's
   * lost message: same template, same msg_id) is the same bytes object again, as it was when
   * the hub made the copy itself: a tap keys messages by identity, and this keeps every
   * fault behaviour as it was. Any other message is a fresh copy.
   */
  private tapRequest(template: Uint8Array, msgId: number, sealed: boolean): Uint8Array {
    const last = this.tapCopies.get(template);
    if (last !== undefined && last.msgId === msgId && last.sealed === sealed) return last.bytes;
    const bytes = stampedCopy(template, msgId, sealed, TAP_COPIES);
    this.tapCopies.set(template, { msgId, sealed, bytes });
    return bytes;
  }

  /** The cycle a message arriving at `arrivalCycle` reaches `tile`: a link (`way`: TO_TILE, TO_HUB) keeps its order. */
  private inOrder(tile: number, arrivalCycle: number, way: number): number {
    const links = this.links;
    const i = tile * LINK_FIELDS + way;
    const at = Math.max(arrivalCycle, links[i]!);
    links[i] = at;
    return at;
  }

  /** Schedules a message's arrival in its link's order, with what the tap did to the link (the tapped path). */
  private carry(event: 'deliver' | 'reply', tile: number, bytes: Uint8Array, arrivalCycle: number, way: number, tap: LinkTap): void {
    const r = tap.routing();
    const at = this.inOrder(tile, arrivalCycle + r.delayCycles, way);
    this.sim.scheduleAt(at, event, this.inFlight.put(tile, bytes));
    if (r.copy) this.sim.scheduleAt(at + r.copyAfterCycles!, event, this.inFlight.put(tile, r.copy));
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

  /** A reply reaching the hub through the tap (bytes of their own). */
  private onReplyTapped(slot: number, tap: LinkTap): void {
    const tile = this.inFlight.tileOf(slot);
    const bytes = this.inFlight.take(slot);
    tap.replyArriving(bytes);
    this.sink.onReply(tile, bytes);
    tap.replyArriving(null);
  }

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

  /** A request reaching its tile through the tap (bytes of its own: the tap may have armed or changed them). */
  private onDeliver(slot: number): void {
    const tileId = this.inFlight.tileOf(slot);
    const node = this.nodes[tileId]!;
    const request = this.inFlight.take(slot);
    const tap = this.tap!;
    if (node.dead) {
      tap.undeliverable(request);
      return;
    }
    const start = Math.max(this.sim.nowCycles, node.busyUntilCycles);
    tap.beforeHandle(node, request);
    if (node.dead) {
      tap.undeliverable(request); // the injector killed it: the message is never answered
      return;
    }
    const outcome = node.handle(request);
    tap.afterHandle(request, outcome);
    this.settle(node, start, outcome);
  }

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
    const tap = this.tap!; // without a tap, onDeliverStamped sends the reply itself
    const delivered = tap.tileToHub(tileId, outcome.bytes, arrivalCycle);
    if (delivered === null) return;
    this.carry('reply', tileId, delivered, arrivalCycle, TO_HUB, tap);
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
    this.inFlight.replace(slot, TAP_COPIES.copy(this.inFlight.peek(slot)));
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

  /** With a tap: a message's record, whichever form its slot holds. */
  private tracer(kind: MessageKind): EventTracer<number> {
    return (trace, t, seq, slot) => {
      const s = this.inFlight;
      const bytes = s.peek(slot);
      const tile = s.tileOf(slot);
      if (s.isTemplate(slot)) {
        // The request as it will be stamped (stamped-message.ts), from its slot.
        trace.recordMessage(kind, t, seq, tile, s.typeOf(slot), s.msgIdOf(slot), s.lengthOf(slot), null, slot);
        return;
      }
      const body = kind === 'reply' ? bytes : null;
      trace.recordMessage(kind, t, seq, tile, messageType(bytes), messageId(bytes), bytes.length, body, slot);
    };
  }
}
