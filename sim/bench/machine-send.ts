// CPU microseconds per `actor.send` of the hub's machines in isolation: the tile machine
// walking jobs shaped like the default run's (LOAD_QUERY, 8 block streams, READ_TOPK, so one
// STEP_OK in ten ends a job and pulls the next) and query machines of 64 and of 4,096 units
// (the bench's 64- and 4,096-tile cases) taking each unit's start and partial. The effects are no-ops, so this is xstate and the machines'
// own actions only (docs/performance.md, "Machine steps"). `tile job` is the CPU of one such
// job's sends in all: with its blocks chained (a run, as the planner makes them), the link
// stand-in completes the run at once and the job takes 3 STEP_OKs instead of 10 (a tree
// without runs ignores the chaining and takes 10; docs/performance.md, "Runs of blocks").
// `as a unit` chains every step after the query (the planner's jobs now: one STEP_OK per job,
// the next job taken at once); `woken` is a job on a tile that finds its queue empty after
// each job: WORK_AVAILABLE, then the job's one STEP_OK (the default run has 2,692 such wakes).
//
//   npx tsx sim/bench/machine-send.ts [--tree DIR] [--vs DIR] [--rounds N]
// --tree runs another checkout's machines (e.g. main's) in this process, for a same-minute
// comparison; --vs adds a second tree, run round by round alternately with the first (the
// same process and minutes, so the JIT and the load treat both alike).
import { resolve } from 'node:path';
import { createActor, SimulatedClock } from 'xstate';
import type { createQueryMachine as CreateQueryMachine } from '../../hub/machines/query-machine.ts';
import type { createTileMachine as CreateTileMachine, TileMachineDeps } from '../../hub/machines/tile-machine.ts';
import type { TileJob } from '../../hub/work/job.ts';

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

interface Machines {
  tree: string;
  createTileMachine: typeof CreateTileMachine;
  createQueryMachine: typeof CreateQueryMachine;
}

async function machinesOf(dir: string): Promise<Machines> {
  const tree = resolve(dir);
  const { createTileMachine } = (await import(`${tree}/hub/machines/tile-machine.ts`)) as { createTileMachine: typeof CreateTileMachine };
  const { createQueryMachine } = (await import(`${tree}/hub/machines/query-machine.ts`)) as { createQueryMachine: typeof CreateQueryMachine };
  return { tree, createTileMachine, createQueryMachine };
}

const rounds = Number(flag('--rounds', '8'));
const trees = [await machinesOf(flag('--tree', '.')), ...(process.argv.includes('--vs') ? [await machinesOf(flag('--vs', '.'))] : [])];

const job: TileJob = {
  jobId: 0,
  units: [{ kind: 'scan', queryId: 0, blockIds: [], key: 'q0/s0' }],
  steps: [
    { op: 'query', queryId: 0, phase: 'loading' },
    ...Array.from({ length: 8 }, (_, b) => ({ op: 'stream' as const, blockId: b, chunks: 16, stageOnly: false, phase: 'computing' as const })),
    { op: 'read', unitKey: 'q0/s0', phase: 'reporting' },
  ],
};

/** The same job with its blocks after the first chained into a run. */
const runJob: TileJob = { ...job, steps: job.steps.map((s, i) => (s.op === 'stream' ? { ...s, chained: i > 1 } : s)) };

/** The same job as the planner makes it now: everything after the unit's query chained (one
 *  run, one STEP_OK per job, the next job taken on the way to idle). */
const unitJob: TileJob = { ...job, steps: job.steps.map((s, i) => (i > 0 ? { ...s, chained: true } : s)) };

/** CPU us per STEP_OK and per job over `jobs` jobs shaped like `shape`. */
function tileUs({ createTileMachine }: Machines, shape: TileJob, jobs: number): { stepOk: number; job: number } {
  const noop = (): void => {};
  // The link stand-in: a delegated run is done at once, so the run's last step is in flight.
  let at = 0;
  let finished = 0;
  const deps: TileMachineDeps = {
    nowCycles: () => 0, takeJob: () => shape, jobReady: () => true, resume: (_t, j, step) => ({ job: j, step }), timedOut: noop, armDeadline: noop, disarmDeadline: noop,
    sendStep: (_t, _j, step, _a, through) => void (at = through ?? step), linkStep: () => at, finishJob: () => void finished++, releaseJob: noop, restartTile: noop, retireTile: noop,
  };
  const input = { tileId: 0, maxFaultsInWindow: 5, faultWindowCycles: 5_000_000, replyTimeoutCycles: 500_000, restartTimeoutCycles: 1_000_000, maxRetriesPerStep: 8 };
  const actor = createActor(createTileMachine(deps), { input, clock: new SimulatedClock() }).start();
  actor.send({ type: 'BOOTED' });
  let sends = 0;
  const t0 = cpuUs();
  while (finished < jobs) {
    actor.send({ type: 'STEP_OK' });
    sends++;
  }
  const us = cpuUs() - t0;
  return { stepOk: us / sends, job: us / jobs };
}

/** CPU us per job of the default run's shape when the tile finds its queue empty after each
 *  job and is woken: WORK_AVAILABLE (idle -> awaiting) and the run's STEP_OK (-> idle). */
