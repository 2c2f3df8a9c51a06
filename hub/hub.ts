// The hub core: owns one tile machine per tile and one query machine per query in flight,
// and wires them to the transport. It knows nothing of search modes: a ModeDriver
// (hub/core/mode-driver.ts) says which units a query needs, what each tile is sent and what
// its replies mean. The core keeps what every mode shares: outstanding messages and their
// deadlines, faults, restarts, retirement, reassignment and the one path to hub-local
// compute. Every reply, trap and restart becomes a machine event; the machines decide.
// The hub's own compute (merges, routing, a graph search it runs, the fallback) is counted
// where it happens and occupies the hub's CPU: its next message waits for it (hub-work.ts).
import { createActor } from 'xstate';
import { decodeTileMessage } from '../protocol/codec.ts';
import { ProtocolError } from '../protocol/errors.ts';
import { isSealed } from '../protocol/integrity.ts';
import type { TileMessage } from '../protocol/types.ts';
import { statusName } from '../wat/status.ts';
import type { TileTrap } from '../tile/tile-trap.ts';
import type { HubOptions, HubParts, QueryOutcome } from './core/hub-parts.ts';
import type { JobShape, UnitRef } from './core/job-shape.ts';
import type { ModeDriver, Outgoing, Placement, Partial, QueryStep } from './core/mode-driver.ts';
import { DEFAULT_HUB_COST_MODEL, HubWorkMeter, type HubWorkTotals } from './core/hub-work.ts';
import { QueryBook } from './core/query-book.ts';
import { TileSession } from './core/tile-session.ts';
import type { HubSink, HubTransport } from './hub-transport.ts';
import { createTileMachine } from './machines/tile-machine.ts';
import type { HubListener, TileFault } from './work/tile-fault.ts';
import { HubStats } from './hub-stats.ts';

export type { HubOptions, HubParts, QueryOutcome };

export class Hub<T extends HubTransport = HubTransport> implements HubSink {
  readonly stats = new HubStats();
  readonly transport: T;
  readonly options: HubOptions;
  private readonly tiles: TileSession[] = [];
  private readonly queries: QueryBook;
  private readonly driver: ModeDriver;
  private readonly listener: HubListener | null;
  private readonly work: HubWorkMeter;
  /** Candidates of partials received since the hub's compute was last charged. */
  private unchargedMerges = 0;

  constructor(parts: HubParts<T>) {
    const options = parts.options;
    this.options = options;
    this.driver = parts.driver;
    this.listener = parts.listener ?? null;
    this.transport = parts.connect(this);
    this.work = new HubWorkMeter(parts.dim, parts.hubCost ?? DEFAULT_HUB_COST_MODEL);
    this.queries = new QueryBook({
      k: parts.k,
      clock: parts.clock,
      nowCycles: () => this.transport.nowCycles(),
      readyCycles: () => this.chargeHub(),
      stats: this.stats,
      finished: () => this.refill(),
    });
    const tileMachine = createTileMachine({
      nowCycles: () => this.transport.nowCycles(),
      takeJob: (t) => this.takeJob(t),
      resume: (t, job, step, fault) => this.resume(t, job, step, fault),
      timedOut: (t) => {
        this.detected(t, { kind: 'timeout', atCycles: this.transport.nowCycles(), detail: `tile ${t}: no reply within ${options.replyTimeoutCycles} cycles` });
        this.abandon(t, 'timeout');
      },
      sendStep: (t, job, step) => this.transmit(t, this.tiles[t]!.link.send(job, step)),
      finishJob: () => this.stats.jobsFinished++,
      releaseJob: (t, job, fault) => this.releaseJob(t, job, fault),
      restartTile: (t) => this.restartTile(t),
      retireTile: (t, fault) => this.retireTile(t, fault),
    });
    for (let t = 0; t < options.tileCount; t++) {
      const input = {
        tileId: t,
        maxFaultsInWindow: options.maxFaultsInWindow,
        faultWindowCycles: options.faultWindowCycles,
        replyTimeoutCycles: options.replyTimeoutCycles,
        restartTimeoutCycles: options.restartTimeoutCycles,
        maxRetriesPerStep: options.maxRetriesPerJob,
      };
      const actor = createActor(tileMachine, { input, clock: parts.clock });
      this.tiles.push(new TileSession(t, actor, (id) => this.driver.connect(id)));
      actor.start();
    }
  }

  /** The hub's own compute so far, and the cycles it was charged. */
  get hubWork(): Readonly<HubWorkTotals> {
    return this.work.totals;
  }

  get outcomes(): ReadonlyMap<number, QueryOutcome> {
    return this.queries.outcomes;
  }

  /** Queues the queries; the driver's admission window decides how many start at once. */
  submit(queryIds: readonly number[]): void {
    this.queries.submit(queryIds);
    this.admit();
    this.wakeIdleTiles();
  }

  get allDone(): boolean {
    return this.queries.allDone;
  }

