// The transport's tapped path: what a run with a link tap (the fault injector, an output
// that watches the links) does per message instead of SimTransport's zero-copy path. A tap
// keys, keeps and changes the very bytes it is given, so every request it sees is a stamped
// copy of its own and every reply a copy out of the tile's I/O buffer; the tap may delay a
// message on its link, send a second copy, drop it, or kill the tile before it runs it.
// SimTransport chooses this path once, when it is built with a tap, and hands it the
// message slots, the tiles and the link order it keeps; its tap-free handlers never ask
// about a tap (sim-transport.ts).
import type { HubSink } from '../hub/hub-transport.ts';
import { ByteSlab } from '../protocol/byte-slab.ts';
import { stampedCopy } from '../protocol/stamped-message.ts';
import type { TileTrap } from '../tile/tile-trap.ts';
import type { MessageSlots } from './message-slots.ts';
import type { SimEvents } from './sim-transport.ts';
import type { EventTracer, Simulator } from './simulator.ts';
import type { TileNode, TileOutcome } from './tile-node.ts';
import { messageId, messageType, type MessageKind } from './trace-records.ts';

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

/** What the tapped path uses of its transport. */
export interface TappedHost {
  readonly sim: Simulator<SimEvents>;
  readonly nodes: readonly TileNode[];
  readonly slots: MessageSlots;
  readonly sink: HubSink;
  /** The cycle a message arriving at `arrivalCycle` reaches its end of `tile`'s link, in the link's order. */
  inOrder(event: MessageKind, tile: number, arrivalCycle: number): number;
  /** The tile's time taken, and its trap (scheduled by the transport) or its reply (handed to `tileToHub`). */
  settle(node: TileNode, start: number, outcome: TileOutcome): void;
}

/** Stamped requests and replies out of the I/O buffer: the bytes a tap sees. */
const TAP_COPIES = new ByteSlab();

export class TappedLink {
  /** The last stamped copy made of each template (request). */
  private readonly copies = new WeakMap<Uint8Array, { msgId: number; sealed: boolean; bytes: Uint8Array }>();

  constructor(
    readonly tap: LinkTap,
    private readonly host: TappedHost,
  ) {}

  /** A hub request on its way: a stamped copy through the tap, which may drop it (the hub's reply timeout notices). */
  hubToTile(tileId: number, template: Uint8Array, msgId: number, sealed: boolean, arrivalCycle: number): void {
    const delivered = this.tap.hubToTile(tileId, this.request(template, msgId, sealed));
    if (delivered !== null) this.carry('deliver', tileId, delivered, arrivalCycle);
  }

  /** A tile's reply on its way (settle has counted it): through the tap, which may drop it. */
  tileToHub(tileId: number, bytes: Uint8Array, arrivalCycle: number): void {
    const delivered = this.tap.tileToHub(tileId, bytes, arrivalCycle);
    if (delivered !== null) this.carry('reply', tileId, delivered, arrivalCycle);
  }

  /**
   * The stamped copy a tap is given. A message the hub sends again as it was (a pull walk's
   * lost message: same template, same msg_id) is the same bytes object again, as it was when
   * the hub made the copy itself: a tap keys messages by identity, and this keeps every
   * fault behaviour as it was. Any other message is a fresh copy.
   */
  private request(template: Uint8Array, msgId: number, sealed: boolean): Uint8Array {
    const last = this.copies.get(template);
    if (last !== undefined && last.msgId === msgId && last.sealed === sealed) return last.bytes;
    const bytes = stampedCopy(template, msgId, sealed, TAP_COPIES);
    this.copies.set(template, { msgId, sealed, bytes });
    return bytes;
  }

  /** Schedules a message's arrival in its link's order, with what the tap did to the link. */
  private carry(event: MessageKind, tile: number, bytes: Uint8Array, arrivalCycle: number): void {
    const r = this.tap.routing();
    const { sim, slots } = this.host;
    const at = this.host.inOrder(event, tile, arrivalCycle + r.delayCycles);
    sim.scheduleAt(at, event, slots.put(tile, bytes));
    if (r.copy) sim.scheduleAt(at + r.copyAfterCycles!, event, slots.put(tile, r.copy));
  }

  /** A request reaching its tile (bytes of its own: the tap may have armed or changed them). */
  readonly onDeliver = (slot: number): void => {
    const { slots, nodes, sim } = this.host;
    const node = nodes[slots.tileOf(slot)]!;
    const request = slots.take(slot);
    const tap = this.tap;
    if (node.dead) {
      tap.undeliverable(request);
      return;
    }
    const start = Math.max(sim.nowCycles, node.busyUntilCycles);
    tap.beforeHandle(node, request);
    if (node.dead) {
      tap.undeliverable(request); // the injector killed it: the message is never answered
      return;
    }
    const outcome = node.handle(request);
    tap.afterHandle(request, outcome);
    this.host.settle(node, start, outcome);
  };

  /** A reply reaching the hub (bytes of their own). */
  readonly onReply = (slot: number): void => {
    const { slots, sink } = this.host;
    const tile = slots.tileOf(slot);
    const bytes = slots.take(slot);
    this.tap.replyArriving(bytes);
    sink.onReply(tile, bytes);
    this.tap.replyArriving(null);
  };

  /** A trap report reaching the hub, with the tap told before and after. */
  trapToHub(tile: number, trap: TileTrap): void {
    this.tap.trapArriving(trap);
    this.host.sink.onTrap(tile, trap);
    this.tap.trapArriving(null);
  }

  /** A message's trace record (a reply's with every byte). A tapped run's slots hold bytes
   *  only: `carry` puts every message, stamped, and SimTransport puts templates only without a tap. */
  tracer(kind: MessageKind): EventTracer<number> {
    return (trace, t, seq, slot) => {
      const s = this.host.slots;
      const bytes = s.peek(slot);
      const body = kind === 'reply' ? bytes : null;
      trace.recordMessage(kind, t, seq, s.tileOf(slot), messageType(bytes), messageId(bytes), bytes.length, body, slot);
    };
  }
}
