// Mesh topology and timing model.
//
// Layout: `rows x cols` router positions; tiles occupy the first `tiles` positions in
// row-major order (tile id = row * cols + col). The hub is not a tile: it hangs off one
// router through its own link (default: the router at the west edge, middle row,
// row floor((rows-1)/2), col 0 — the hub sits just west of the mesh, where a host
// interface would enter a die edge). Any router can be chosen with `hubRouter`.
//
// Routing: XY dimension order (along the row first, then the column), so a route's hop
// count is the Manhattan distance. The hub link counts as one hop, so
//   hops(tile) = 1 + |row - hubRow| + |col - hubCol|.
//
// Timing (cut-through / wormhole): the head of a message needs `hopLatencyCycles` per hop;
// the tail follows `ceil(bytes / narrowest link bandwidth)` cycles behind it. So an
// uncontended message takes
//   arrivalCycles(tile, bytes) = hops * hopLatencyCycles + ceil(bytes / pathBytesPerCycle).
// Only the hub's two links are contended resources (every message crosses them); mesh
// links inside the array are treated as uncontended (see docs/cost-model.md, "open issues").

import { Link } from './link.ts';

export const MAX_MESH_SIDE = 4096;
export const DEFAULT_HOP_LATENCY_CYCLES = 4; // assumption: 2-stage router + 1 link cycle, rounded up
export const DEFAULT_LINK_BYTES_PER_CYCLE = 16; // assumption: 128-bit flits, one per cycle

export interface MeshConfig {
  rows: number;
  cols: number;
  /** Populated tiles (default rows * cols). */
  tiles?: number;
  /** Router the hub link attaches to (default west edge, middle row). */
  hubRouter?: { row: number; col: number };
  hopLatencyCycles?: number;
  linkBytesPerCycle?: number;
  /** Bandwidth of the hub's own link (default: same as mesh links). */
  hubLinkBytesPerCycle?: number;
}

export class MeshConfigError extends RangeError {
  override name = 'MeshConfigError';
}

export interface Delivery {
  /** Cycle the tail leaves the hub (sendFromHub) or the tile (sendToHub). */
  departCycle: number;
  /** Cycle the whole message has arrived at its destination. */
  arrivalCycle: number;
}

export class Mesh {
  readonly rows: number;
  readonly cols: number;
  readonly tiles: number;
  readonly hubRow: number;
  readonly hubCol: number;
  readonly hopLatencyCycles: number;
  readonly linkBytesPerCycle: number;
  readonly hubLinkBytesPerCycle: number;
  private readonly egress: Link;
  private readonly ingress: Link;
  private readonly hops: Int32Array;
  /** Per tile, hops * hopLatencyCycles: the head's trip, read once per message. */
  private readonly hopCycles: Float64Array;
  /** The narrowest link on a hub<->tile path (bytes per cycle). */
  private readonly pathBytesPerCycle: number;
  private readonly nearestCache = new Map<number, readonly number[]>();

