// Watches a simulation from outside, for outputs that need more than the summary (the
// Chrome trace, the HTML report): every message on the hub's two links, every
// computation on a tile, boots, restarts, traps and what the hub concluded. It plugs into
// the extension points the simulation already has: it is the run's instruments (the
// transport's LinkTap and the hub's listener, given at build time), wrapping the fault
// injector and ledger when there are any, and the trace recorder's listener. The run
// itself and its hashed trace are unchanged (tested).
import { HEADER, MSG_TYPE_NAMES } from '../../protocol/constants.ts';
import { MSG_F_CRC } from '../../wat/layout.ts';
import type { HubListener, HubReaction, TileFault } from '../../hub/work/tile-fault.ts';
import type { TileTrap } from '../../tile/tile-trap.ts';
import { Link } from '../link.ts';
import { TILE_BOOT_CYCLES } from '../sim-transport.ts';
import { DIRECT_ROUTING, type LinkTap, type Routing } from '../tapped-link.ts';
import type { TileNode, TileOutcome } from '../tile-node.ts';
import type { InstrumentParts, Instruments, Simulation } from '../run/simulation.ts';

/** A message on one of the hub's links: `out` hub -> tiles, `in` tiles -> hub. */
export interface LinkObservation {
  link: 'out' | 'in';
  tile: number;
  type: string;
  msgId: number;
  bytes: number;
  startCycle: number;
  endCycle: number;
  /** Pairs the link slice with the tile computation it feeds or came from. */
  flow: number;
  /** Lost in the mesh by an injected fault: never delivered. */
  dropped: boolean;
}

export interface ComputeObservation {
  tile: number;
  type: string;
  msgId: number;
  startCycle: number;
  cycles: number;
  /** The request's flow (from the out link), 0 if unknown. */
  flowIn: number;
  /** The reply's flow (to the in link), set when the reply leaves. */
  flowOut: number;
  trap: string | null;
}

export type TileEventKind = 'boot' | 'restart';
export interface HubObservation {
  what: 'fault-detected' | 'retired' | 'abandoned';
  tile: number;
  atCycle: number;
  detail: string;
}

/** What a consumer of observations implements (every method optional). */
export interface ObservationSink {
  link?(o: LinkObservation): void;
  compute?(o: ComputeObservation): void;
  tileEvent?(kind: TileEventKind, tile: number, startCycle: number, endCycle: number): void;
  hubEvent?(o: HubObservation): void;
  /** The hub heard of a trap (the tile raised it one mesh trip earlier). */
  trapHeard?(tile: number, kind: string, atCycle: number): void;
}

function typeName(bytes: Uint8Array): { type: string; msgId: number } {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const raw = bytes.length >= 2 ? v.getUint16(HEADER.type, true) : -1;
  // A sealed message (integrity mode) carries MSG_F_CRC in its type field.
  const code = raw & ~MSG_F_CRC;
  return { type: MSG_TYPE_NAMES.get(code) ?? `unknown type ${raw}`, msgId: bytes.length >= 8 ? v.getUint32(HEADER.id, true) : -1 };
}

export class RunObserver implements LinkTap, HubListener {
  private readonly sinks: ObservationSink[] = [];
  private egress: Link | null = null;
  private hubLinkBytesPerCycle = 1;
  private readonly flows = new WeakMap<Uint8Array, number>();
  private nextFlow = 1;
  private current: ComputeObservation | null = null;
  private readonly innerTap: LinkTap | null;
  private readonly innerListener: HubListener | null;
  private readonly sim: InstrumentParts['sim'];
  /** Tiles the hub retired (for "tiles alive"). */
  readonly retired = new Set<number>();
  /** Events the simulator dispatched (a stalled run's summary needs the count). */
  eventsSeen = 0;

  /** Built as the run's instruments, around the fault injector and ledger if there are any. */
  constructor(parts: InstrumentParts, inner: Instruments | null) {
    this.sim = parts.sim;
    this.innerTap = inner?.tap ?? null;
    this.innerListener = inner?.listener ?? null;
  }

  /** Once the simulation is built: the hub link's bandwidth, and the dispatched events. */
  bind(s: Simulation): void {
    // Replays the hub's injection link (FIFO, same bandwidth, same order of sends) so each
    // message's slice on it is exact without reaching into the mesh.
    this.hubLinkBytesPerCycle = s.mesh.hubLinkBytesPerCycle;
    this.egress = new Link(this.hubLinkBytesPerCycle);
    s.trace.listener = (t, kind, payload) => this.dispatched(t, kind, payload);
  }

  subscribe(sink: ObservationSink): void {
    this.sinks.push(sink);
  }