function wakeUs({ createTileMachine }: Machines, jobs: number): number {
  const noop = (): void => {};
  let at = 0;
  let queued = 0;
  const deps: TileMachineDeps = {
    nowCycles: () => 0, takeJob: () => (queued > 0 ? (queued--, unitJob) : null), jobReady: () => queued > 0, resume: (_t, j, step) => ({ job: j, step }), timedOut: noop, armDeadline: noop, disarmDeadline: noop,
    sendStep: (_t, _j, step, _a, through) => void (at = through ?? step), linkStep: () => at, finishJob: noop, releaseJob: noop, restartTile: noop, retireTile: noop,
  };
  const input = { tileId: 0, maxFaultsInWindow: 5, faultWindowCycles: 5_000_000, replyTimeoutCycles: 500_000, restartTimeoutCycles: 1_000_000, maxRetriesPerStep: 8 };
  const actor = createActor(createTileMachine(deps), { input, clock: new SimulatedClock() }).start();
  actor.send({ type: 'BOOTED' });
  const t0 = cpuUs();
  for (let j = 0; j < jobs; j++) {
    queued = 1;
    actor.send({ type: 'WORK_AVAILABLE' });
    actor.send({ type: 'STEP_OK' });
  }
  return (cpuUs() - t0) / jobs;
}

/** us per UNIT_STARTED and per PARTIAL over `queries` queries of `units` units each. */
function queryUs({ createQueryMachine }: Machines, queries: number, units: number): { started: number; partial: number } {
  const machine = createQueryMachine({ queryDone: () => {} });
  const keys = Array.from({ length: units }, (_, i) => `q0/s${i}`);
  let started = 0;
  let partial = 0;
  for (let q = 0; q < queries; q++) {
    const actor = createActor(machine, { input: { queryId: q, k: 10, unitKeys: keys, dispatchedAtCycles: 0 }, clock: new SimulatedClock() }).start();
    let t = cpuUs();
    for (let i = 0; i < keys.length; i++) actor.send({ type: 'UNIT_STARTED' });
    started += cpuUs() - t;
    t = cpuUs();
    for (let i = 0; i < keys.length; i++) actor.send({ type: 'PARTIAL', unitKey: keys[i]!, candidates: [{ id: i, dist: i }], nowCycles: 0 });
    partial += cpuUs() - t;
  }
  const sends = queries * keys.length;
  return { started: started / sends, partial: partial / sends };
}

// The least of several rounds: on a shared machine the other rounds measure the neighbours too.
type Figures = { stepOk: number; job: number; runJob: number; unitJob: number; wake: number; started: number; partial: number; partial4096: number; partials: number };
const line = (b: Figures): string =>
  `tile STEP_OK ${b.stepOk.toFixed(2)}, job ${b.job.toFixed(1)} per block, ${b.runJob.toFixed(1)} as a run, ${b.unitJob.toFixed(1)} as a unit, ${b.wake.toFixed(1)} woken  query UNIT_STARTED ${b.started.toFixed(2)}  PARTIAL ${b.partial.toFixed(2)} (64 units), ${b.partial4096.toFixed(2)} (4,096 units)  PARTIALS ${b.partials.toFixed(1)} (64 partials of 10)`;
const best: Figures[] = trees.map(() => ({ stepOk: Infinity, job: Infinity, runJob: Infinity, unitJob: Infinity, wake: Infinity, started: Infinity, partial: Infinity, partial4096: Infinity, partials: Infinity }));
/** us per PARTIALS of the default run's shape: one query of 64 units whose partials (10
 *  candidates each, k 10) all arrive held, taken in as one event (query-book.ts). The merge of
 *  each partial into the query's best list runs inside it (the machine's own action). */
function partialsUs({ createQueryMachine }: Machines, queries: number): number {
  const machine = createQueryMachine({ queryDone: () => {} });
  const keys = Array.from({ length: 64 }, (_, i) => `q0/s${i}`);
  // Distances rounded to f32 as a tile reports them, some tied, ids across units distinct.
  const partials = keys.map((unitKey, u) => ({ unitKey, nowCycles: u, candidates: Array.from({ length: 10 }, (_, i) => ({ id: u * 10 + i, dist: Math.fround(((u * 7 + i * 13) % 97) / 8) })) }));
  let us = 0;
  for (let q = 0; q < queries; q++) {
    const actor = createActor(machine, { input: { queryId: q, k: 10, unitKeys: keys, dispatchedAtCycles: 0 }, clock: new SimulatedClock() }).start();
    const t = cpuUs();
    actor.send({ type: 'PARTIALS', partials });
    us += cpuUs() - t;
  }
  return us / queries;
}

console.log('CPU us per send, no-op effects');
for (let r = 0; r < rounds; r++) {
  trees.forEach((m, t) => {
    const q = queryUs(m, 1_000, 64);
    const perBlock = tileUs(m, job, 10_000);
    const round: Figures = { stepOk: perBlock.stepOk, job: perBlock.job, runJob: tileUs(m, runJob, 10_000).job, unitJob: tileUs(m, unitJob, 10_000).job, wake: wakeUs(m, 10_000), started: q.started, partial: q.partial, partial4096: queryUs(m, 16, 4_096).partial, partials: partialsUs(m, 1_000) };
    console.log(`  round ${r + 1}, ${m.tree}: ${line(round)}`);
    for (const k of Object.keys(round) as (keyof Figures)[]) best[t]![k] = Math.min(best[t]![k], round[k]);
  });
}
trees.forEach((m, t) => console.log(`  least, ${m.tree}: ${line(best[t]!)}`));
