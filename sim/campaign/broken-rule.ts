// TEST ONLY: breaks one recovery rule of a hub on purpose, so a test can check that a
// campaign finds the resulting failure, saves it, replays it and shrinks it. No CLI flag
// reaches this; the CLI refuses capsules that ask for it (sim/campaign/capsule.ts).
import type { Hub } from '../../hub/hub.ts';
import type { JobShape } from '../../hub/core/job-shape.ts';
import type { TileFault } from '../../hub/work/tile-fault.ts';

/** `timeout-skips-chunk`: after a reply timeout on a block's chunk the job moves on to the step
 *  after the block as if the tile had merged it (the correct rule re-sends the chunk), so a
 *  dropped chunk loses a block. */
export const BROKEN_RULES = ['timeout-skips-chunk'] as const;
export type BrokenRule = (typeof BROKEN_RULES)[number];

type Resume = (tile: number, job: JobShape, step: number, fault: TileFault) => { job: JobShape; step: number } | null;

export function breakRecoveryRule(hub: Hub, rule: BrokenRule): void {
  if (rule !== 'timeout-skips-chunk') throw new Error(`unknown broken rule ${String(rule)}`);
  // The tile machines call hub.resume through the instance, so an own property overrides it.
  const h = hub as unknown as { resume: Resume };
  const resume = h.resume.bind(hub);
  h.resume = (tile, job, step, fault) =>
    fault.kind === 'timeout' && (job.steps[step] as { op?: string } | undefined)?.op === 'stream' ? { job, step: step + 1 } : resume(tile, job, step, fault);
}
