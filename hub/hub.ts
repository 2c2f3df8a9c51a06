// The hub: owns one tile machine per tile and one query machine per query in flight, and
// wires them to the transport. It answers the machines' questions (which job next, what
// bytes for this step) and turns every reply, trap and restart into a machine event; the
// machines decide what happens.
import { createActor, type Actor } from 'xstate';
import { decodeTileMessage } from '../protocol/codec.ts';
import { ProtocolError } from '../protocol/errors.ts';
import { isSealed } from '../protocol/integrity.ts';
import type { TileMessage } from '../protocol/types.ts';
import { statusName } from '../wat/status.ts';
import type { TileTrap } from '../tile/tile-trap.ts';
import type { EncodedDataset } from './encoded-dataset.ts';
import type { HubClock, HubTransport } from './hub-transport.ts';
import { createQueryMachine, type QueryMachine, type QueryMachineContext } from './machines/query-machine.ts';
import { createTileMachine, type TileMachine } from './machines/tile-machine.ts';
import type { Candidate } from './topk-merge.ts';
import { JobPlanner } from './work/job-planner.ts';
import { walkUnitKey, type JobStep, type TileJob, type WalkUnit, type WorkUnit } from './work/job.ts';
import { MessageBuilder } from './work/message-builder.ts';
import { resumePoint } from './work/resume-point.ts';
import type { HubListener, TileFault } from './work/tile-fault.ts';
import type { Outgoing, WalkDriver } from './work/walk-driver.ts';
import { WorkPlan } from './work/work-plan.ts';
import { HubStats } from './hub-stats.ts';
import { LocalFallback } from './local-fallback.ts';
import type { PushHnswDriver, SearchStep } from './push-hnsw/push-hnsw-driver.ts';

/** Rebuilds of one pull walk before the hub replays it itself (docs/faults.md). */
export const MAX_WALK_ATTEMPTS = 4;

export interface HubOptions {
  tileCount: number;
  /** Queries in flight at once (query-stationary). Block-stationary takes the whole batch. */
  concurrency: number;
  replyTimeoutCycles: number;
  restartTimeoutCycles: number;
  maxRetriesPerJob: number;
  maxFaultsInWindow: number;
  faultWindowCycles: number;
  verifyCrc: boolean;
  /** Seal every message with a CRC32C trailer and require sealed replies (docs/protocol.md). */
  integrity: boolean;
}

export interface QueryOutcome {
  queryId: number;
  best: Candidate[];
  dispatchedAtCycles: number;
  doneAtCycles: number;
  reassignments: number;
  hubLocalUnits: number;
}

interface Outstanding {
  msgId: number;
  sentAtCycles: number;
  step: JobStep;
  /** Chunk of a stream step in flight. */
  part: number;
  requestType: string;
}

export class Hub {
  readonly stats = new HubStats();
  readonly outcomes = new Map<number, QueryOutcome>();
  private readonly tiles: Actor<TileMachine>[] = [];
  private readonly queries = new Map<number, Actor<QueryMachine>>();
  private readonly outstanding = new Map<number, Outstanding>();
  private readonly needsParams: boolean[];
  private readonly builder: MessageBuilder;
  private readonly planner: JobPlanner;
  private readonly plan: WorkPlan;
  readonly fallback: LocalFallback;
  private readonly queryMachine: QueryMachine;
  private pendingQueries: number[] = [];
  /** Pull mode's request server; set before submitting walk units. */
  walkDriver: WalkDriver | null = null;
  /** Push-hnsw's searches (the hub walks HNSW, tiles compute the distances); set before submitPushHnsw. */
  pushHnsw: PushHnswDriver | null = null;
  /** Rebuilds of each pull walk so far (walkGivenToHub). */
  private readonly walkAttempts = new Map<string, number>();
  /** Each tile's last pull-walk message, and the tiles whose walk must re-send it. */
  private readonly lastWalkMessage = new Map<number, { step: JobStep; out: Outgoing }>();
  private readonly walkResend = new Set<number>();
  /** The query each tile holds loaded with an explicit k (push-hnsw), as far as the hub knows. */
  private readonly loadedQuery: (number | null)[];
  /** Told of every fault the hub detects (the simulator's fault ledger). */
  listener: HubListener | null = null;
  /** How far each tile got into a stream step, so a retry resumes at the chunk that failed. */
  private readonly streamProgress = new Map<number, { step: JobStep; part: number }>();
  private inFlight = 0;

