// Push-hnsw's driver: the hub walks HNSW for each query (hub/push-hnsw/push-hnsw-driver.ts)
// and the tiles compute each expansion's distances, one FRESH_TOPK batch per unit. A query
// is open ("growing") until its search ends: every round's batches are added as units, and
// the search's answer closes it. Queries are admitted up to the concurrency.
import type { DriverHubWork } from '../core/hub-work.ts';
import type { LinkReply, ModeDriver, ModeOptions, Partial, QueryStep, TileLink } from '../core/mode-driver.ts';
import type { EncodedDataset } from '../encoded-dataset.ts';
import { localDistances } from '../local-fallback.ts';
import type { PushHnswDriver, SearchStep } from '../push-hnsw/push-hnsw-driver.ts';
import { mergeTopK } from '../topk-merge.ts';
import { JobPlanner } from '../work/job-planner.ts';
import type { JobStep, TileJob, WorkUnit } from '../work/job.ts';
import { MessageBuilder } from '../work/message-builder.ts';
import { StepLink, type StepLinkParts } from './step-link.ts';
import type { ChipBlocks } from '../chip/chip-blocks.ts';

export class PushHnswModeDriver implements ModeDriver {
  readonly admission: { window: number; refill: boolean };
  private readonly messages: MessageBuilder;
  private readonly planner: JobPlanner;
  private readonly work = { routingDistances: 0, expansions: 0, beamCandidates: 0 };

  constructor(
    private readonly data: EncodedDataset,
    private readonly options: ModeOptions,
    private readonly search: PushHnswDriver,
    /** With chips: which batch bytes the tile's chip serves from its shared memory. */
    private readonly chips: ChipBlocks | null = null,
  ) {
    this.admission = { window: options.concurrency, refill: true };
    this.messages = new MessageBuilder(data, { verifyCrc: options.verifyCrc, integrity: options.integrity });
    this.planner = new JobPlanner({
      chunksPerBlock: (b) => this.messages.chunkCount(b),
      firstBlockTemplate: (b, stageOnly) => this.messages.firstBlockTemplate(b, stageOnly),
      chunksPerBatch: (u) => this.messages.batchChunkCount(u),
      paramsChunks: this.messages.paramsChunkCount,
    });
  }

  admit(queryIds: readonly number[]): QueryStep[] {
    return queryIds.flatMap((q): QueryStep[] => [{ open: q, unitKeys: [], growing: true }, this.next(q, this.search.start(q))]);
  }

  answered(p: Partial): QueryStep[] {
    const step = this.search.answered(p.queryId, p.unitKey, p.candidates);
    return step ? [this.next(p.queryId, step)] : [];
  }

  /** A search's next round goes to its tiles (or the hub itself), or the search is over. */
  private next(queryId: number, step: SearchStep): QueryStep {
    if ('done' in step) return { close: queryId, best: step.done };
    return { grow: queryId, work: step.units.map(({ tileId, unit }) => ({ tileId, units: [unit] })) };
  }

  connect(tileId: number): TileLink {
    return new HnswLink({ tileId, messages: this.messages, planner: this.planner, replayable: this.options.integrity }, this.search, this.chips, this.options.integrity);
  }

  /** The hub's HNSW walk: every node it expands and every distance it takes into its beam. */
  hubWork(): DriverHubWork {
    // Asked before every message sent: one object, refreshed (the core reads it at once).
    this.work.expansions = this.search.stats.expansions;
    this.work.beamCandidates = this.search.stats.distances;
    return this.work;
  }

  computeLocally(units: readonly WorkUnit[]): { distances: number; partials: Partial[] } {
    let distances = 0;
    const partials = units.map((u) => {
      if (u.kind !== 'hnsw-batch') throw new RangeError(`unit ${u.key}: push-hnsw computes batches, not ${u.kind}`);
      // What the tile's FRESH_TOPK batch returns: every id's distance, in the tile's order.
      const batch = localDistances(this.data, u.queryId, u.ids);
      distances += batch.length;
      return { queryId: u.queryId, unitKey: u.key, candidates: mergeTopK([], batch, batch.length) };
    });
    return { distances, partials };
  }
}

/** A tile's link in push-hnsw: the shared steps, plus the query the tile holds (a batch of
 *  the same query skips LOAD_QUERY) and the check that a batch's answer is its ids. */
class HnswLink extends StepLink {
  /** The query the tile holds loaded with an explicit k, as far as the hub knows. */
  private loadedQuery: number | null = null;
  /** The batch being streamed and the bytes of each chunk the tile's chip holds (chips only). */
  private held: { key: string; bytes: number[] } | null = null;

  constructor(
    parts: StepLinkParts,
    private readonly search: PushHnswDriver,
    private readonly chips: ChipBlocks | null,
    private readonly integrity: boolean,
  ) {
    super(parts);
  }

  override plan(units: WorkUnit[]): TileJob {
    return this.planner.plan(units, this.needsParams, (q) => this.loadedQuery === q);
  }

  protected override sendPart(step: JobStep, part: number) {
    if (step.op === 'query') this.loadedQuery = null; // known again only when its DONE arrives
    const out = super.sendPart(step, part);
    if (this.chips && step.op === 'stream' && step.batch) {
      // The chip is asked once per pass over a batch (a retry passes again: what went through is cached now).
      if (part === 0 || this.held?.key !== step.batch.key) this.held = { key: step.batch.key, bytes: this.chips.heldChunkBytes(this.tileId, step.batch.ids, this.integrity) };
      this.chips.ledger.note(out.msgId, this.held.bytes[part] ?? 0);
    }
    return out;
  }

  protected override readResult(p: Partial): LinkReply {
    if (this.search.accepts(p.queryId, p.unitKey, p.candidates)) return super.readResult(p);
    this.loadedQuery = null; // whatever the tile holds, it is not this batch's answer
    return { fault: `READ_TOPK for batch ${p.unitKey} returned ids other than the batch's` };
  }

  protected override stepDone(step: JobStep): void {
    if (step.op === 'query') this.loadedQuery = step.k === undefined ? null : step.queryId;
  }
}
