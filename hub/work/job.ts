// A tile's job: the units of work it answers for and the message steps that do them.
// A unit yields one partial top-K for one query; a job's steps are rebuilt from the units
// that have not reported yet whenever the job has to start over (retry or reassignment).
import type { StepPhase } from '../core/job-shape.ts';

export type { StepPhase };

/** Query-stationary: the tile keeps the query and the hub streams the tile's blocks. */
export interface ScanUnit {
  kind: 'scan';
  queryId: number;
  blockIds: number[];
  key: string;
}

/** Block-stationary: the tile keeps a block and queries stream past it. */
export interface ProbeUnit {
  kind: 'probe';
  queryId: number;
  blockId: number;
  key: string;
}

/** Pull mode: the tile walks the graph for one query, asking the hub for what it needs. */
export interface WalkUnit {
  kind: 'walk';
  queryId: number;
  /** Which of the query's walks this is (several tiles may search one query from different entries). */
  walk: number;
  key: string;
}

/** Push-hnsw: one batch (at most 16) of an expansion's unvisited neighbors; the tile computes
 *  their distances (FRESH_TOPK stream, READ_TOPK) for the hub's HNSW search (hub/push-hnsw/). */
export interface HnswBatchUnit {
  kind: 'hnsw-batch';
  queryId: number;
  /** Node ids whose distances the search needs, in the order the expansion met them. */
  ids: number[];
  key: string;
}

export type WorkUnit = ScanUnit | ProbeUnit | WalkUnit | HnswBatchUnit;


export type JobStep =
  | { op: 'params'; chunk: number; phase: 'loading' }
  /** pull: LOAD_QUERY starts a pull-mode walk (flag LQ_F_PULL). k: LOAD_QUERY's k when it is
   *  not the run's (pull: the walk's ef; push-hnsw: 16, a whole batch comes back). */
  | { op: 'query'; queryId: number; phase: 'loading'; pull?: true; k?: number }
  /** A block's chunks (or a push-hnsw batch's, with `batch` and blockId -1), one step: the hub
   *  streams them one after another, each acknowledged before the next (the tile has one I/O
   *  buffer), and the machine sees the step done when the final chunk is; that chunk commits
   *  the block and, unless staging, computes (phase 'computing'). The chunks are flow below
   *  the machine (hub/modes/step-link.ts); a failed chunk is sent again, or the block from its
   *  first chunk when the tile lost it (resume-point.ts). `chained`: a scan unit's block (all follow
   *  its query), which the link streams straight after the step before it within a run the
   *  machine delegated (core/job-shape.ts). `firstTemplate`: a block stream's first chunk
   *  template in its builder's block table (MessageBuilder.blockTable), noted when it is
   *  planned, so the link starts the stream from the step alone (-1 or absent: look it up). */
  | { op: 'stream'; blockId: number; chunks: number; stageOnly: boolean; phase: StepPhase; batch?: HnswBatchUnit; chained?: boolean; firstTemplate?: number }
  | { op: 'compute'; queryId: number; blockId: number; phase: 'computing' }
  /** Pull mode: the tile drives; the walk server (hub/pull/pull-driver.ts) answers its requests until it says DONE. */
  | { op: 'walk'; unit: WalkUnit; phase: 'computing' }
  /** `chained`: a scan unit's read, the last step of the run its query starts. */
  | { op: 'read'; unitKey: string; phase: 'reporting'; chained?: boolean };

/** A stream step (a block's or a batch's chunks). */
export type StreamStep = Extract<JobStep, { op: 'stream' }>;

export interface TileJob {
  jobId: number;
  units: WorkUnit[];
  steps: JobStep[];
}

export function scanUnitKey(queryId: number, tileSlot: number): string {
  return `q${queryId}/s${tileSlot}`;
}

export function walkUnitKey(queryId: number, walk: number): string {
  return `q${queryId}/w${walk}`;
}

/** Push-hnsw: batch b of round r (one expansion) of a query's search. */
export function hnswBatchKey(queryId: number, round: number, batch: number): string {
  return `q${queryId}/h${round}.${batch}`;
}

export function probeUnitKey(queryId: number, blockId: number): string {
  return `q${queryId}/b${blockId}`;
}

/** The query a unit key belongs to (every key starts `q<queryId>/`). */
export function queryOfUnitKey(key: string): number {
  return Number(key.slice(1, key.indexOf('/')));
}
