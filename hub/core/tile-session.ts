// One tile as the hub core sees it, in one place: its machine (the authority on its
// lifecycle), the message the hub waits on, the work queued for it, and the driver's link
// (what the tile holds and where its job's conversation is).
import { createActor, type Actor } from 'xstate';
import type { HubClock, MovableTimer } from '../hub-transport.ts';
import type { TileMachine } from '../machines/tile-machine.ts';
import type { HubOptions } from './hub-parts.ts';
import type { UnitRef } from './job-shape.ts';
import type { TileLink } from './mode-driver.ts';
import { deadlineDelay, deadlineTimer, type Deadline } from './reply-deadline.ts';
import { REMEMBERED, ReplyOrder } from './reply-order.ts';
import { RingSlab } from './sent-ids.ts';

export interface Outstanding {
  msgId: number;
  /** When it left the hub (the transport's answer to send): the reply deadline runs from here. */
  departedAtCycles: number;
  requestType: string;
}

/** The session is its tile's reply order and reply deadline (`order` and `deadline` are the
 *  session itself): the sent-id ring's head, the timer the hub moves and the message awaited,
 *  all read and written per message sent, are one object's fields, where an order object and
 *  a deadline object of their own were more cold cache lines per message
 *  (docs/performance.md, "The hub per chunk, round 7"). The order is kept across restarts:
 *  old replies still arrive. */
export class TileSession extends ReplyOrder implements Outstanding, Deadline {
  /** The message whose reply the hub waits for (null: none): the session itself, whose
   *  Outstanding fields below `awaiting` rewrites per message sent. No object per message, and
   *  none of its own either: a reply reads the fields from the session it reads anyway (a
   *  separate record was one more cache line per message, docs/performance.md). A reader that
   *  needs a field after the next send copies it first. */
  outstanding: Outstanding | null = null;
  msgId = 0;
  departedAtCycles = 0;
  requestType = '';
  // The link and the deadline's timer, read per message, before the fields that are not.
  private currentLink: TileLink;
  private readonly timer: MovableTimer;
  /** Unit groups waiting for the tile, one job each. */
  readonly queue: UnitRef[][] = [];
  /** False while the tile is out of service (its image is being swapped, hub.withdrawTile):
   *  it takes no new work and nothing is placed on it until it is returned. */
  inService = true;

  constructor(
    readonly tileId: number,
    readonly actor: Actor<TileMachine>,
    private readonly connect: (tileId: number) => TileLink,
    clock: HubClock,
    private readonly replyTimeoutCycles: number,
    rings: RingSlab | null = null,
  ) {
    super(REMEMBERED, rings);
    this.currentLink = connect(tileId);
    this.timer = deadlineTimer(clock, () => actor.send({ type: 'REPLY_TIMEOUT' }));
  }

  /** The order of the messages sent and answered: the session itself. */
  get order(): ReplyOrder {
    return this;
  }

  /** When the hub gives up waiting for the outstanding reply (armed and disarmed by the machine): the session itself. */
  get deadline(): Deadline {
    return this;
  }

  arm(queuedCycles: number): void {
    this.timer.set(deadlineDelay(queuedCycles, this.replyTimeoutCycles));
  }

  disarm(): void {
    this.timer.clear();
  }

  /** The hub now waits for the reply to `msgId`, which left the hub at `departedAtCycles`. */
  awaiting(msgId: number, departedAtCycles: number, requestType: string): void {
    this.msgId = msgId;
    this.departedAtCycles = departedAtCycles;
    this.requestType = requestType;
    this.outstanding = this;
  }

  /** Arms the deadline of the message sent last: the timeout after it left the hub, which a
   *  congested hub link may hold back well past `nowCycles` (docs/faults.md, "Recovery"). */
  armDeadline(nowCycles: number): void {
    this.deadline.arm((this.outstanding?.departedAtCycles ?? nowCycles) - nowCycles);
  }

  get link(): TileLink {
    return this.currentLink;
  }

  /** The tile booted again with fresh memory: whatever the old link knew is gone. */
  restarted(): void {
    this.currentLink = this.connect(this.tileId);
  }

  /** Gone for good: its machine reached `retired`. Work placed on it goes to the nearest live tile.
   *  The machine is flat (its states are the root's children), so its state value is the
   *  state's name: a compare, where `matches` parsed both sides per call (the placer asks
   *  three times per placement; docs/performance.md, "xstate's send in the run, round 7"). */
  get retired(): boolean {
    return this.actor.getSnapshot().value === 'retired';
  }

  /** Healthy: up and able to take a job now (in service, not retired, faulted or restarting). */
  get healthy(): boolean {
    const state = this.actor.getSnapshot().value;
    return this.inService && state !== 'retired' && state !== 'faulted' && state !== 'restarting';
  }

  /** Work may be placed on it: in service and not retired. */
  get placeable(): boolean {
    return this.inService && !this.retired;
  }

  /** Out of service with no job and no message outstanding (or retired, so it never will
   *  have one): its image may be swapped. */
  get drained(): boolean {
    return !this.inService && ((this.idle && this.outstanding === null) || this.retired);
  }

  /** Whether the tile's next job (takeJob) has a step to send: in service with units queued.
   *  Every unit the planner is given ends in a step of its own (its read, job-planner.ts), so
   *  a non-empty group always plans to a job with steps; an empty group answers false and the
   *  machine takes it through `idle`, as before (tile-machine.ts, jobReady). */
  get jobReady(): boolean {
    const next = this.queue[0];
    return this.inService && next !== undefined && next.length > 0;
  }

  get idle(): boolean {
    return this.actor.getSnapshot().value === 'idle';
  }
}

/** Starts one machine per tile on the hub's clock, each with the hub's fault and timeout limits, into `tiles`. */
export function startTileSessions(tiles: TileSession[], machine: TileMachine, options: HubOptions, clock: HubClock, connect: (tileId: number) => TileLink): void {
  // The tiles' first sent-id rings, carved from shared chunks at their first sends (sent-ids.ts).
  const rings = new RingSlab();
  for (let t = 0; t < options.tileCount; t++) {
    const input = {
      tileId: t,
      maxFaultsInWindow: options.maxFaultsInWindow,
      faultWindowCycles: options.faultWindowCycles,
      replyTimeoutCycles: options.replyTimeoutCycles,
      restartTimeoutCycles: options.restartTimeoutCycles,
      maxRetriesPerStep: options.maxRetriesPerJob,
    };
    const actor = createActor(machine, { input, clock });
    tiles.push(new TileSession(t, actor, connect, clock, options.replyTimeoutCycles, rings));
    actor.start();
  }
}
