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
  readonly steps: readonly { readonly phase: StepPhase }[];
}

/** Where a failed job resumes: a step of the same job, or a job rebuilt from its pending units. */
export type ResumeAt = { kind: 'step'; step: number; restartBlock: boolean } | { kind: 'rebuild' };
