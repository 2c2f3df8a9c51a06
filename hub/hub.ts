// The hub core: owns one tile machine per tile and one query machine per query in flight,
// and wires them to the transport. It knows nothing of search modes: a ModeDriver
// (hub/core/mode-driver.ts) says which units a query needs, what each tile is sent and what
// its replies mean. The core keeps what every mode shares: outstanding messages and their
// deadlines, faults, restarts, retirement, reassignment and the one path to hub-local
// compute. Every reply, trap and restart becomes a machine event; the machines decide.
// The hub's own compute (merges, routing, a graph search it runs, the fallback) is counted
// where it happens and occupies the hub's CPU: its next message waits for it (hub-work.ts).
import type { TileTrap } from '../tile/tile-trap.ts';
import { FaultDesk } from './core/fault-desk.ts';
import { HubCpu } from './core/hub-cpu.ts';
import type { HubOptions, HubParts, QueryOutcome } from './core/hub-parts.ts';
import type { JobShape, UnitRef } from './core/job-shape.ts';
import type { ModeDriver, Outgoing, Partial, QueryStep } from './core/mode-driver.ts';
import { DEFAULT_HUB_COST_MODEL, type HubWorkTotals } from './core/hub-work.ts';
import { QueryBook } from './core/query-book.ts';
import { PartialRouter } from './core/partial-router.ts';
import { ReplyReader } from './core/read-reply.ts';
import { ReplyRelay } from './core/one-pass-reply.ts';
import { baseKey, Redundancy, type Source } from './core/redundancy.ts';
import { TileService } from './core/tile-service.ts';
import { startTileSessions, type TileSession } from './core/tile-session.ts';
import { WorkPlacer } from './core/work-placer.ts';
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
  private readonly cpu: HubCpu;
  private readonly partials: PartialRouter;
  private readonly placer: WorkPlacer;
  private readonly service: TileService;
  private readonly faults: FaultDesk;
  private readonly replies = new ReplyReader();
  private readonly relay: ReplyRelay;
  /** The common reply's one pass (one-pass-reply.ts), unless the options turn it off. */
  private readonly onePass: boolean;
  /** Redundant computation (options.redundancy 2): each unit on two tiles, partials compared. */
  readonly redundancy: Redundancy | null;

  constructor(parts: HubParts<T>) {
    const options = parts.options;
    this.options = options;
    this.driver = parts.driver;
    this.listener = parts.listener ?? null;
    this.redundancy = (options.redundancy ?? 1) > 1 ? new Redundancy() : null;
    this.transport = parts.connect(this);
    const nowCycles = (): number => this.transport.nowCycles();
    this.cpu = new HubCpu({
      dim: parts.dim,
      cost: parts.hubCost ?? DEFAULT_HUB_COST_MODEL,
      driverWork: () => this.driver.hubWork(),
      charge: (cycles) => this.transport.chargeHub(cycles),
      compute: (cycles, done) => this.transport.hubCompute(cycles, done),
    });
    this.relay = new ReplyRelay(this.stats, this.cpu, this.transport, options.integrity, this.listener);
    this.onePass = options.onePassReplies !== false;
    this.queries = new QueryBook({ k: parts.k, maxUnitAttempts: options.maxUnitAttempts, clock: parts.clock, nowCycles, readyCycles: () => this.cpu.charge(), stats: this.stats, finished: () => this.refill() });
    const computeOnHub = (units: UnitRef[]): void => this.computeOnHub(units);
    const { tiles, queries, stats, redundancy, listener } = this;
    this.placer = new WorkPlacer({ tiles, nearestTiles: (t) => this.transport.nearestTiles(t), queries, stats, redundancy, computeOnHub });
    this.service = new TileService(tiles, this.placer);
    this.faults = new FaultDesk({ tiles, stats, listener, nowCycles, replyTimeoutCycles: options.replyTimeoutCycles });
    this.partials = new PartialRouter({
      queries,
      redundancy,
      listener,
      answered: (p) => this.apply(this.driver.answered(p)),
      placeCopy: (unit, avoid) => this.placer.placeCopy(unit, avoid),
      computeOnHub,
    });
    const tileMachine = createTileMachine({
      nowCycles,
      takeJob: (t) => this.takeJob(t),
      jobReady: (t) => this.tiles[t]!.jobReady,
      resume: (t, job, step, fault) => this.resume(t, job, step, fault),
      timedOut: (t) => this.faults.timedOut(t),
      armDeadline: (t) => this.tiles[t]!.armDeadline(this.transport.nowCycles()),
      disarmDeadline: (t) => this.tiles[t]!.deadline.disarm(),
      sendStep: (t, job, step, _attempt, through) => this.transmit(t, this.tiles[t]!.link.send(job, step, through)),
      linkStep: (t) => this.tiles[t]!.link.step,
      finishJob: () => this.stats.jobsFinished++,
      releaseJob: (t, job, fault) => this.releaseJob(t, job, fault),
      restartTile: (t) => this.restartTile(t),
      retireTile: (t, fault) => this.retireTile(t, fault),
    });
    startTileSessions(this.tiles, tileMachine, options, parts.clock, (id) => this.driver.connect(id));
  }

  /** The hub's own compute so far, and the cycles it was charged. */
  get hubWork(): Readonly<HubWorkTotals> {
    return this.cpu.totals;
  }

  get outcomes(): ReadonlyMap<number, QueryOutcome> {
    return this.queries.outcomes;
  }

  /** Queues the queries; the driver's admission window decides how many start at once. */
  submit(queryIds: readonly number[]): void {
    this.queries.submit(queryIds);
    this.admit();
    this.placer.wakeIdleTiles();
  }

  get allDone(): boolean {
    return this.queries.allDone;
  }

  /** Whether the hub will still be waiting for this reply when it arrives at `atCycles`. */
  awaits(tileId: number, msgId: number, atCycles: number): boolean {
    const o = this.tiles[tileId]!.outstanding;
    return o !== null && o.msgId === msgId && atCycles < o.departedAtCycles + this.options.replyTimeoutCycles;
  }

  // ---- service: a tile taken out and returned (an image swap, hub/upgrade/) ----

  /** Takes the tile out of service: it finishes its current job, takes no other, and the
   *  work queued for it moves to the nearest healthy tile. */
  withdrawTile(tileId: number): void {
    this.service.withdraw(tileId);
  }

  /** Whether a withdrawn tile has finished its last job (safe to swap its image). */
  tileDrained(tileId: number): boolean {
    return this.service.drained(tileId);
  }

  /** Puts a withdrawn tile back in service; it takes work again. */
  returnTile(tileId: number): void {
    this.service.restore(tileId);
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
    this.faults.trapped(tileId, trap);
  }

  onReply(tileId: number, bytes: Uint8Array): void {
    const tile = this.tiles[tileId]!;
    if (this.onePass && this.relay.relay(tile, bytes)) return;
    const expected = tile.outstanding;
    const reply = this.replies.read(bytes, this.options.integrity); // a DONE: one reused object
    if ('undecodable' in reply) {
      const detail = `tile ${tileId}: reply does not decode: ${reply.undecodable}`;
      // With nothing outstanding it can only be a late answer: noticed, nothing to retry.
      if (!expected) this.faults.detected(tileId, { kind: 'corrupt-reply', atCycles: this.transport.nowCycles(), detail });
      else this.faults.failStep(tileId, 'corrupt-reply', detail);
      return;
    }
    const order = tile.order.arrived(reply.msgId);
    if (order === 'replayed') return this.faults.replayed(tileId, reply.msgId);
    if (!expected || reply.msgId !== expected.msgId) return this.faults.stale(tileId, reply.msgId, order === 'unknown');
    tile.outstanding = null; // `expected` (the tile's reused record) keeps its fields until the next send
    this.listener?.replyAccepted(tileId, reply.msgId);
    if (reply.type === 'ERROR') return this.faults.refused(tileId, expected.requestType, reply);
    const meaning = tile.link.reply(reply);
    if ('fault' in meaning) {
      this.faults.failStep(tileId, meaning.forged ? 'forged-reply' : 'corrupt-reply', `tile ${tileId}: ${meaning.fault}`);
    } else if ('send' in meaning) {
      const progress = meaning.progress; // the link's reused answer: read before anything asks a link again
      this.transmit(tileId, meaning.send);
      if (progress) tile.actor.send({ type: 'PROGRESS' });
      // A step's next part (a stream's chunk): its deadline runs from its own departure.
      else tile.armDeadline(this.transport.nowCycles());
    } else {
      if (meaning.partial) {
        this.stats.partials++;
        this.deliver(meaning.partial, { tile: tileId, msgId: reply.msgId });
      }
      tile.actor.send({ type: 'STEP_OK' });
    }
  }

  // ---- what the tile machines ask for ----

  private takeJob(tileId: number): JobShape | null {
    const tile = this.tiles[tileId]!;
    if (!tile.inService) return null;
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
    const retry = this.failedAttempt(job.units);
    return retry.length > 0 ? { job: link.plan(retry), step: 0 } : null;
  }

  /** A job that started its units failed and they start over: each owed unit counts a failed
   *  attempt with its query's machine, which hands it to the hub once its attempts run out
   *  (each handed over goes alone). Returns the units tiles try again. */
  private failedAttempt(units: readonly UnitRef[]): UnitRef[] {
    const retry: UnitRef[] = [];
    for (const u of units) {
      if (!this.partials.owed(u)) continue;
      if (this.queries.unitFailed(u.queryId, u.key)) this.computeOnHub([u]);
      else retry.push(u);
    }
    return retry;
  }

  private transmit(tileId: number, out: Outgoing): void {
    this.relay.transmit(this.tiles[tileId]!, out);
  }

  private releaseJob(tileId: number, job: JobShape | null, fault: TileFault): void {
    this.faults.abandon(tileId, `released (${fault.kind})`);
    // The job it was running failed (an attempt of each of its units); its queue never started.
    const orphaned = [...(job ? [this.failedAttempt(job.units)] : []), ...this.tiles[tileId]!.queue.splice(0)];
    for (const units of orphaned) {
      const pending = units.filter((u) => this.partials.owed(u));
      if (pending.length > 0) this.placer.reassign(tileId, pending);
    }
  }

  /** The one hub-local path (the Full profile): the driver computes the units with the
   *  reference kernel on the hub's CPU, and their partials arrive when it is done. */
  private computeOnHub(units: UnitRef[]): void {
    for (const u of units) this.queries.tell(u.queryId, { type: 'UNIT_HUB_LOCAL', unitKey: baseKey(u.key) });
    this.stats.hubLocalUnits += units.length;
    const { distances, partials } = this.driver.computeLocally(units);
    this.cpu.computeLocally(distances, () => {
      for (const p of partials) this.deliver(p, { tile: -1, msgId: null });
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
    this.placer.moveQueued(tileId);
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
      this.placer.wakeIdleTiles();
    });
  }

  private apply(steps: QueryStep[]): void {
    for (const s of steps) {
      if ('open' in s) this.queries.open(s.open, s.unitKeys, s.growing);
      else if ('place' in s) this.placer.place(s.place, false);
      else if ('grow' in s) {
        this.queries.tell(s.grow, { type: 'UNITS_ADDED', unitKeys: s.work.flatMap((p) => p.units.map((u) => u.key)) });
        this.placer.place(s.work, true);
      } else this.queries.tell(s.close, { type: 'SEARCH_DONE', best: s.best, nowCycles: this.cpu.charge() });
    }
  }

  /** Every partial received: its candidates are merged on the hub's CPU (charged), then routed. */
  private deliver(p: Partial, from: Source): void {
    this.cpu.merged(p.candidates.length);
    this.partials.deliver(p, from);
  }
}
