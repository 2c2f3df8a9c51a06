// One tile as the hub core sees it, in one place: its machine (the authority on its
// lifecycle), the message the hub waits on, the work queued for it, and the driver's link
// (what the tile holds and where its job's conversation is).
import type { Actor } from 'xstate';
import type { TileMachine } from '../machines/tile-machine.ts';
import type { UnitRef } from './job-shape.ts';
import type { TileLink } from './mode-driver.ts';

export interface Outstanding {
  msgId: number;
  sentAtCycles: number;
  requestType: string;
}

export class TileSession {
  /** The message whose reply the hub waits for (null: none). */
  outstanding: Outstanding | null = null;
  /** Unit groups waiting for the tile, one job each. */
  readonly queue: UnitRef[][] = [];
  private currentLink: TileLink;

  constructor(
    readonly tileId: number,
    readonly actor: Actor<TileMachine>,
    private readonly connect: (tileId: number) => TileLink,
  ) {
    this.currentLink = connect(tileId);
  }

  get link(): TileLink {
    return this.currentLink;
  }

  /** The tile booted again with fresh memory: whatever the old link knew is gone. */
  restarted(): void {
    this.currentLink = this.connect(this.tileId);
  }

  /** Gone for good: its machine reached `retired`. Work placed on it goes to the nearest live tile. */
  get retired(): boolean {
    return this.actor.getSnapshot().matches('retired');
  }

  /** Healthy: up and able to take a job now (not retired, not faulted, not restarting). */
  get healthy(): boolean {
    const s = this.actor.getSnapshot();
    return !s.matches('retired') && !s.matches('faulted') && !s.matches('restarting');
  }

  get idle(): boolean {
    return this.actor.getSnapshot().matches('idle');
  }
}