  private emit<K extends keyof ObservationSink>(key: K, ...args: Parameters<NonNullable<ObservationSink[K]>>): void {
    for (const sink of this.sinks) (sink[key] as ((...a: unknown[]) => void) | undefined)?.(...args);
  }

  private dispatched(t: number, kind: string, payload: unknown): void {
    this.eventsSeen++;
    const p = payload as { tile: number; kind?: string };
    if (kind === 'booted') this.emit('tileEvent', 'boot', p.tile, t - TILE_BOOT_CYCLES, t);
    else if (kind === 'restarted') this.emit('tileEvent', 'restart', p.tile, t - TILE_BOOT_CYCLES, t);
    else if (kind === 'trap') this.emit('trapHeard', p.tile, p.kind ?? 'trap', t);
  }

  // ---- LinkTap: the message path ----
  hubToTile(tile: number, bytes: Uint8Array): Uint8Array | null {
    const delivered = this.innerTap ? this.innerTap.hubToTile(tile, bytes) : bytes;
    if (this.sinks.length === 0 || !this.egress) return delivered; // only the live line listens: stay cheap
    const { startCycle, doneCycle } = this.egress.reserve(this.sim.nowCycles, bytes.length);
    const flow = this.nextFlow++;
    if (delivered) this.flows.set(delivered, flow);
    this.emit('link', { link: 'out', tile, ...typeName(bytes), bytes: bytes.length, startCycle, endCycle: doneCycle, flow, dropped: delivered === null });
    return delivered;
  }

  beforeHandle(node: TileNode, request: Uint8Array): void {
    this.innerTap?.beforeHandle(node, request);
    if (this.sinks.length === 0) return;
    const start = Math.max(this.sim.nowCycles, node.busyUntilCycles);
    this.current = { tile: node.tileId, ...typeName(request), startCycle: start, cycles: 0, flowIn: this.flows.get(request) ?? 0, flowOut: 0, trap: null };
  }

  afterHandle(request: Uint8Array, outcome: TileOutcome): void {
    this.innerTap?.afterHandle(request, outcome);
    const c = this.current;
    if (!c) return;
    c.cycles = outcome.cycles;
    if (outcome.kind === 'trap') {
      c.trap = outcome.trap.kind;
      this.emit('compute', c);
      this.current = null;
    }
  }

  tileToHub(tile: number, bytes: Uint8Array, arrivalCycle: number): Uint8Array | null {
    const delivered = this.innerTap ? this.innerTap.tileToHub(tile, bytes, arrivalCycle) : bytes;
    if (this.sinks.length === 0) return delivered;
    const serialization = Math.ceil(bytes.length / this.hubLinkBytesPerCycle);
    const flow = this.nextFlow++;
    const c = this.current;
    if (c && c.tile === tile) {
      c.flowOut = flow;
      this.emit('compute', c);
    }
    this.current = null;
    this.emit('link', { link: 'in', tile, ...typeName(bytes), bytes: bytes.length, startCycle: arrivalCycle - serialization, endCycle: arrivalCycle, flow, dropped: delivered === null });
    return delivered;
  }

  routing(): Readonly<Routing> {
    return this.innerTap?.routing() ?? DIRECT_ROUTING;
  }

  replyArriving(bytes: Uint8Array | null): void {
    this.innerTap?.replyArriving(bytes);
  }

  trapArriving(trap: TileTrap | null): void {
    this.innerTap?.trapArriving(trap);
  }

  undeliverable(request: Uint8Array): void {
    this.innerTap?.undeliverable(request);
    this.current = null;
  }

  // ---- HubListener: what the hub concluded ----
  faultDetected(tileId: number, fault: TileFault): void {
    this.innerListener?.faultDetected(tileId, fault);
    this.emit('hubEvent', { what: 'fault-detected', tile: tileId, atCycle: this.sim.nowCycles, detail: fault.kind });
  }

  tileRetired(tileId: number, fault: TileFault | null): void {
    this.innerListener?.tileRetired(tileId, fault);
    this.retired.add(tileId);
    this.emit('hubEvent', { what: 'retired', tile: tileId, atCycle: this.sim.nowCycles, detail: fault?.kind ?? '' });
  }

  messageAbandoned(tileId: number, msgId: number, reason: string): void {
    this.innerListener?.messageAbandoned(tileId, msgId, reason);
    this.emit('hubEvent', { what: 'abandoned', tile: tileId, atCycle: this.sim.nowCycles, detail: `msg ${msgId}: ${reason}` });
  }

  replyAccepted(tileId: number, msgId: number): void {
    this.innerListener?.replyAccepted(tileId, msgId);
  }

  reacted(tileId: number, reaction: HubReaction): void {
    this.innerListener?.reacted(tileId, reaction);
  }
}