  constructor(
    readonly data: EncodedDataset,
    readonly options: HubOptions,
    private readonly transport: HubTransport,
    private readonly clock: HubClock,
  ) {
    this.builder = new MessageBuilder(data, { verifyCrc: options.verifyCrc, integrity: options.integrity });
    this.planner = new JobPlanner({ chunksPerBlock: (b) => this.builder.chunkCount(b), chunksPerBatch: (u) => this.builder.batchChunkCount(u), paramsChunks: this.builder.paramsChunkCount });
    this.plan = new WorkPlan(data, options.tileCount);
    this.fallback = new LocalFallback(data);
    this.needsParams = new Array<boolean>(options.tileCount).fill(this.builder.paramsChunkCount > 0);
    this.loadedQuery = new Array<number | null>(options.tileCount).fill(null);
    this.queryMachine = createQueryMachine({ queryDone: (id, best, ctx) => this.onQueryDone(id, best, ctx) });
    const tileMachine = createTileMachine({
      nowCycles: () => this.transport.nowCycles(),
      takeJob: (t) => this.takeJob(t),
      resume: (t, job, step, fault) => this.resume(t, job, step, fault),
      timedOut: (t) => {
        this.detected(t, { kind: 'timeout', atCycles: this.transport.nowCycles(), detail: `tile ${t}: no reply within ${options.replyTimeoutCycles} cycles` });
        this.abandon(t, 'timeout');
      },
      sendStep: (t, job, step) => this.sendStep(t, job, step),
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
      this.tiles.push(createActor(tileMachine, { input, clock: this.clock }).start());
    }
  }

  /** Queues the queries; they start as tiles boot. */
  submit(queryIds: readonly number[]): void {
    if (this.data.spec.schedule === 'block') {
      // Block-stationary needs the batch up front: each block meets every query once.
      for (const q of queryIds) this.dispatchQuery(q);
      for (let b = 0; b < this.data.blockCount; b++) {
        const units: WorkUnit[] = queryIds.map((q) => this.plan.probeUnit(q, b));
        this.plan.enqueue(this.plan.ownerOf(b), units);
      }
    } else {
      this.pendingQueries.push(...queryIds);
      this.admitQueries();
    }
    this.wakeIdleTiles();
  }

  /** Pull mode: every query searched by `walksPerQuery` walks (tiles dealt round-robin), merged by the query machines. */
  submitWalks(queryIds: readonly number[], walksPerQuery: number): void {
    this.builder.pullEf = this.walker().ef;
    for (const q of queryIds) {
      const units = Array.from({ length: walksPerQuery }, (_, w): WalkUnit => ({ kind: 'walk', queryId: q, walk: w, key: walkUnitKey(q, w) }));
      this.dispatchQuery(q, units.map((u) => u.key));
      units.forEach((u) => this.plan.enqueue(this.healthyOrNearest((q * walksPerQuery + u.walk) % this.options.tileCount), [u]));
    }
    this.wakeIdleTiles();
  }

  /** Push-hnsw: queries admitted up to the concurrency, each searched by the hub with tiles computing (docs/modes.md). */
  submitPushHnsw(queryIds: readonly number[]): void {
    if (!this.pushHnsw) throw new Error('this hub has no push-hnsw driver: push-hnsw needs an HNSW index');
    this.pendingQueries.push(...queryIds);
    this.admitQueries();
    this.wakeIdleTiles();
  }

  get allDone(): boolean {
    return this.pendingQueries.length === 0 && this.queries.size === 0;
  }

  /** Whether the hub will still be waiting for this reply when it arrives at `atCycles`. */
  awaits(tileId: number, msgId: number, atCycles: number): boolean {
    const o = this.outstanding.get(tileId);
    return o !== undefined && o.msgId === msgId && atCycles < o.sentAtCycles + this.options.replyTimeoutCycles;
  }

  tileState(tileId: number): string {
    return JSON.stringify(this.tiles[tileId]!.getSnapshot().value);
  }

  tileContext(tileId: number) {
    return this.tiles[tileId]!.getSnapshot().context;
  }

  // ---- events from the transport ----

  onTileBooted(tileId: number): void {
    this.tiles[tileId]!.send({ type: 'BOOTED' });
  }

  onTileRestarted(tileId: number): void {
    this.needsParams[tileId] = this.builder.paramsChunkCount > 0;
    this.loadedQuery[tileId] = null; // fresh memory
    this.tiles[tileId]!.send({ type: 'RESTARTED' });
  }

  onTrap(tileId: number, trap: TileTrap): void {
    this.abandon(tileId, `trap ${trap.kind}`);
    const fault: TileFault = { kind: trap.kind, atCycles: this.transport.nowCycles(), detail: trap.message };
    this.detected(tileId, fault);
    this.tiles[tileId]!.send({ type: 'FAULT', fault });
  }

  /** A tile that stopped answering for good (the transport knows it is gone). */
  onTileDead(tileId: number, detail: string): void {
    this.abandon(tileId, 'dead');
    const fault: TileFault = { kind: 'dead', atCycles: this.transport.nowCycles(), detail };
    this.detected(tileId, fault);
    this.tiles[tileId]!.send({ type: 'FAULT', fault });
  }

  onReply(tileId: number, bytes: Uint8Array): void {
    const expected = this.outstanding.get(tileId);
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
    this.outstanding.delete(tileId);
    this.listener?.replyAccepted(tileId, reply.msgId);
    if (expected.step.op === 'walk' && reply.type !== 'ERROR') {
      this.continueWalk(tileId, expected.step, reply);
      return;
    }
    if (reply.type === 'ERROR') {
      this.stats.errorReplies++;
      this.failStep(tileId, 'error-reply', `tile ${tileId}: ${expected.requestType} refused with ${statusName(reply.code)} (detail ${reply.detail})`, reply.code);
      return;
    }
    const step = expected.step;
    if (step.op === 'read' && reply.type === 'TOPK_RESULT') {
      const candidates = reply.entries.map((e) => ({ id: Number(e.id), dist: e.dist }));
      if (this.pushHnsw && !this.pushHnsw.accepts(WorkPlan.queryOfKey(step.unitKey), step.unitKey, candidates)) {
        this.loadedQuery[tileId] = null; // whatever the tile holds, it is not this batch's answer
        this.failStep(tileId, 'corrupt-reply', `tile ${tileId}: READ_TOPK for batch ${step.unitKey} returned ids other than the batch's`);
        return;
      }
      this.deliverPartial(step.unitKey, candidates);
    } else if (!(reply.type === 'DONE' && step.op !== 'read')) {
      this.failStep(tileId, 'corrupt-reply', `tile ${tileId}: ${expected.requestType} answered with ${reply.type}`);
      return;
    }
    if (step.op === 'stream' && expected.part + 1 < step.chunks) {
      this.streamProgress.set(tileId, { step, part: expected.part + 1 });
      // Link-level flow control, below the machine. A whole stream takes far less than the
      // reply timeout, so its timer runs from the stream's start (no PROGRESS per chunk).
      this.sendPart(tileId, step, expected.part + 1);
      return;
    }
    if (step.op === 'params' && step.chunk === this.builder.paramsChunkCount - 1) this.needsParams[tileId] = false;
    if (step.op === 'query') this.loadedQuery[tileId] = step.k === undefined ? null : step.queryId;
    this.tiles[tileId]!.send({ type: 'STEP_OK' });
  }

  // ---- what the tile machines ask for ----

  private takeJob(tileId: number): TileJob | null {
    const units = this.plan.dequeue(tileId);
    if (!units) return null;
    for (const u of units) this.queries.get(u.queryId)?.send({ type: 'UNIT_STARTED' });
    return this.planner.plan(units, this.needsParams[tileId]!, (q) => this.loadedQuery[tileId] === q);
  }

  private resume(tileId: number, job: TileJob, step: number, fault: TileFault): { job: TileJob; step: number } | null {
    this.stats.retries++;
    const at = resumePoint(job, step, fault, this.options.integrity);
    if (at.kind === 'step') {
      if (at.restartBlock) this.streamProgress.delete(tileId);
      if (job.steps[at.step]?.op === 'walk') this.walkResend.add(tileId);
      return { job, step: at.step };
    }
    this.streamProgress.delete(tileId);
    const remaining = job.units.filter((u) => this.isPending(u) && !(u.kind === 'walk' && this.walkGivenToHub(u)));
    return remaining.length > 0 ? { job: this.planner.plan(remaining, this.needsParams[tileId]!, (q) => this.loadedQuery[tileId] === q), step: 0 } : null;
  }

  /**
   * A pull walk is one long exchange that any fault restarts from LOAD_QUERY; at a high
   * fault rate a walk of a few hundred messages rarely completes. After MAX_WALK_ATTEMPTS
   * rebuilds (on any tile) the hub replays it itself, bit for bit (the hub-local path).
   */
  private walkGivenToHub(u: WalkUnit): boolean {
    const attempts = (this.walkAttempts.get(u.key) ?? 0) + 1;
    this.walkAttempts.set(u.key, attempts);
    if (attempts < MAX_WALK_ATTEMPTS) return false;
    this.queries.get(u.queryId)?.send({ type: 'UNIT_HUB_LOCAL', unitKey: u.key });
    this.stats.hubLocalUnits++;
    this.runLocally([u]);
    return true;
  }

  private sendStep(tileId: number, job: TileJob, stepIndex: number): void {
    const step = job.steps[stepIndex]!;
    if (step.op === 'walk') {
      // A walk whose last message (or its answer) was lost re-sends that very message, same
      // msg_id: the tile answers it again from its kept reply if it had run it.
      const last = this.lastWalkMessage.get(tileId);
      const resend = this.walkResend.delete(tileId) && last?.step === step;
      this.sendOutgoing(tileId, step, 0, resend ? last.out : this.walker().begin(tileId, step.unit));
      return;
    }
    const progress = this.streamProgress.get(tileId);
    this.sendPart(tileId, step, progress?.step === step ? progress.part : 0);
  }

  private sendPart(tileId: number, step: JobStep, part: number): void {
    if (step.op === 'query') this.loadedQuery[tileId] = null; // known again only when its DONE arrives
    this.sendOutgoing(tileId, step, part, this.builder.build(step, part));
  }

  private sendOutgoing(tileId: number, step: JobStep, part: number, out: Outgoing): void {
    if (step.op === 'walk') this.lastWalkMessage.set(tileId, { step, out });
    this.outstanding.set(tileId, { msgId: out.msgId, sentAtCycles: this.transport.nowCycles(), step, part, requestType: out.requestType });
    this.stats.countSent(out.requestType, out.bytes.length);
    this.transport.send(tileId, out.bytes);
  }

  private continueWalk(tileId: number, step: Extract<JobStep, { op: 'walk' }>, reply: TileMessage): void {
    const next = this.walker().next(tileId, step.unit, reply);
    if ('send' in next) {
      this.sendOutgoing(tileId, step, 0, next.send);
      this.tiles[tileId]!.send({ type: 'PROGRESS' });
    } else if ('done' in next) {
      this.tiles[tileId]!.send({ type: 'STEP_OK' });
    } else {
      this.failStep(tileId, 'corrupt-reply', `tile ${tileId}: ${next.fault}`);
    }
  }

  private walker(): WalkDriver {
    if (!this.walkDriver) throw new Error('this hub has no walk driver: pull mode needs an HNSW index');
    return this.walkDriver;
  }

  private releaseJob(tileId: number, job: TileJob | null, fault: TileFault): void {
    this.abandon(tileId, `released (${fault.kind})`);
    const orphaned = [...(job ? [job.units] : []), ...this.plan.drain(tileId)];
    for (const units of orphaned) {
      const pending = units.filter((u) => this.isPending(u));
      if (pending.length > 0) this.reassign(tileId, pending);
    }
  }

  private reassign(fromTile: number, units: WorkUnit[]): void {
    const target = this.transport.nearestTiles(fromTile).find((t) => t !== fromTile && this.isHealthy(t));
    for (const u of units) this.queries.get(u.queryId)?.send({ type: target === undefined ? 'UNIT_HUB_LOCAL' : 'UNIT_REASSIGNED', unitKey: u.key });
    if (target === undefined) {
      this.stats.hubLocalUnits += units.length;
      this.runLocally(units);
      return;
    }
    this.stats.reassignedUnits += units.length;
    this.plan.enqueue(target, units);
    this.tiles[target]!.send({ type: 'WORK_AVAILABLE' });
  }

  /** The Full-profile path: the hub computes the units itself with the reference kernel. */
  private runLocally(units: WorkUnit[]): void {
    const { cycles, partials } = this.fallback.compute(units);
    this.transport.hubCompute(cycles, () => {
      for (const p of partials) this.deliverPartialTo(p.queryId, p.unitKey, p.candidates);
    });
  }

  private restartTile(tileId: number): void {
    this.stats.restarts++;
    this.transport.restartTile(tileId);
  }

  private retireTile(tileId: number, fault: TileFault | null): void {
    this.stats.retirements++;
    this.listener?.tileRetired(tileId, fault);
    this.plan.retire(tileId);
    // Work already queued for the retired tile moves on; releaseJob handled its own job.
    const queued = this.plan.drain(tileId);
    for (const units of queued) this.reassign(tileId, units);
  }

  private failStep(tileId: number, kind: TileFault['kind'], detail: string, code?: number): void {
    this.abandon(tileId, kind);
    const fault: TileFault = { kind, atCycles: this.transport.nowCycles(), detail, ...(code === undefined ? {} : { code }) };
    this.detected(tileId, fault);
    this.tiles[tileId]!.send({ type: 'STEP_FAILED', fault });
  }

  /** The hub stops waiting for the tile's outstanding message (it will retry or move on). */
  private abandon(tileId: number, reason: string): void {
    const o = this.outstanding.get(tileId);
    if (!o) return;
    this.outstanding.delete(tileId);
    this.listener?.messageAbandoned(tileId, o.msgId, reason);
  }

  private detected(tileId: number, fault: TileFault): void {
    this.stats.countFault(fault.code === undefined ? fault.kind : `${fault.kind}:${statusName(fault.code)}`);
    this.listener?.faultDetected(tileId, fault);
  }

  // ---- queries ----

  private admitQueries(): void {
    while (this.inFlight < this.options.concurrency && this.pendingQueries.length > 0) {
      const q = this.pendingQueries.shift()!;
      if (this.pushHnsw) {
        this.dispatchQuery(q, [], true);
        this.applySearchStep(q, this.pushHnsw.start(q));
        continue;
      }
      this.dispatchQuery(q);
      for (const { tileId, units } of this.plan.scanUnits(q)) {
        const target = this.healthyOrNearest(tileId);
        if (this.plan.isRetired(target)) {
          for (const u of units) this.queries.get(u.queryId)?.send({ type: 'UNIT_HUB_LOCAL', unitKey: u.key });
          this.stats.hubLocalUnits += units.length;
          this.runLocally(units); // every tile is retired: the hub answers alone
        } else {
          this.plan.enqueue(target, units);
        }
      }
    }
  }

  private dispatchQuery(queryId: number, walkKeys?: string[], open = false): void {
    const unitKeys = walkKeys ?? (this.data.spec.schedule === 'block' ? this.plan.probeKeys(queryId) : this.plan.scanKeys(queryId));
    const actor = createActor(this.queryMachine, {
      input: { queryId, k: this.data.spec.k, unitKeys, dispatchedAtCycles: this.transport.nowCycles(), open },
      clock: this.clock,
    });
    this.queries.set(queryId, actor);
    this.inFlight++;
    actor.start();
  }

  private onQueryDone(queryId: number, best: Candidate[], ctx: QueryMachineContext): void {
    this.outcomes.set(queryId, {
      queryId,
      best,
      dispatchedAtCycles: ctx.dispatchedAtCycles,
      doneAtCycles: ctx.doneAtCycles ?? this.transport.nowCycles(),
      reassignments: ctx.reassignments,
      hubLocalUnits: ctx.hubLocalUnits,
    });
    this.stats.duplicatePartials += ctx.duplicatePartials;
    this.queries.delete(queryId);
    this.inFlight--;
    if (this.data.spec.schedule === 'query') {
      // Runs from the query machine's own action: start the next query once it returns,
      // at the same simulated cycle, rather than creating actors from inside it.
      this.transport.later(() => {
        this.admitQueries();
        this.wakeIdleTiles();
      });
    }
  }

  private deliverPartial(unitKey: string, candidates: Candidate[]): void {
    this.stats.partials++;
    this.deliverPartialTo(WorkPlan.queryOfKey(unitKey), unitKey, candidates);
  }

  private deliverPartialTo(queryId: number, unitKey: string, candidates: Candidate[]): void {
    const q = this.queries.get(queryId);
    if (!q) {
      this.stats.duplicatePartials++;
      return;
    }
    const fresh = this.pushHnsw !== null && q.getSnapshot().context.pending.includes(unitKey);
    q.send({ type: 'PARTIAL', unitKey, candidates, nowCycles: this.transport.nowCycles() });
    if (fresh) {
      const next = this.pushHnsw!.answered(queryId, unitKey, candidates);
      if (next) this.applySearchStep(queryId, next);
    }
  }

  /** Push-hnsw: a search's next round goes to its tiles (or the hub itself), or the search is over. */
  private applySearchStep(queryId: number, step: SearchStep): void {
    const q = this.queries.get(queryId)!;
    if ('done' in step) {
      q.send({ type: 'SEARCH_DONE', best: step.done, nowCycles: this.transport.nowCycles() });
      return;
    }
    q.send({ type: 'UNITS_ADDED', unitKeys: step.units.map((u) => u.unit.key) });
    for (const { tileId, unit } of step.units) {
      const target = this.healthyOrNearest(tileId);
      if (this.plan.isRetired(target)) {
        q.send({ type: 'UNIT_HUB_LOCAL', unitKey: unit.key });
        this.stats.hubLocalUnits++;
        this.runLocally([unit]); // every tile is retired: the hub computes the batch
      } else {
        this.plan.enqueue(target, [unit]);
        if (this.tiles[target]!.getSnapshot().matches('idle')) this.tiles[target]!.send({ type: 'WORK_AVAILABLE' });
      }
    }
  }

  private isPending(u: WorkUnit): boolean {
    const q = this.queries.get(u.queryId);
    return q !== undefined && q.getSnapshot().context.pending.includes(u.key);
  }

  private isHealthy(tileId: number): boolean {
    const s = this.tiles[tileId]!.getSnapshot();
    return !s.matches('retired') && !s.matches('faulted') && !s.matches('restarting');
  }

  private healthyOrNearest(tileId: number): number {
    if (!this.plan.isRetired(tileId)) return tileId;
    return this.transport.nearestTiles(tileId).find((t) => !this.plan.isRetired(t)) ?? tileId;
  }

  private wakeIdleTiles(): void {
    for (const t of this.tiles) if (t.getSnapshot().matches('idle')) t.send({ type: 'WORK_AVAILABLE' });
  }
}
