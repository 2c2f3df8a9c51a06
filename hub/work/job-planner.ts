// Builds a job's message steps from its units. Query-stationary units become
// query, each of the unit's blocks as one stream step (its final chunk computes and merges),
// read. Block-stationary units sharing a block become: the block staged once, then per query
// query, compute, read. A tile that needs SQ parameters gets them first. A push-hnsw batch
// becomes: the query (k 16) unless the tile already holds it, the batch as one FRESH_TOPK
// stream with explicit ids, read. A block is one step, its final chunk included: the machine
// steps once per block, not once for the chunks before the final one and again for it
// (docs/performance.md, "One machine step per block"). A scan unit's blocks and its read are
// chained after its query: the machine hands the link the unit's whole conversation (query,
// blocks, read) as one run and takes one STEP_OK per unit (tile-machine.ts).
import { TOPK_MAX } from '../../wat/layout.ts';
import type { HnswBatchUnit, JobStep, TileJob, WorkUnit } from './job.ts';

export interface JobPlannerInput {
  chunksPerBlock(blockId: number): number;
  /** A block's first chunk template in the builder's block table (MessageBuilder.firstBlockTemplate). */
  firstBlockTemplate?(blockId: number, stageOnly: boolean): number;
  /** Chunks of a push-hnsw batch stream (0 when the run has no batches). */
  chunksPerBatch?(unit: HnswBatchUnit): number;
  paramsChunks: number; // 0 when the wire dtype needs no parameters
  /** Pull walks: the beam width, LOAD_QUERY's k for a walk (absent when the run has no walks). */
  walkEf?: number;
}

export class JobPlanner {
  private nextJobId = 0;

  constructor(private readonly input: JobPlannerInput) {}

  /** `holdsQuery(q)`: the tile is known to hold query q loaded with k 16 (push-hnsw batches skip LOAD_QUERY). */
  plan(units: WorkUnit[], needsParams: boolean, holdsQuery: (queryId: number) => boolean = () => false): TileJob {
    const steps: JobStep[] = [];
    if (needsParams) {
      for (let c = 0; c < this.input.paramsChunks; c++) steps.push({ op: 'params', chunk: c, phase: 'loading' });
    }
    let stagedBlock = -1;
    // The query a batch finds on the tile: unknown (ask holdsQuery) until this job loads one.
    let held: number | null | undefined;
    for (const unit of units) {
      if (unit.kind === 'hnsw-batch') {
        if (!(held === undefined ? holdsQuery(unit.queryId) : held === unit.queryId)) {
          steps.push({ op: 'query', queryId: unit.queryId, phase: 'loading', k: TOPK_MAX });
        }
        held = unit.queryId;
        const n = this.input.chunksPerBatch?.(unit) ?? 0;
        if (n < 1) throw new RangeError(`batch ${unit.key}: the planner has no chunk count for push-hnsw batches`);
        steps.push({ op: 'stream', blockId: -1, chunks: n, stageOnly: false, phase: 'computing', batch: unit });
        stagedBlock = -1;
      } else if (unit.kind === 'walk') {
        held = null;
        const ef = this.input.walkEf;
        if (ef === undefined) throw new RangeError(`walk ${unit.key}: the planner has no beam width for pull walks`);
        steps.push({ op: 'query', queryId: unit.queryId, phase: 'loading', pull: true, k: ef });
        steps.push({ op: 'walk', unit, phase: 'computing' });
        stagedBlock = -1;
      } else if (unit.kind === 'scan') {
        held = null;
        steps.push({ op: 'query', queryId: unit.queryId, phase: 'loading' });
        for (const blockId of unit.blockIds) this.pushBlock(steps, blockId, false, true);
        stagedBlock = -1;
      } else {
        if (unit.blockId !== stagedBlock) {
          this.pushBlock(steps, unit.blockId, true);
          stagedBlock = unit.blockId;
        }
        held = null;
        steps.push({ op: 'query', queryId: unit.queryId, phase: 'loading' });
        steps.push({ op: 'compute', queryId: unit.queryId, blockId: unit.blockId, phase: 'computing' });
      }
      steps.push({ op: 'read', unitKey: unit.key, phase: 'reporting', chained: unit.kind === 'scan' });
    }
    return { jobId: this.nextJobId++, units, steps };
  }

  /** Every block step has `chained` (true or false): one object shape for the hot paths that read steps. */
  private pushBlock(steps: JobStep[], blockId: number, stageOnly: boolean, chained = false): void {
    const firstTemplate = this.input.firstBlockTemplate?.(blockId, stageOnly) ?? -1;
    steps.push({ op: 'stream', blockId, chunks: this.input.chunksPerBlock(blockId), stageOnly, phase: stageOnly ? 'loading' : 'computing', chained, firstTemplate });
  }
}
