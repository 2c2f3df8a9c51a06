// Push mode's driver: the exact scan. The hub streams every block to a tile per query, with
// one of two schedules (docs/modes.md):
//   query  (query-stationary) a query is split over the tiles that own blocks; each tile
//          loads the query and streams its blocks past it. Queries are admitted up to the
//          concurrency, and the next is admitted as one finishes.
//   block  (block-stationary) each block's owner stages the block once and runs every
//          query of the batch against it; the whole batch starts at once.
import { NO_DRIVER_WORK, type DriverHubWork } from '../core/hub-work.ts';
import type { ModeDriver, ModeOptions, Partial, QueryStep, TileLink } from '../core/mode-driver.ts';
import type { EncodedDataset } from '../encoded-dataset.ts';
import { localBlockScan } from '../local-fallback.ts';
import { JobPlanner } from '../work/job-planner.ts';
import type { WorkUnit } from '../work/job.ts';
import { MessageBuilder } from '../work/message-builder.ts';
import { WorkPlan } from '../work/work-plan.ts';
import { StepLink } from './step-link.ts';

export class PushScanDriver implements ModeDriver {
  readonly admission: { window: number; refill: boolean };
  private readonly messages: MessageBuilder;
  private readonly planner: JobPlanner;
  private readonly plan: WorkPlan;

  constructor(
    private readonly data: EncodedDataset,
    private readonly options: ModeOptions,
  ) {
    this.messages = new MessageBuilder(data, { verifyCrc: options.verifyCrc, integrity: options.integrity });
    this.planner = new JobPlanner({
      chunksPerBlock: (b) => this.messages.chunkCount(b),
      firstBlockTemplate: (b, stageOnly) => this.messages.firstBlockTemplate(b, stageOnly),
      paramsChunks: this.messages.paramsChunkCount,
    });
    this.plan = new WorkPlan(data, options.tileCount);
    this.admission = data.spec.schedule === 'block' ? { window: Infinity, refill: false } : { window: options.concurrency, refill: true };
  }

  admit(queryIds: readonly number[]): QueryStep[] {
    return this.data.spec.schedule === 'block' ? this.admitBlockSchedule(queryIds) : this.admitQuerySchedule(queryIds);
  }

  /** Each query over the tiles that own blocks, one scan unit per tile. The query's unit keys
   *  are its units' own: each key is made once per tile (it was made twice, a string per tile
   *  per query more in the run; docs/performance.md, "Allocation at many tiles"). */
  private admitQuerySchedule(queryIds: readonly number[]): QueryStep[] {
    return queryIds.flatMap((q): QueryStep[] => {
      const place = this.plan.scanUnits(q);
      return [{ open: q, unitKeys: place.map((p) => p.units[0]!.key), growing: false }, { place }];
    });
  }

  /** Block-stationary needs the batch up front: each block meets every query once, in one job. */
  private admitBlockSchedule(queryIds: readonly number[]): QueryStep[] {
    const place = Array.from({ length: this.data.blockCount }, (_, b) => ({ tileId: this.plan.ownerOf(b), units: queryIds.map((q) => this.plan.probeUnit(q, b)) }));
    const opens = queryIds.map((q, i): QueryStep => ({ open: q, unitKeys: place.map((p) => p.units[i]!.key), growing: false }));
    return [...opens, { place }];
  }

  answered(): QueryStep[] {
    return [];
  }

  connect(tileId: number): TileLink {
    return new StepLink({ tileId, messages: this.messages, planner: this.planner, replayable: this.options.integrity });
  }

  /** The scan's hub work is its merges, which the core counts. */
  hubWork(): DriverHubWork {
    return NO_DRIVER_WORK;
  }

  computeLocally(units: readonly WorkUnit[]): { distances: number; partials: Partial[] } {
    let distances = 0;
    const partials = units.map((u) => {
      if (u.kind !== 'scan' && u.kind !== 'probe') throw new RangeError(`unit ${u.key}: push mode computes scan and probe units, not ${u.kind}`);
      const r = localBlockScan(this.data, u.queryId, u.kind === 'scan' ? u.blockIds : [u.blockId]);
      distances += r.distances;
      return { queryId: u.queryId, unitKey: u.key, candidates: r.candidates };
    });
    return { distances, partials };
  }
}
