import { runExperiment } from '../sim/campaign/run-task.ts';
import { FAULT_KINDS } from '../sim/faults/fault-kinds.ts';
import { DEFAULT_RUN } from '../sim/run/run-config.ts';
const tiny = { ...DEFAULT_RUN, tiles: 4, meshRows: 2, meshCols: 2, vectors: 300, dim: 16, queries: 5, clusters: 8, seed: 3 };
for (const plan of [{ phases: [{ kind: 'death', tiles: [3], fromMs: 0.02 }] }, { phases: [{ kind: 'death', tiles: [3] }] }, { phases: [{ kind: 'trap', tiles: [3], rate: 0.5 }] }]) {
  const r = runExperiment({ index: 0, run: tiny, rate: '0', kinds: [...FAULT_KINDS], plan });
  console.log(JSON.stringify(r.injected), r.faulty?.hub.retirements);
}
