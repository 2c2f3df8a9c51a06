// Where a job picks up after a failed step. Most failures leave the tile's state as it was
// (the tile refused the message, or only its answer was lost), so the step is sent again:
// every step is idempotent on the tile (a repeated chunk is acknowledged, a repeated merge
// keeps one copy of each id); a block's stream resumes at the chunk that failed (the step
// link remembers it). A block whose bytes in scratch are wrong (CRC mismatch) or whose
// staging the tile lost must be streamed again from its first chunk (the same step); a block-
// stationary compute or a pull walk starts its remaining units over (a walk whose sealed
// message or answer was only lost in transit re-sends that message instead).
import { ERR_BAD_MSG_CRC, ERR_BAD_MSG_LENGTH, ERR_BAD_OFFSET, ERR_CRC_MISMATCH, ERR_NO_BLOCK, ERR_NO_PARAMS, ERR_NO_QUERY } from '../../wat/status.ts';
import type { ResumeAt } from '../core/job-shape.ts';
import type { JobStep, TileJob } from './job.ts';
import type { TileFault } from './tile-fault.ts';

export type { ResumeAt };

const STATE_LOST = new Set([ERR_BAD_OFFSET, ERR_CRC_MISMATCH, ERR_NO_BLOCK, ERR_NO_PARAMS, ERR_NO_QUERY]);

/** Faults where only the message was lost or garbled in transit; the tile's state stands. */
function lostInTransit(fault: TileFault): boolean {
  return fault.kind === 'timeout' || fault.kind === 'corrupt-reply' || (fault.kind === 'error-reply' && (fault.code === ERR_BAD_MSG_CRC || fault.code === ERR_BAD_MSG_LENGTH));
}

/**
 * `replayable`: the tile answers a re-sent sealed request from its kept reply (integrity
 * mode, wat/95-integrity.wat), so a pull walk can re-send its last message instead of
 * starting over.
 */
export function resumePoint(job: TileJob, step: number, fault: TileFault, replayable = false): ResumeAt {
  const s: JobStep | undefined = job.steps[step];
  const stateLost = fault.kind === 'error-reply' && fault.code !== undefined && STATE_LOST.has(fault.code);
  if (s?.op === 'walk' && replayable && lostInTransit(fault)) return { kind: 'step', step, restartBlock: false };
  if (!s || s.op === 'walk') return { kind: 'rebuild' };
  if (!stateLost) return { kind: 'step', step, restartBlock: false };
  if (s.op === 'compute' || s.op === 'read' || s.op === 'query') return { kind: 'rebuild' };
  if (s.op === 'params') return { kind: 'step', step: job.steps.findIndex((x) => x.op === 'params'), restartBlock: true };
  return { kind: 'step', step, restartBlock: true };
}
