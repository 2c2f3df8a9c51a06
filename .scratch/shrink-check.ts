import { runTask } from '../sim/campaign/run-task.ts';
import { capsuleOf, replayCapsule } from '../sim/campaign/capsule.ts';
import { shrinkCapsule } from '../sim/campaign/shrink.ts';
import { describeFault } from '../sim/faults/fault-record.ts';
import { DEFAULT_RUN } from '../sim/run/run-config.ts';
const t0 = Date.now();
for (let seed = 1; seed <= 6; seed++) {
  const task = { index: 0, run: { ...DEFAULT_RUN, tiles: 4, meshRows: 2, meshCols: 2, vectors: 300, dim: 16, queries: 5, clusters: 8, seed }, rate: '0.1', kinds: ['trap', 'hang', 'corrupt', 'drop', 'slow', 'death', 'bitflip'] as any, brokenRule: 'timeout-skips-chunk' as const };
  const r = runTask(task);
  console.log(seed, JSON.stringify(r.row), Date.now() - t0);
  if (r.row.failed) {
    const c = capsuleOf(task, r.faults!, r.outcome);
    const rep = replayCapsule(c);
    console.log('replay same hash', rep.sameHash, rep.failed);
    const s = shrinkCapsule(c, console.log);
    console.log('runs', s.runs, s.capsule.faults.map(describeFault), s.capsule.outcome, Date.now() - t0);
    console.log('replay shrunk', replayCapsule(s.capsule).sameHash);
    break;
  }
}
