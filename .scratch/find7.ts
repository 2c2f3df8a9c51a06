import { runTask } from '../sim/campaign/run-task.ts';
import { DEFAULT_RUN } from '../sim/run/run-config.ts';
const base = { ...DEFAULT_RUN, tiles: 4, meshRows: 2, meshCols: 2, vectors: Number(process.env.V ?? 2000), dim: Number(process.env.D ?? 128), queries: 4, clusters: 8, seed: 1 };
for (let m = 2; m < Number(process.env.M ?? 80); m++) {
  const script = [
    { kind: 'hang', tile: 0, direction: 'to-tile', message: m, atCycles: 0 },
    { kind: 'trap', tile: 0, direction: 'to-tile', message: m + 1, atCycles: 0 },
  ] as any;
  const r = runTask({ index: 0, run: base, rate: '0', kinds: ['trap'], script });
  if (r.row.restarts !== 1 || r.row.failed) console.log(m, r.row.restarts, r.row.failed, r.outcome.differing, r.outcome.lost, r.outcome.undetected);
}
console.log('done');
