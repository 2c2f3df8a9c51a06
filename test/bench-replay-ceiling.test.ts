// The throughput bench times a run that records nothing and replays the deliveries of a
// second, recorded run of the same configuration: that second run must be checked to be
// the timed one before its deliveries stand for the timed run's.
import { describe, expect, it } from 'vitest';
import { summarize } from '../sim/run/report.ts';
import { buildSimulation, runSimulation } from '../sim/run/simulation.ts';
import { replayDeliveries } from '../sim/bench/replay-ceiling.ts';
import { caseConfig, measureSimThroughput, median, recordRun, type ThroughputCase } from '../sim/bench/sim-throughput.ts';

const SMALL: ThroughputCase = { name: 'small', tiles: 4, meshRows: 2, meshCols: 2, queries: 3, blocksPerTile: 1 };

function plainRun(seed: number) {
  const s = buildSimulation(caseConfig(SMALL, seed));
  const { events } = runSimulation(s);
  const summary = summarize(s, events, 1);
  return { events, traceHash: s.trace.close(), toTiles: summary.messagesToTiles, toHub: summary.messagesToHub };
}

describe('the throughput bench: timed run and replayed run', () => {
  it('replays every delivery of the recorded run once the recorded run is shown to be the timed one', () => {
    const run = plainRun(5);
    const recorded = recordRun(caseConfig(SMALL, 5), run.traceHash, run.events);
    const replay = replayDeliveries(recorded.nodes, recorded.log);
    expect(replay.messages).toBe(run.toTiles);
    expect(replay.messages).toBeGreaterThan(0);
  });

  it('refuses to replay a recorded run whose trace or events differ from the timed run', () => {
    const run = plainRun(5);
    const other = plainRun(6);
    expect(other.traceHash).not.toBe(run.traceHash);
    expect(() => recordRun(caseConfig(SMALL, 6), run.traceHash, run.events)).toThrow(
      new RegExp(`recorded run is not the timed run: trace ${other.traceHash} with ${other.events} events, timed ${run.traceHash}`),
    );
    expect(() => recordRun(caseConfig(SMALL, 5), run.traceHash, run.events + 1)).toThrow(/not the timed run/);
  });

  it('reports the timed run: its trace hash and messages are a plain run\'s', () => {
    const run = plainRun(7);
    const r = measureSimThroughput(SMALL, 7);
    expect(r.traceHash).toBe(run.traceHash);
    expect(r.events).toBe(run.events);
    expect(r.messages).toBe(run.toTiles + run.toHub);
    expect(r.replayMessagesPerSecond).toBe(r.messages / r.replaySeconds);
  });

  it('times the simulator as it times the replay: the median of alternating runs, the first run kept beside it', () => {
    const three = measureSimThroughput(SMALL, 7);
    expect(three.timedRuns).toBe(3);
    expect(three.ceilingRatio).toBe(three.replaySeconds / three.runSeconds);
    expect(three.firstCeilingRatioCpu).toBe(three.replayCpuSeconds / three.firstRunCpuSeconds);
    const one = measureSimThroughput(SMALL, 7, {}, 1);
    expect(one.timedRuns).toBe(1);
    expect([one.runSeconds, one.runCpuSeconds]).toEqual([one.firstRunSeconds, one.firstRunCpuSeconds]);
    expect(() => measureSimThroughput(SMALL, 7, {}, 0)).toThrow(/--runs: a whole number of timed runs, at least 1; got 0/);
  });

  it('takes the median of each side: the middle one, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([9, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5])).toBe(5);
  });
});
