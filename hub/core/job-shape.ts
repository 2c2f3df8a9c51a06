// What the hub core and the tile machine know of work: a unit is a query's piece with a
// key, a job is some units and the phase of each of its steps. Everything else about a
// unit or a step (which data, which messages) belongs to the driver that made it.

/** A unit of work: it yields one partial top-K for one query. */
export interface UnitRef {
  readonly queryId: number;
  readonly key: string;
}

export type StepPhase = 'loading' | 'computing' | 'reporting';

export interface JobShape {
  readonly units: readonly UnitRef[];
  readonly steps: readonly StepShape[];
}

export interface StepShape {
  readonly phase: StepPhase;
  /** The step may follow the one before it below the machine: when the machine sends a step,
   *  the link goes on through the chained steps after it (a run, e.g. a unit's blocks
   *  and read) as it goes on through a stream's chunks, and the machine learns of the steps
   *  done when it next takes an event (hub/machines/tile-machine.ts, "runs"). */
  readonly chained?: boolean;
}

/** Where a failed job resumes: a step of the same job, or a job rebuilt from its pending units. */
export type ResumeAt = { kind: 'step'; step: number; restartBlock: boolean } | { kind: 'rebuild' };