  /** Whether the hub will still be waiting for this reply when it arrives at `atCycles`. */
  awaits(tileId: number, msgId: number, atCycles: number): boolean {
    const o = this.tiles[tileId]!.outstanding;
    return o !== null && o.msgId === msgId && atCycles < o.sentAtCycles + this.options.replyTimeoutCycles;
  }

  // ---- events from the transport ----

  onTileBooted(tileId: number): void {
    this.tiles[tileId]!.actor.send({ type: 'BOOTED' });
  }

  onTileRestarted(tileId: number): void {
    const tile = this.tiles[tileId]!;
    tile.restarted(); // fresh memory
    tile.actor.send({ type: 'RESTARTED' });
  }

  onTrap(tileId: number, trap: TileTrap): void {
    this.abandon(tileId, `trap ${trap.kind}`);
    const fault: TileFault = { kind: trap.kind, atCycles: this.transport.nowCycles(), detail: trap.message };
    this.detected(tileId, fault);
    this.tiles[tileId]!.actor.send({ type: 'FAULT', fault });
  }

  onReply(tileId: number, bytes: Uint8Array): void {
    const tile = this.tiles[tileId]!;
    const expected = tile.outstanding;
    let reply: TileMessage;
    try {
      if (this.options.integrity && !isSealed(bytes)) throw new ProtocolError('bad-crc', 0, bytes.subarray(0, 2), 'reply is not sealed though the hub requires integrity');
      reply = decodeTileMessage(bytes);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      const detail = `tile ${tileId}: reply does not decode: ${err.message}`;
      // With nothing outstanding it can only be a late answer: noticed, nothing to retry.
      if (!expected) this.detected(tileId, { kind: 'corrupt-reply', atCycles: this.transport.nowCycles(), detail });
      else this.failStep(tileId, 'corrupt-reply', detail);
      return;
    }
    if (!expected || reply.msgId !== expected.msgId) {
      this.stats.staleReplies++; // a late answer to a message the hub already gave up on
      return;
    }
    tile.outstanding = null;
    this.listener?.replyAccepted(tileId, reply.msgId);
    if (reply.type === 'ERROR') {
      this.stats.errorReplies++;
      this.failStep(tileId, 'error-reply', `tile ${tileId}: ${expected.requestType} refused with ${statusName(reply.code)} (detail ${reply.detail})`, reply.code);
      return;
    }
    const meaning = tile.link.reply(reply);
    if ('fault' in meaning) {
      this.failStep(tileId, 'corrupt-reply', `tile ${tileId}: ${meaning.fault}`);
    } else if ('send' in meaning) {
      this.transmit(tileId, meaning.send);
      if (meaning.progress) tile.actor.send({ type: 'PROGRESS' });
    } else {
      if (meaning.partial) {
        this.stats.partials++;
        this.deliver(meaning.partial);
      }
      tile.actor.send({ type: 'STEP_OK' });
    }
  }

  // ---- what the tile machines ask for ----

  private takeJob(tileId: number): JobShape | null {
    const tile = this.tiles[tileId]!;
    const units = tile.queue.shift();
    if (!units) return null;
    for (const u of units) this.queries.tell(u.queryId, { type: 'UNIT_STARTED' });
    return tile.link.plan(units);
  }

  private resume(tileId: number, job: JobShape, step: number, fault: TileFault): { job: JobShape; step: number } | null {
    this.stats.retries++;
    const link = this.tiles[tileId]!.link;
    const at = link.resume(job, step, fault);
    if (at.kind === 'step') return { job, step: at.step };
    const { retry, handOver } = this.driver.rebuild(job.units.filter((u) => this.queries.isPending(u.queryId, u.key)));
    for (const u of handOver) this.computeOnHub([u]);
    return retry.length > 0 ? { job: link.plan(retry), step: 0 } : null;
  }

  private transmit(tileId: number, out: Outgoing): void {
    this.tiles[tileId]!.outstanding = { msgId: out.msgId, sentAtCycles: this.transport.nowCycles(), requestType: out.requestType };
    this.stats.countSent(out.requestType, out.bytes.length);
    this.chargeHub(); // the driver may have just computed (routing); the message waits for it
    this.transport.send(tileId, out.bytes);
  }

  private releaseJob(tileId: number, job: JobShape | null, fault: TileFault): void {
    this.abandon(tileId, `released (${fault.kind})`);
    const orphaned = [...(job ? [job.units] : []), ...this.tiles[tileId]!.queue.splice(0)];
    for (const units of orphaned) {
      const pending = units.filter((u) => this.queries.isPending(u.queryId, u.key));
      if (pending.length > 0) this.reassign(tileId, pending);
    }
  }