  constructor(config: MeshConfig) {
    this.rows = checkSide('rows', config.rows);
    this.cols = checkSide('cols', config.cols);
    const positions = this.rows * this.cols;
    this.tiles = config.tiles ?? positions;
    checkPositiveInt('--tiles', this.tiles);
    if (this.tiles > positions) {
      throw new MeshConfigError(`mesh ${this.rows}x${this.cols} has ${positions} tiles, --tiles asks for ${this.tiles}`);
    }
    const hub = config.hubRouter ?? { row: Math.floor((this.rows - 1) / 2), col: 0 };
    if (!Number.isInteger(hub.row) || !Number.isInteger(hub.col) || hub.row < 0 || hub.row >= this.rows || hub.col < 0 || hub.col >= this.cols) {
      throw new MeshConfigError(
        `hub router (${hub.row}, ${hub.col}) is outside mesh ${this.rows}x${this.cols} (rows 0..${this.rows - 1}, cols 0..${this.cols - 1})`,
      );
    }
    this.hubRow = hub.row;
    this.hubCol = hub.col;
    this.hopLatencyCycles = config.hopLatencyCycles ?? DEFAULT_HOP_LATENCY_CYCLES;
    if (!Number.isSafeInteger(this.hopLatencyCycles) || this.hopLatencyCycles < 0) {
      throw new MeshConfigError(`hop latency must be an integer >= 0 cycles, got ${this.hopLatencyCycles}`);
    }
    this.linkBytesPerCycle = checkPositiveInt('link bandwidth (bytes/cycle)', config.linkBytesPerCycle ?? DEFAULT_LINK_BYTES_PER_CYCLE);
    this.hubLinkBytesPerCycle = checkPositiveInt('hub link bandwidth (bytes/cycle)', config.hubLinkBytesPerCycle ?? this.linkBytesPerCycle);
    this.egress = new Link(this.hubLinkBytesPerCycle);
    this.ingress = new Link(this.hubLinkBytesPerCycle);
    this.hops = new Int32Array(this.tiles);
    for (let id = 0; id < this.tiles; id++) {
      this.hops[id] = 1 + Math.abs(this.rowOf(id) - this.hubRow) + Math.abs(this.colOf(id) - this.hubCol);
    }
    this.hopCycles = new Float64Array(this.tiles);
    for (let id = 0; id < this.tiles; id++) this.hopCycles[id] = this.hops[id]! * this.hopLatencyCycles;
    this.pathBytesPerCycle = Math.min(this.linkBytesPerCycle, this.hubLinkBytesPerCycle);
  }

  rowOf(tileId: number): number {
    return Math.floor(this.checkTile(tileId) / this.cols);
  }

  colOf(tileId: number): number {
    return this.checkTile(tileId) % this.cols;
  }

  /** Hops from the hub to a tile, hub link included (XY routing: Manhattan distance + 1). */
  hopsFromHub(tileId: number): number {
    return this.hops[this.checkTile(tileId)] as number;
  }

  /** Hops between two tiles through the mesh (no hub link). */
  hopsBetween(a: number, b: number): number {
    return Math.abs(this.rowOf(a) - this.rowOf(b)) + Math.abs(this.colOf(a) - this.colOf(b));
  }

  /** Narrowest link on any hub<->tile path decides how far the tail trails the head. */
  serializationCycles(bytes: number): number {
    checkBytes(bytes);
    return Math.ceil(bytes / this.pathBytesPerCycle);
  }

  /** Uncontended hub->tile (or tile->hub) latency: hops * hopLatency + ceil(bytes / bandwidth). */
  arrivalCycles(tileId: number, messageBytes: number): number {
    return this.hopsFromHub(tileId) * this.hopLatencyCycles + this.serializationCycles(messageBytes);
  }

  /** Reserves the hub's injection link; returns the cycle the message's tail leaves the hub. */
  reserveHubLink(nowCycle: number, messageBytes: number): number {
    checkBytes(messageBytes);
    return this.egress.reserve(nowCycle, messageBytes).doneCycle;
  }

  /** Hub -> tile: waits for the injection link, then crosses the mesh. */
  sendFromHub(nowCycle: number, tileId: number, messageBytes: number): Delivery {
    const arrivalCycle = this.arrivalFromHub(nowCycle, tileId, messageBytes);
    return { departCycle: this.egress.nextFreeCycle, arrivalCycle };
  }

  /** When the last message reserved on the hub's injection link has left the hub (its `departCycle`). */
  get hubEgressFreeCycle(): number {
    return this.egress.nextFreeCycle;
  }

  /** `sendFromHub`'s arrival cycle alone: the simulator's per-message path allocates nothing. */
  arrivalFromHub(nowCycle: number, tileId: number, messageBytes: number): number {
    const hopsCycles = this.hopCyclesOf(tileId, messageBytes);
    const startCycle = this.egress.reserveStart(nowCycle, messageBytes);
    return startCycle + hopsCycles + Math.ceil(messageBytes / this.pathBytesPerCycle);
  }

