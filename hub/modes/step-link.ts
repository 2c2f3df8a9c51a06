// A tile's conversation for jobs made of the shared steps (hub/work/job.ts): SQ parameters,
// LOAD_QUERY, block or batch streams, COMPUTE, READ_TOPK. It remembers what the tile holds
// (its parameters) and where a stream got to, so a retry resumes at the chunk that failed.
// A run of steps the machine delegates (send's `through`: a scan unit's chained blocks and
// read) goes on here too: when a step of it is done, the link starts the next as it would
// the next chunk, and the machine reads `step` to learn how far it got
// (hub/machines/tile-machine.ts).
// Drivers with more to remember extend it (push-hnsw: the query the tile holds; pull: the
// walk step). A reply arrives per message sent, so the stream position and the message in
// flight are plain fields and a chunk's answer is one reused object: nothing is allocated
// per chunk (docs/performance.md).
import { TopkInPlace } from '../../protocol/topk-in-place.ts';
import type { TileMessage } from '../../protocol/types.ts';
import type { LinkReply, Outgoing, Partial, TileLink } from '../core/mode-driver.ts';
import { blankOutgoing } from '../core/outgoing.ts';
import { TemplateTable } from '../../protocol/template-facts.ts';
import type { JobPlanner } from '../work/job-planner.ts';
import { queryOfUnitKey, type JobStep, type TileJob, type WorkUnit } from '../work/job.ts';
import type { MessageBuilder } from '../work/message-builder.ts';
import { candidatesOf, expectationOf, partialProblem } from '../work/partial-check.ts';
import { resumePoint, type ResumeAt } from '../work/resume-point.ts';
import type { TileFault } from '../work/tile-fault.ts';

export interface StepLinkParts {
  tileId: number;
  messages: MessageBuilder;
  planner: JobPlanner;
  /** Sealed messages: the tile answers a re-sent request from its kept reply (resume-point.ts). */
  replayable: boolean;
}

/** A step other than a read is complete (one shared, frozen answer). */
const STEP_DONE: LinkReply = Object.freeze({ done: true });
/** The message record and the "send this next" answer the links of one builder share. */
interface LinkRecords {
  out: Outgoing;
  next: { send: Outgoing; progress: boolean };
}

/** The chunk templates of a link that has sent no stream yet. */
const NO_TEMPLATES = new TemplateTable(0);

/** One pair of records per builder (a driver's links share its builder). The core reads a
 *  link's record and answer before any link builds again, so one pair serves every tile and
 *  stays in cache, where a pair per tile was two more cold lines per message (docs/performance.md). */
const sharedRecords = new WeakMap<MessageBuilder, LinkRecords>();

function recordsOf(messages: MessageBuilder): LinkRecords {
  let r = sharedRecords.get(messages);
  if (r === undefined) {
    const out = blankOutgoing();
    sharedRecords.set(messages, (r = { out, next: { send: out, progress: false } }));
  }
  return r;
}

export class StepLink implements TileLink {
  // The fields a chunk's reply reads and writes come first, so they share the object's first
  // cache lines (V8 lays fields out in declaration order); the rest after them.
  /** The message in flight: its step (null before the first), its chunk of a stream step, its type. */
  protected sentStep: JobStep | null = null;
  private sentPart = 0;
  /** Messages of the step in flight (a stream's chunks, a query's parts; else 1), noted when
   *  it is sent: a chunk's reply is matched to the next chunk from these fields alone, without
   *  reading the step again (it is cold by then; docs/performance.md). */
  private sentParts = 1;
  /** The chunk templates of `chunksOf`, the last stream step sent, as their table and first
   *  number: its next chunk is found without the step, its set or the builder's block table
   *  (MessageBuilder.chunk). */
  private chunksOf: JobStep | null = null;
  private chunkTable: TemplateTable = NO_TEMPLATES;
  private firstChunk = 0;
  /** How far the tile got into a stream step (or a query's chunks): the step and its next part. */
  private streamStep: JobStep | null = null;
  private streamPart = 0;
  private sentType = '';
  protected readonly messages: MessageBuilder;
  /** The answer "send this next", reused: the core reads it before any link is asked again. */
  private readonly next: { send: Outgoing; progress: boolean };
  /** The message record, rewritten by every build: the core reads it while it sends and
   *  keeps none of it, so no Outgoing is made per message. Both are shared with the other
   *  links of the same builder (recordsOf). */
  private readonly out: Outgoing;
  protected readonly tileId: number;
  protected readonly planner: JobPlanner;
  private readonly replayable: boolean;
  /** The tile has no SQ parameters yet (fresh memory). */
  protected needsParams: boolean;
  /** The job of the message in flight: what a READ_TOPK answer is checked against. */
  private job: TileJob | null = null;
  /** Its steps, kept from `delegate`: a delegated run's next step is read from them without
   *  the (cold) job object between (docs/performance.md, "The hub per chunk, round 7"). */
  private steps: readonly JobStep[] = [];
  /** The index in `job` of the step in flight, and the last step of the run the machine
   *  delegated with it (the same step when there is no run). */
  private at = 0;
  private through = 0;

  constructor(parts: StepLinkParts) {
    this.tileId = parts.tileId;
    this.messages = parts.messages;
    this.planner = parts.planner;
    this.replayable = parts.replayable;
    this.needsParams = parts.messages.paramsChunkCount > 0;
    const records = recordsOf(parts.messages);
    this.out = records.out;
    this.next = records.next;
  }

  plan(units: WorkUnit[]): TileJob {
    return this.planner.plan(units, this.needsParams);
  }

