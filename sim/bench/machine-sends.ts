// How many events a run sends to the hub's machines, by machine and event type (the tile
// machine's STEP_OKs first of all: docs/performance.md, "Runs of blocks"). It counts every
// `actor.send` of the run (xstate's Actor is wrapped for it), not the events a machine
// raises for itself.
//
// With --cost it also measures each outermost send in the run itself (a send made inside
// another is the outer one's): the wall microseconds it took, the hub's work its actions call
// included, and the bytes it allocated (the used heap's growth across it; a send during which
// a GC ran is left out of the bytes; docs/performance.md, "xstate's send in the run, round 7").
// The wrapper's own reads cost ~1 us a send, so the run is slower than without it.
//
//   npx tsx sim/bench/machine-sends.ts [--cost] [--queries N] [--tiles N --mesh RxC] [--vectors N]
// Default: the whole default run (npm start's configuration).
import { getHeapStatistics } from 'node:v8';
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
const cost = process.argv.includes('--cost');

interface Tally {
  sends: number;
  /** Outermost sends, their wall microseconds, and those measured for bytes (no GC inside). */
  outer: number;
  us: number;
  measured: number;
  bytes: number;
}

const used = (): number => getHeapStatistics().used_heap_size;
/** What two back-to-back heap reads add by themselves (the first read's result object). */
function readBias(): number {
  let sum = 0;
  for (let i = 0; i < 1_000; i++) {
    const h0 = used();
    sum += used() - h0;
  }
  return sum / 1_000;
}

const tallies = new Map<string, Tally>();
const bias = cost ? readBias() : 0;
let depth = 0;
const send = Actor.prototype.send;
Actor.prototype.send = function (this: Actor<AnyActorLogic>, event: { type: string }) {
  const key = `${(this.logic as { id?: string }).id ?? '?'} ${event.type}`;
  let t = tallies.get(key);
  if (!t) tallies.set(key, (t = { sends: 0, outer: 0, us: 0, measured: 0, bytes: 0 }));
  t.sends++;
  if (!cost || depth > 0) return send.call(this, event as never);
  depth++;
  const h0 = used();
  const t0 = process.hrtime.bigint();
  try {
    return send.call(this, event as never);
  } finally {
    const us = Number(process.hrtime.bigint() - t0) / 1e3;
    const bytes = used() - h0 - bias;
    depth--;
    t.outer++;
    t.us += us;
    if (bytes >= 0) {
      t.measured++;
      t.bytes += bytes;
    }
  }
};
const s = buildSimulation(config);
const { events } = runSimulation(s);
s.trace.close();
Actor.prototype.send = send;
let total = 0;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
for (const [key, t] of [...tallies].sort((a, b) => b[1].sends - a[1].sends)) {
  total += t.sends;
  const each = cost && t.outer > 0 ? `  ${(t.us / t.outer).toFixed(1).padStart(8)} us  ${fmt(t.measured ? t.bytes / t.measured : NaN).padStart(8)} B each` : '';
  console.log(`${key.padEnd(32)} ${t.sends.toLocaleString('en-US').padStart(12)}${each}`);
}
console.log(`${'all sends'.padEnd(32)} ${total.toLocaleString('en-US').padStart(12)}  (${events.toLocaleString('en-US')} events, ${config.queries} queries, ${config.tiles} tiles)`);