  /** Tile -> hub: crosses the mesh, then waits for the hub's ejection link. */
  sendToHub(nowCycle: number, tileId: number, messageBytes: number): Delivery {
    const arrivalCycle = this.arrivalAtHub(nowCycle, tileId, messageBytes);
    return { departCycle: nowCycle + this.serializationCycles(messageBytes), arrivalCycle };
  }

  /** `sendToHub`'s arrival cycle alone. */
  arrivalAtHub(nowCycle: number, tileId: number, messageBytes: number): number {
    const hopsCycles = this.hopCyclesOf(tileId, messageBytes);
    const startCycle = this.ingress.reserveStart(nowCycle + hopsCycles, messageBytes);
    return startCycle + Math.ceil(messageBytes / this.pathBytesPerCycle);
  }

  /** Cycles the hub links spent serializing: [egress, ingress]. */
  hubLinkBusyCycles(): { egress: number; ingress: number } {
    return { egress: this.egress.totalBusyCycles, ingress: this.ingress.totalBusyCycles };
  }

  /** Every other tile, nearest first (mesh hops from `tileId`), ties by lower id: the reassignment order. */
  nearestTiles(tileId: number): readonly number[] {
    this.checkTile(tileId);
    const cached = this.nearestCache.get(tileId);
    if (cached !== undefined) return cached;
    // Cached for good: the hub asks for the same tile's order over and over (524,288 calls
    // in a 2-query 4,096-tile run, 128 per tile). Every tile's order is n^2 entries, ~134 MB
    // at 4,096 tiles when all are asked for (docs/performance.md).
    const order = Object.freeze(this.nearestOrder(tileId));
    this.nearestCache.set(tileId, order);
    return order;
  }

  /**
   * Ring by ring (d = 1, 2, ... hops), the tiles at exactly d hops in id order: rows top to
   * bottom, and in a row the west column before the east one. That is the order of a sort by
   * (hops, id), built in O(tiles) with no comparisons: the sort it replaces was 16% of a
   * 4,096-tile run (docs/performance.md).
   */
  private nearestOrder(tileId: number): number[] {
    const r0 = Math.floor(tileId / this.cols);
    const c0 = tileId % this.cols;
    const out: number[] = [];
    const maxD = Math.max(r0, this.rows - 1 - r0) + Math.max(c0, this.cols - 1 - c0);
    for (let d = 1; d <= maxD; d++) {
      for (let r = Math.max(0, r0 - d); r <= Math.min(this.rows - 1, r0 + d); r++) {
        const dc = d - Math.abs(r - r0);
        const west = c0 - dc;
        const east = c0 + dc;
        if (west >= 0) this.pushTile(out, r * this.cols + west);
        if (dc > 0 && east < this.cols) this.pushTile(out, r * this.cols + east);
      }
    }
    return out;
  }

  private pushTile(out: number[], id: number): void {
    if (id < this.tiles) out.push(id);
  }


  /**
   * The head's trip to `tileId`, with the message's size checked: the per-message form of
   * checkTile + checkBytes. A typed array read is undefined for any index that is not a tile
   * (out of range, fractional, NaN), and a u32 equals itself, so the common case is two
   * compares; the errors are the same.
   */
  private hopCyclesOf(tileId: number, messageBytes: number): number {
    const hopsCycles = this.hopCycles[tileId];
    if (hopsCycles === undefined) this.checkTile(tileId);
    if (messageBytes >>> 0 !== messageBytes) checkBytes(messageBytes);
    return hopsCycles!;
  }

  private checkTile(tileId: number): number {
    if (!(tileId >= 0 && tileId < this.tiles && Number.isInteger(tileId))) {
      throw new MeshConfigError(`tile ${tileId} is outside 0..${this.tiles - 1}`);
    }
    return tileId;
  }
}

function checkSide(name: string, value: number): number {
  checkPositiveInt(`mesh ${name}`, value);
  if (value > MAX_MESH_SIDE) throw new MeshConfigError(`mesh ${name} ${value} exceeds the limit ${MAX_MESH_SIDE}`);
  return value;
}

function checkPositiveInt(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new MeshConfigError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function checkBytes(bytes: number): void {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new MeshConfigError(`message size must be an integer >= 0 bytes, got ${bytes}`);
}
