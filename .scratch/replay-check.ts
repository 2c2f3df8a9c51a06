import { runFaultExperiment } from '../sim/run/fault-run.ts';
import { DEFAULT_RUN } from '../sim/run/run-config.ts';
import { FAULT_KINDS } from '../sim/faults/fault-kinds.ts';
const run = { ...DEFAULT_RUN, tiles: 8, meshRows: 3, meshCols: 3, vectors: 1500, dim: 64, queries: 12, clusters: 16, seed: 11, schedule: (process.env.S ?? 'query') as any };
const a = runFaultExperiment({ run, rate: { numerator: 1, denominator: 10 }, kinds: FAULT_KINDS }, () => 0);
console.log('random', a.faulty?.traceHash, a.injected.length, a.ledger.injections.length, a.ledger.cancelled, a.differing);
const b = runFaultExperiment({ run, rate: { numerator: 1, denominator: 10 }, kinds: FAULT_KINDS, script: JSON.parse(JSON.stringify(a.injected)) }, () => 0);
console.log('replay', b.faulty?.traceHash, b.injected.length, b.ledger.injections.length, JSON.stringify(b.injected) === JSON.stringify(a.injected));
