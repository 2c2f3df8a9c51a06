// A tile taken out of service and returned (an image swap, hub/upgrade/): while out it
// finishes its current job, takes no other, and nothing new is placed on it.
import type { TileSession } from './tile-session.ts';
import type { WorkPlacer } from './work-placer.ts';

export class TileService {
  constructor(
    private readonly tiles: readonly TileSession[],
    private readonly placer: WorkPlacer,
  ) {}

  /** Takes the tile out of service; the work queued for it moves to the nearest healthy tile. */
  withdraw(tileId: number): void {
    this.tiles[tileId]!.inService = false;
    this.placer.moveQueued(tileId);
  }

  /** Whether a withdrawn tile has finished its last job (safe to swap its image). */
  drained(tileId: number): boolean {
    return this.tiles[tileId]!.drained;
  }

  /** Puts a withdrawn tile back in service; it takes work again. */
  restore(tileId: number): void {
    const tile = this.tiles[tileId]!;
    tile.inService = true;
    if (tile.idle) tile.actor.send({ type: 'WORK_AVAILABLE' });
  }
}
