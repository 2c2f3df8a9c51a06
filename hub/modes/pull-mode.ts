// Pull mode's driver: every query is searched by `walks` walks, each a tile walking the HNSW
// graph and asking the hub for neighbor lists and vectors (docs/pull-mode.md). The walk
// server (hub/pull/pull-driver.ts) answers the tile's requests; this driver deals the walks
// over the tiles (walk w of query q to tile (q * walks + w) mod T; a chip beam's to tile
// (q * B + w mod B) mod T, B tiles a chip: walk w + B runs on walk w's tile after it),
// turns each into a job
// (LOAD_QUERY with the walk flag, the walk, READ_TOPK) and replays a walk on the hub when
// the core hands it over (its attempts ran out, hub/machines/query-machine.ts).
import type { TileMessage } from '../../protocol/types.ts';
import type { DriverHubWork } from '../core/hub-work.ts';
import type { LinkReply, ModeDriver, ModeOptions, Outgoing, Partial, QueryStep, TileLink } from '../core/mode-driver.ts';
import type { EncodedDataset } from '../encoded-dataset.ts';
import { PullLocalWalker, type PullWalkDriver } from '../pull/pull-driver.ts';
import { JobPlanner } from '../work/job-planner.ts';
import { walkUnitKey, type JobStep, type TileJob, type WalkUnit, type WorkUnit } from '../work/job.ts';
import { MessageBuilder } from '../work/message-builder.ts';
import type { ResumeAt } from '../work/resume-point.ts';
import type { TileFault } from '../work/tile-fault.ts';
import { StepLink, type StepLinkParts } from './step-link.ts';

export class PullModeDriver implements ModeDriver {
  readonly admission = { window: Infinity, refill: true };
  private readonly messages: MessageBuilder;
  private readonly planner: JobPlanner;
  private readonly local: PullLocalWalker;
  private readonly work = { routingDistances: 0, expansions: 0, beamCandidates: 0 };

  constructor(
    private readonly data: EncodedDataset,
    private readonly options: ModeOptions,
    private readonly walker: PullWalkDriver,
    /** A chip beam: the tiles one query's walks share (a chip's), each running walks/beamTiles of them. */
    private readonly beamTiles?: number,
  ) {
    this.messages = new MessageBuilder(data, { verifyCrc: options.verifyCrc, integrity: options.integrity });
    this.planner = new JobPlanner({
      chunksPerBlock: (b) => this.messages.chunkCount(b),
      firstBlockTemplate: (b, stageOnly) => this.messages.firstBlockTemplate(b, stageOnly),
      paramsChunks: this.messages.paramsChunkCount,
      walkEf: walker.ef,
    });
    this.local = new PullLocalWalker(data, walker);
  }

  admit(queryIds: readonly number[]): QueryStep[] {
    const walks = this.walker.index.walks;
    return queryIds.flatMap((q): QueryStep[] => {
      const units = Array.from({ length: walks }, (_, w): WalkUnit => ({ kind: 'walk', queryId: q, walk: w, key: walkUnitKey(q, w) }));
      const place = units.map((u) => ({ tileId: this.tileOf(q, u.walk, walks), units: [u] }));
      return [{ open: q, unitKeys: units.map((u) => u.key), growing: false }, { place }];
    });
  }

  /** Where walk w of query q runs. A chip beam's later rounds queue on the first round's tiles (same chip). */
  private tileOf(q: number, w: number, walks: number): number {
    const b = this.beamTiles;
    return (b === undefined ? q * walks + w : q * b + (w % b)) % this.options.tileCount;
  }

  answered(): QueryStep[] {
    return [];
  }

  connect(tileId: number): TileLink {
    return new PullLink({ tileId, messages: this.messages, planner: this.planner, replayable: this.options.integrity }, this.walker);
  }

  /** With --descent hub, the hub routes each walk through the upper layers to its seeds. */
  hubWork(): DriverHubWork {
    // Asked before every message sent: one object, refreshed (the core reads it at once).
    this.work.routingDistances = this.walker.stats.hubRoutingDistances;
    return this.work;
  }

  computeLocally(units: readonly WorkUnit[]): { distances: number; partials: Partial[] } {
    let distances = 0;
    const partials = units.map((u) => {
      if (u.kind !== 'walk') throw new RangeError(`unit ${u.key}: pull mode computes walks, not ${u.kind}`);
      const r = this.local.walk(u);
      distances += r.distances;
      return { queryId: u.queryId, unitKey: u.key, candidates: r.candidates };
    });
    return { distances, partials };
  }
}

/** A tile's link in pull mode: the shared steps, plus the walk, served by the walk server. */
class PullLink extends StepLink {
  /** The walk's last message, kept so a lost one is re-sent as it was (same msg_id). */
  private lastWalk: { step: JobStep; out: Outgoing } | null = null;
  private resendWalk = false;

  constructor(
    parts: StepLinkParts,
    private readonly walker: PullWalkDriver,
  ) {
    super(parts);
  }

  override send(job: TileJob, stepIndex: number, through: number): Outgoing {
    const step = job.steps[stepIndex]!;
    if (step.op !== 'walk') return super.send(job, stepIndex, through);
    this.delegate(job, stepIndex, through);
    // A walk whose last message (or its answer) was lost re-sends that very message, same
    // msg_id: the tile answers it again from its kept reply if it had run it.
    const resend = this.resendWalk && this.lastWalk?.step === step;
    this.resendWalk = false;
    return this.walkMessage(step, resend ? this.lastWalk!.out : this.walker.begin(this.tileId, step.unit));
  }

  override reply(reply: TileMessage): LinkReply {
    const step = this.sentStep!;
    if (step.op !== 'walk') return super.reply(reply);
    const next = this.walker.next(this.tileId, step.unit, reply);
    if ('send' in next) return this.sendNext(this.walkMessage(step, next.send), true);
    if ('done' in next) return { done: true };
    return { fault: next.fault };
  }

  /** A walk's replies are the walker's (reply above), never a DONE the link goes on from. */
  override continuesOnDone(): boolean {
    return this.sentStep!.op !== 'walk' && super.continuesOnDone();
  }

  override resume(job: TileJob, step: number, fault: TileFault): ResumeAt {
    const at = super.resume(job, step, fault);
    if (at.kind === 'step' && job.steps[at.step]?.op === 'walk') this.resendWalk = true;
    return at;
  }

  private walkMessage(step: JobStep, out: Outgoing): Outgoing {
    this.lastWalk = { step, out };
    return this.sending(step, 0, out);
  }
}
