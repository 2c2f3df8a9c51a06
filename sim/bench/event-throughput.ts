// Measures simulator throughput (events per wall-clock second) on a synthetic workload:
// `tiles` independent event chains, each event scheduling its successor a random small
// delay later, so the queue holds `tiles` events throughout (a realistic heap depth).
// Wall time is read only through sim/wallclock.ts, at this reporting edge.

import { Prng } from '../../hub/prng.ts';
import { Simulator } from '../simulator.ts';
import { TraceRecorder } from '../trace.ts';
import { startStopwatch, eventsPerWallSecond } from '../wallclock.ts';

export interface ThroughputResult {
  events: number;
  wallMs: number;
  eventsPerSecond: number;
}

type ChainEvents = { step: number };

export function measureEventThroughput(events: number, tiles = 256, traced = false): ThroughputResult {
  const prng = new Prng(1).derive('bench');
  const trace = traced ? new TraceRecorder() : undefined;
  const sim = new Simulator<ChainEvents>({
    ...(trace ? { trace } : {}),
    handlers: { step: (tile, s) => s.scheduleAfter(prng.nextInt(1, 64), 'step', tile) },
  });
  for (let tile = 0; tile < tiles; tile++) sim.scheduleAt(tile, 'step', tile);
  const stopwatch = startStopwatch();
  const result = sim.run({ maxEvents: events });
  const wallMs = stopwatch.elapsedMs();
  trace?.close();
  return { events: result.eventsProcessed, wallMs, eventsPerSecond: eventsPerWallSecond(result.eventsProcessed, wallMs) };
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  for (const traced of [false, true]) {
    const r = measureEventThroughput(2_000_000, 256, traced);
    console.log(`${traced ? 'traced  ' : 'untraced'} ${r.events} events in ${r.wallMs.toFixed(0)} ms: ${Math.round(r.eventsPerSecond).toLocaleString('en-US')} events/s`);
  }
}
