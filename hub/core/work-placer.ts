// Where the hub puts work: a placement's tile or its nearest live one, a redundant copy on
// another live tile, units a tile gave up on the nearest healthy tile, and the hub's own
// CPU when no tile is left. It only queues units and wakes tiles; each tile's machine takes
// its next job from its queue (hub.ts takeJob). Work placed without a signal waits in a
// ready queue of tiles until wakeIdleTiles, which wakes only those, not every idle tile.
import type { HubStats } from '../hub-stats.ts';
import type { UnitRef } from './job-shape.ts';
import type { Placement } from './mode-driver.ts';
import type { QueryBook } from './query-book.ts';
import { baseKey, type Redundancy } from './redundancy.ts';
import type { TileSession } from './tile-session.ts';

export interface WorkPlacerParts {
  /** The hub's tiles, by id. */
  tiles: readonly TileSession[];
  /** Tiles ordered by distance from a tile (the transport's, nearest first). */
  nearestTiles(tileId: number): readonly number[];
  queries: QueryBook;
  stats: HubStats;
  redundancy: Redundancy | null;
  /** The one hub-local path: no tile can take the units. */
  computeOnHub(units: UnitRef[]): void;
}

export class WorkPlacer {
  /** Tiles given work since the last wakeIdleTiles (placed without a signal), each once. */
  private ready: number[] = [];
  private readonly isReady: boolean[] = [];

  constructor(private readonly parts: WorkPlacerParts) {}

  /** Queues work on each placement's tile, or its nearest live one; with no tile left the hub computes it.
   *  With redundancy, a copy of the units goes to the nearest other live tile as well. */
  place(work: Placement[], signal: boolean): void {
    const { redundancy, computeOnHub } = this.parts;
    for (const { tileId, units } of work) {
      const target = this.liveOrNearest(tileId);
      this.queueOn(target, units, signal);
      if (!redundancy) continue;
      const partner = this.otherLiveTile(target, [target]);
      const copies = redundancy.copies(target, partner ?? -1, units);
      if (partner === undefined) computeOnHub(copies); // one tile left: the hub is the second opinion
      else this.queueOn(partner, copies, signal);
    }
  }

  /** A third copy after a disagreement: on a tile that computed neither of the first two. */
  placeCopy(unit: UnitRef, avoid: number[]): void {
    const t = this.otherLiveTile(avoid[0]!, avoid);
    if (t === undefined) this.parts.computeOnHub([unit]);
    else this.queueOn(t, [unit], true);
  }

  /** Units a tile gave up go to the nearest healthy tile, or to the hub when none is left. */
  reassign(fromTile: number, units: UnitRef[]): void {
    const { tiles, queries, stats, redundancy } = this.parts;
    const target = this.parts.nearestTiles(fromTile).find((t) => t !== fromTile && tiles[t]!.healthy);
    if (target === undefined) {
      this.parts.computeOnHub(units);
      return;
    }
    for (const u of units) {
      queries.tell(u.queryId, { type: 'UNIT_REASSIGNED', unitKey: baseKey(u.key) });
      redundancy?.moved(u, target);
    }
    stats.reassignedUnits += units.length;
    tiles[target]!.queue.push(units);
    // Only an idle tile handles WORK_AVAILABLE; a busy one pulls the units when it is done.
    if (tiles[target]!.idle) tiles[target]!.actor.send({ type: 'WORK_AVAILABLE' });
  }

  /** Moves everything queued on the tile (retired, or taken out of service) to other tiles. */
  moveQueued(tileId: number): void {
    for (const units of this.parts.tiles[tileId]!.queue.splice(0)) this.reassign(tileId, units);
  }

  /** Wakes the idle tiles that were given work, in tile order. This was a WORK_AVAILABLE to
   *  every idle tile (13.6% of a 4,096-tile run); one without queued work takes no job
   *  (takeJob finds its queue empty) and changes nothing, so waking only the ready ones
   *  does exactly what the broadcast did, in the same order. Waking a tile places no work,
   *  so the queue cannot grow while it is woken. */
  wakeIdleTiles(): void {
    const ids = this.ready.sort((a, b) => a - b);
    this.ready = [];
    for (const t of ids) {
      this.isReady[t] = false;
      const tile = this.parts.tiles[t]!;
      if (tile.idle) tile.actor.send({ type: 'WORK_AVAILABLE' });
    }
  }

  private queueOn(tileId: number, units: UnitRef[], signal: boolean): void {
    const tile = this.parts.tiles[tileId]!;
    if (tile.retired) {
      this.parts.computeOnHub(units); // every tile is retired: the hub answers alone
      return;
    }
    tile.queue.push(units);
    if (!signal) this.markReady(tileId);
    else if (tile.idle) tile.actor.send({ type: 'WORK_AVAILABLE' });
  }

  private markReady(tileId: number): void {
    if (this.isReady[tileId]) return;
    this.isReady[tileId] = true;
    this.ready.push(tileId);
  }

  private otherLiveTile(near: number, avoid: readonly number[]): number | undefined {
    return this.parts.nearestTiles(near).find((t) => !avoid.includes(t) && !this.parts.tiles[t]!.retired);
  }

  /** The tile itself when it takes work, else the nearest that does (a tile out of service
   *  counts as live when nothing else is: its work waits for it). */
  private liveOrNearest(tileId: number): number {
    const tiles = this.parts.tiles;
    if (tiles[tileId]!.placeable) return tileId;
    const near = this.parts.nearestTiles(tileId);
    const placeable = near.find((t) => tiles[t]!.placeable);
    if (placeable !== undefined || !tiles[tileId]!.retired) return placeable ?? tileId;
    return near.find((t) => !tiles[t]!.retired) ?? tileId;
  }
}
