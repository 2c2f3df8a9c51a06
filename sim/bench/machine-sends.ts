// How many events a run sends to the hub's machines, by machine and event type (the tile
// machine's STEP_OKs first of all: docs/performance.md, "Runs of blocks"). It counts every
// `actor.send` of the run (xstate's Actor is wrapped for it), not the events a machine
// raises for itself.
//
//   npx tsx sim/bench/machine-sends.ts [--queries N] [--tiles N --mesh RxC] [--vectors N]
// Default: the whole default run (npm start's configuration).
import { Actor, type AnyActorLogic } from 'xstate';
import { DEFAULT_RUN, checkRunConfig } from '../run/run-config.ts';
import { buildSimulation, runSimulation } from '../run/simulation.ts';

function flag(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
}

const mesh = process.argv.indexOf('--mesh');
const [rows, cols] = mesh >= 0 ? process.argv[mesh + 1]!.split('x').map(Number) : [DEFAULT_RUN.meshRows, DEFAULT_RUN.meshCols];
const config = checkRunConfig({
  ...DEFAULT_RUN,
  queries: flag('--queries') ?? DEFAULT_RUN.queries,
  tiles: flag('--tiles') ?? DEFAULT_RUN.tiles,
  vectors: flag('--vectors') ?? DEFAULT_RUN.vectors,
  meshRows: rows!,
  meshCols: cols!,
});

const counts = new Map<string, number>();
const send = Actor.prototype.send;
Actor.prototype.send = function (this: Actor<AnyActorLogic>, event: { type: string }) {
  const key = `${(this.logic as { id?: string }).id ?? '?'} ${event.type}`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
  return send.call(this, event as never);
};
const s = buildSimulation(config);
const { events } = runSimulation(s);
s.trace.close();
Actor.prototype.send = send;
let total = 0;
for (const [key, n] of [...counts].sort((a, b) => b[1] - a[1])) {
  total += n;
  console.log(`${key.padEnd(32)} ${n.toLocaleString('en-US').padStart(12)}`);
}
console.log(`${'all sends'.padEnd(32)} ${total.toLocaleString('en-US').padStart(12)}  (${events.toLocaleString('en-US')} events, ${config.queries} queries, ${config.tiles} tiles)`);
