// Builds a job's message steps from its units. Query-stationary units become
// query, the unit's blocks as chunk streams (the final chunk computes and merges), read.
// Block-stationary units sharing a block become: the block staged once, then per query
// query, compute, read. A tile that needs SQ parameters gets them first.
import type { JobStep, TileJob, WorkUnit } from './job.ts';

export interface JobPlannerInput {
  chunksPerBlock(blockId: number): number;
  paramsChunks: number; // 0 when the wire dtype needs no parameters
}

export class JobPlanner {
  private nextJobId = 0;

  constructor(private readonly input: JobPlannerInput) {}

  plan(units: WorkUnit[], needsParams: boolean): TileJob {
    const steps: JobStep[] = [];
    if (needsParams) {
      for (let c = 0; c < this.input.paramsChunks; c++) steps.push({ op: 'params', chunk: c, phase: 'loading' });
    }
    let stagedBlock = -1;
    for (const unit of units) {
      if (unit.kind === 'walk') {
        steps.push({ op: 'query', queryId: unit.queryId, phase: 'loading', pull: true });
        steps.push({ op: 'walk', unit, phase: 'computing' });
        stagedBlock = -1;
      } else if (unit.kind === 'scan') {
        steps.push({ op: 'query', queryId: unit.queryId, phase: 'loading' });
        for (const blockId of unit.blockIds) this.pushChunks(steps, blockId, false);
        stagedBlock = -1;
      } else {
        if (unit.blockId !== stagedBlock) {
          this.pushChunks(steps, unit.blockId, true);
          stagedBlock = unit.blockId;
        }
        steps.push({ op: 'query', queryId: unit.queryId, phase: 'loading' });
        steps.push({ op: 'compute', queryId: unit.queryId, blockId: unit.blockId, phase: 'computing' });
      }
      steps.push({ op: 'read', unitKey: unit.key, phase: 'reporting' });
    }
    return { jobId: this.nextJobId++, units, steps };
  }

  private pushChunks(steps: JobStep[], blockId: number, stageOnly: boolean): void {
    const n = this.input.chunksPerBlock(blockId);
    if (n > 1) steps.push({ op: 'stream', blockId, chunks: n - 1, stageOnly, phase: 'loading' });
    steps.push({ op: 'chunk', blockId, chunk: n - 1, final: true, stageOnly, phase: stageOnly ? 'loading' : 'computing' });
  }
}
