// The hub's service hooks a kernel upgrade is built on: a withdrawn tile hands its queued
// work on, finishes its job, takes no other and counts as drained; returned, it works again.
// No query is lost and the answers are those of a run where no tile left service.
import { describe, expect, it } from 'vitest';
import { answers } from '../sim/run/report.ts';
import { buildSimulation, runSimulation } from '../sim/run/simulation.ts';
import { pushConfig } from './helpers/push-run.ts';

const CONFIG = pushConfig({ tiles: 4, meshRows: 2, meshCols: 2, vectors: 900, queries: 16, concurrency: 4 });

describe('taking a tile out of service', () => {
  const baseline = buildSimulation(CONFIG);
  runSimulation(baseline);
  const baselineIds = answers(baseline).ids;

  it('drains it, keeps work off it until it is returned, and loses no query', () => {
    const s = buildSimulation(CONFIG);
    s.transport.bootAll();
    s.hub.submit(Array.from({ length: CONFIG.queries }, (_, i) => i));
    s.sim.run({ maxEvents: 300 });
    expect(s.hub.allDone).toBe(false);
    s.hub.withdrawTile(1);
    while (!s.hub.tileDrained(1)) expect(s.sim.run({ maxEvents: 1 }).eventsProcessed).toBe(1);
    const handled = s.nodes[1]!.messagesHandled;
    const answered = s.hub.outcomes.size;
    while (s.hub.outcomes.size < answered + 2) expect(s.sim.run({ maxEvents: 50 }).stopReason).toBe('max-events');
    expect(s.hub.allDone).toBe(false); // queries went on without it...
    expect(s.nodes[1]!.messagesHandled).toBe(handled); // ...and it took nothing
    expect(s.hub.tileDrained(1)).toBe(true);
    s.hub.returnTile(1);
    expect(s.hub.tileDrained(1)).toBe(false);
    s.sim.run({});
    expect(s.hub.allDone).toBe(true);
    expect(answers(s).ids).toEqual(baselineIds);
    expect(s.nodes[1]!.messagesHandled).toBeGreaterThan(handled); // back at work
  });

  it('a tile in service is never drained', () => {
    const s = buildSimulation(CONFIG);
    expect(s.hub.tileDrained(0)).toBe(false);
  });
});