  get step(): number {
    return this.at;
  }

  send(job: TileJob, stepIndex: number, through: number): Outgoing {
    this.delegate(job, stepIndex, through);
    return this.startStep();
  }

  /** The machine hands the link step `stepIndex` of `job`, and the run after it through `through`. */
  protected delegate(job: TileJob, stepIndex: number, through: number): void {
    this.job = job;
    this.steps = job.steps;
    this.at = stepIndex;
    this.through = through;
  }

  /** The first message of the step at `at`: a stream that failed midway resumes at its chunk. */
  private startStep(): Outgoing {
    const step = this.steps[this.at]!;
    return this.sendPart(step, this.streamStep === step ? this.streamPart : 0);
  }

  protected sendPart(step: JobStep, part: number): Outgoing {
    // The stream sent last is known by identity alone: its (cold) step is not read again.
    if (step !== this.chunksOf) {
      if (step.op !== 'stream') return this.sending(step, part, this.messages.build(step, part, this.out));
      // A block's stream starts from its step (its first template noted at plan time), without
      // the builder's block table or the block's set, cold by then (docs/performance.md,
      // "The hub per chunk, round 7"); a batch, or a step planned without it, looks them up.
      const first = step.firstTemplate ?? -1;
      if (first >= 0) {
        this.chunkTable = this.messages.blockTable;
        this.firstChunk = first;
      } else {
        const chunks = this.messages.streamTemplates(step);
        this.chunkTable = chunks.table;
        this.firstChunk = chunks.first;
      }
      this.chunksOf = step;
    }
    return this.sending(step, part, this.messages.chunk(this.chunkTable, this.firstChunk + part, this.out));
  }

  protected sending(step: JobStep, part: number, out: Outgoing): Outgoing {
    if (step !== this.sentStep) {
      this.sentStep = step;
      this.sentParts = step.op === 'stream' ? step.chunks : step.op === 'query' ? this.messages.queryPartCount : 1;
    }
    this.sentPart = part;
    this.sentType = out.requestType;
    return out;
  }

  /** The step goes on with `out` (the reused answer; `progress`: the tile's deadline restarts). */
  protected sendNext(out: Outgoing, progress: boolean): LinkReply {
    this.next.send = out;
    this.next.progress = progress;
    return this.next;
  }

  /** Whether a DONE to the message in flight goes on below the machine (continueOnDone): a
   *  stream's or a query's next chunk, or the next step of a delegated run. Reads only. */
  continuesOnDone(): boolean {
    return this.sentPart + 1 < this.sentParts || (this.at < this.through && this.sentStep!.op !== 'read');
  }

  /** The message after a DONE when `continuesOnDone`: no PROGRESS (the hub re-arms the
   *  deadline from its departure). The core's one-pass reply (hub/core/one-pass-reply.ts)
   *  calls it as `reply` does for a DONE, so both paths go on the same way. */
  continueOnDone(): Outgoing {
    const step = this.sentStep!;
    const part = this.sentPart;
    // A stream's chunks, and a query sent in chunks (Hot data), go one after another.
    // Link-level flow control, below the machine: no PROGRESS per chunk (the step's retries
    // are not cleared), but the hub re-arms the deadline from each chunk's departure.
    if (part + 1 < this.sentParts) {
      this.streamStep = step;
      this.streamPart = part + 1;
      return this.sendPart(step, part + 1);
    }
    // The delegated run goes on below the machine: its next step starts as a chunk would
    // (no PROGRESS, the deadline re-armed from the departure), the machine absorbing the
    // step done when it next takes an event.
    this.doneWith(step);
    this.at++;
    return this.startStep();
  }

  reply(reply: TileMessage): LinkReply {
    if (reply.type === 'DONE' && this.continuesOnDone()) return this.sendNext(this.continueOnDone(), false);
    const step = this.sentStep!;
    if (step.op === 'read' && reply.type === 'TOPK_RESULT') {
      // The hub's reader hands the answer over in place (numbers); a decoded one is read into numbers.
      const topk = reply instanceof TopkInPlace ? reply : TopkInPlace.of(reply);
      const expect = this.job ? expectationOf(this.messages.data, this.job, step.unitKey) : null;
      const problem = expect ? partialProblem(topk, expect) : `no unit ${step.unitKey} in the job`;
      if (problem) return { fault: `READ_TOPK for ${step.unitKey} answered with a forged top-K: ${problem}`, forged: true };
      return this.readResult({ queryId: queryOfUnitKey(step.unitKey), unitKey: step.unitKey, candidates: candidatesOf(topk) });
    }
    if (!(reply.type === 'DONE' && step.op !== 'read')) return { fault: `${this.sentType} answered with ${reply.type}` };
    this.doneWith(step); // the run's last step (continueOnDone started the others' next)
    return STEP_DONE;
  }

  /** A step other than a read answered DONE: what the tile now holds. */
  private doneWith(step: JobStep): void {
    if (step.op === 'params' && step.chunk === this.messages.paramsChunkCount - 1) this.needsParams = false;
    this.stepDone(step);
  }

  /** A READ_TOPK's answer: the unit's partial (drivers may check it first). */
  protected readResult(partial: Partial): LinkReply {
    return { done: true, partial };
  }

  /** A step other than a read completed. */
  protected stepDone(_step: JobStep): void {}

  resume(job: TileJob, step: number, fault: TileFault): ResumeAt {
    const at = resumePoint(job, step, fault, this.replayable);
    if (at.kind === 'rebuild' || at.restartBlock) this.streamStep = null;
    return at;
  }
}