  /** Units a tile gave up go to the nearest healthy tile, or to the hub when none is left. */
  private reassign(fromTile: number, units: UnitRef[]): void {
    const target = this.transport.nearestTiles(fromTile).find((t) => t !== fromTile && this.tiles[t]!.healthy);
    if (target === undefined) {
      this.computeOnHub(units);
      return;
    }
    for (const u of units) this.queries.tell(u.queryId, { type: 'UNIT_REASSIGNED', unitKey: u.key });
    this.stats.reassignedUnits += units.length;
    this.tiles[target]!.queue.push(units);
    this.tiles[target]!.actor.send({ type: 'WORK_AVAILABLE' });
  }

  /** The one hub-local path (the Full profile): the driver computes the units with the
   *  reference kernel on the hub's CPU, and their partials arrive when it is done. */
  private computeOnHub(units: UnitRef[]): void {
    for (const u of units) this.queries.tell(u.queryId, { type: 'UNIT_HUB_LOCAL', unitKey: u.key });
    this.stats.hubLocalUnits += units.length;
    const { distances, partials } = this.driver.computeLocally(units);
    this.transport.hubCompute(this.work.local(distances), () => {
      for (const p of partials) this.deliver(p);
    });
  }

  private restartTile(tileId: number): void {
    this.stats.restarts++;
    this.transport.restartTile(tileId);
  }

  private retireTile(tileId: number, fault: TileFault | null): void {
    this.stats.retirements++;
    this.listener?.tileRetired(tileId, fault);
    // Work already queued for the retired tile moves on; releaseJob handled its own job.
    for (const units of this.tiles[tileId]!.queue.splice(0)) this.reassign(tileId, units);
  }

  private failStep(tileId: number, kind: TileFault['kind'], detail: string, code?: number): void {
    this.abandon(tileId, kind);
    const fault: TileFault = { kind, atCycles: this.transport.nowCycles(), detail, ...(code === undefined ? {} : { code }) };
    this.detected(tileId, fault);
    this.tiles[tileId]!.actor.send({ type: 'STEP_FAILED', fault });
  }

  /** The hub stops waiting for the tile's outstanding message (it will retry or move on). */
  private abandon(tileId: number, reason: string): void {
    const tile = this.tiles[tileId]!;
    const o = tile.outstanding;
    if (!o) return;
    tile.outstanding = null;
    this.listener?.messageAbandoned(tileId, o.msgId, reason);
  }

  private detected(tileId: number, fault: TileFault): void {
    this.stats.countFault(fault.code === undefined ? fault.kind : `${fault.kind}:${statusName(fault.code)}`);
    this.listener?.faultDetected(tileId, fault);
  }

  // ---- queries ----

  private admit(): void {
    const ids = this.queries.admissible(this.driver.admission.window);
    if (ids.length > 0) this.apply(this.driver.admit(ids));
  }

  /** Runs from a query machine's own action: the next query starts once it returns, at the
   *  same simulated cycle, rather than creating actors from inside it. */
  private refill(): void {
    if (!this.driver.admission.refill) return;
    this.transport.later(() => {
      this.admit();
      this.wakeIdleTiles();
    });
  }

  private apply(steps: QueryStep[]): void {
    for (const s of steps) {
      if ('open' in s) this.queries.open(s.open, s.unitKeys, s.growing);
      else if ('place' in s) this.place(s.place, false);
      else if ('grow' in s) {
        this.queries.tell(s.grow, { type: 'UNITS_ADDED', unitKeys: s.work.flatMap((p) => p.units.map((u) => u.key)) });
        this.place(s.work, true);
      } else this.queries.tell(s.close, { type: 'SEARCH_DONE', best: s.best, nowCycles: this.chargeHub() });
    }
  }

  /** Queues work on each placement's tile, or its nearest live one; with no tile left the hub computes it. */
  private place(work: Placement[], signal: boolean): void {
    for (const { tileId, units } of work) {
      const tile = this.tiles[this.liveOrNearest(tileId)]!;
      if (tile.retired) {
        this.computeOnHub(units); // every tile is retired: the hub answers alone
        continue;
      }
      tile.queue.push(units);
      if (signal && tile.idle) tile.actor.send({ type: 'WORK_AVAILABLE' });
    }
  }

  private deliver(p: Partial): void {
    this.unchargedMerges += p.candidates.length; // merged into its query's top-K (or found a duplicate)
    if (this.queries.deliver(p)) this.apply(this.driver.answered(p));
  }

  /** Charges the hub's compute since the last charge to its CPU; the cycle the CPU is free again. */
  private chargeHub(): number {
    const cycles = this.work.take(this.driver.hubWork(), this.unchargedMerges);
    this.unchargedMerges = 0;
    return this.transport.chargeHub(cycles);
  }

  private liveOrNearest(tileId: number): number {
    if (!this.tiles[tileId]!.retired) return tileId;
    return this.transport.nearestTiles(tileId).find((t) => !this.tiles[t]!.retired) ?? tileId;
  }

  private wakeIdleTiles(): void {
    for (const t of this.tiles) if (t.idle) t.actor.send({ type: 'WORK_AVAILABLE' });
  }
}
