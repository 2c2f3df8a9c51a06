import { describe, expect, it } from 'vitest';
import { runTask, type RunTask } from '../sim/campaign/run-task.ts';
import { CliError } from '../sim/cli/cli-error.ts';
import { DEFAULT_FAULT_KINDS } from '../sim/faults/fault-kinds.ts';
import { parsePlan } from '../sim/faults/fault-plan.ts';
import { checkFaultRecords, describeFault, type FaultRecord, type MessageFault } from '../sim/faults/fault-record.ts';
import { runExperiment } from '../sim/campaign/run-task.ts';
import { DEFAULT_RUN, type RunConfig } from '../sim/run/run-config.ts';

const tiny: RunConfig = { ...DEFAULT_RUN, tiles: 4, meshRows: 2, meshCols: 2, vectors: 300, dim: 16, queries: 5, clusters: 8, seed: 3 };
const task = (over: Partial<RunTask> = {}): RunTask => ({ index: 0, run: tiny, rate: '0', kinds: [...DEFAULT_FAULT_KINDS], ...over });
const msg = (kind: MessageFault['kind'], tile: number, message: number, direction: MessageFault['direction'] = 'to-tile'): MessageFault => ({ kind, tile, direction, message, atCycles: 0 });

describe('scripted faults: every run records its faults, and the record replays the run exactly', () => {
  it('replays a random 10% run (every kind) to the same trace hash and the same fault list', () => {
    const a = runExperiment(task({ rate: '0.1', run: { ...tiny, seed: 5 } }));
    expect(a.injected.length).toBeGreaterThan(5);
    const kinds = new Set(a.injected.map((f) => f.kind));
    expect(kinds.size).toBeGreaterThanOrEqual(4);
    const script = JSON.parse(JSON.stringify(a.injected)) as FaultRecord[];
    const b = runExperiment(task({ rate: '0.1', run: { ...tiny, seed: 5 }, script }));
    expect(b.faulty!.traceHash).toBe(a.faulty!.traceHash);
    expect(b.injected).toEqual(a.injected);
    // Without the script the same config without faults is another run.
    expect(runExperiment(task({ run: { ...tiny, seed: 5 } })).faulty!.traceHash).not.toBe(a.faulty!.traceHash);
  });

  it('injects exactly the faults it is given, with their parameters', () => {
    const script = [msg('drop', 1, 2), { ...msg('corrupt', 2, 3), bits: [9, 40] }, msg('drop', 0, 1, 'to-hub')];
    const r = runExperiment(task({ script }));
    expect(r.injected.map((f) => [f.kind, f.tile, (f as MessageFault).message, (f as MessageFault).direction])).toEqual([
      ['drop', 0, 1, 'to-hub'],
      ['drop', 1, 2, 'to-tile'],
      ['corrupt', 2, 3, 'to-tile'],
    ].sort((x, y) => r.injected.findIndex((f) => f.kind === x[0] && f.tile === x[1]) - r.injected.findIndex((f) => f.kind === y[0] && f.tile === y[1])));
    expect((r.injected.find((f) => f.kind === 'corrupt') as MessageFault).bits).toEqual([9, 40]);
    expect(r.ledger.undetected()).toEqual([]);
    expect(r.differing).toEqual([]);
    expect(describeFault(script[1]!)).toBe('message #3 the hub sent to tile 2 at 0.000 ms: bits 9, 40 of it flipped on the link');
  });

  it('keeps one restart in flight when a trap follows a hang on the retry (the seed-7 sequence)', () => {
    // A hang on tile 0's message 5; the retry after the reply timeout (message 6) traps, queued
    // behind the hang. Both traps reach the hub; only the first restarts the tile.
    const r = runExperiment(task({ script: [msg('hang', 0, 5), msg('trap', 0, 6)], run: { ...tiny, seed: 1 } }));
    expect(r.injected.map((f) => f.kind)).toEqual(['hang', 'trap']);
    expect(r.faulty!.hub.faultsByKind['budget-exceeded']).toBe(1);
    expect(r.faulty!.hub.faultsByKind['memory-out-of-bounds']).toBe(1);
    expect(r.faulty!.hub.restarts).toBe(1);
    expect(r.lost).toBe(0);
    expect(r.differing).toEqual([]);
  });

  it('checks a fault list read from a file, naming the fault and the field', () => {
    expect(() => checkFaultRecords([msg('drop', 9, 0)], 4, 'x.json')).toThrow(/x.json: fault 0: tile must be in 0..3, got 9/);
    expect(() => checkFaultRecords([{ ...msg('drop', 0, 0), kind: 'melt' }], 4, 'x.json')).toThrow(/unknown kind 'melt'/);
    expect(() => checkFaultRecords([{ ...msg('drop', 0, 0), direction: 'up' }], 4, 'x.json')).toThrow(CliError);
    expect(() => checkFaultRecords({}, 4, 'x.json')).toThrow(/must be a list/);
    expect(() => checkFaultRecords([msg('corrupt', 0, 0)], 4, 'x.json')).toThrow(/corrupt needs "bits"/);
  });
});

describe('fault plans: time-phased faults in simulated time', () => {
  it('drops 90% of the messages to tiles 0-1 in a window, and nothing else, and recovers every answer', () => {
    const plan = { phases: [{ kind: 'drop', tiles: '0-1', fromMs: 0.05, toMs: 2, rate: 0.9 }] };
    const r = runExperiment(task({ plan }));
    expect(r.injected.length).toBeGreaterThan(3);
    for (const f of r.injected as MessageFault[]) {
      expect(f.kind).toBe('drop');
      expect([0, 1]).toContain(f.tile);
      expect(f.direction).toBe('to-tile');
      expect(f.atCycles).toBeGreaterThanOrEqual(50_000);
      expect(f.atCycles).toBeLessThan(2_000_000);
    }
    expect(r.ledger.undetected()).toEqual([]);
    expect(r.lost).toBe(0);
    expect(r.differing).toEqual([]);
  });

  it('slows a tile down for a window (recorded, replayed) and stops a tile at a time', () => {
    const plain = runExperiment(task());
    const plan = { phases: [{ kind: 'slowdown', tiles: [1], fromMs: 0, toMs: 5, factor: 4 }, { kind: 'death', tiles: [2], fromMs: 0.02 }] };
    const r = runExperiment(task({ plan }));
    expect(r.injected[0]).toEqual({ kind: 'slowdown', tile: 1, fromCycles: 0, toCycles: 5_000_000, factor: 4 });
    const deaths = r.injected.filter((f) => f.kind === 'death') as MessageFault[];
    expect(deaths.map((f) => f.tile)).toEqual([2]);
    expect(deaths[0]!.atCycles).toBeGreaterThanOrEqual(20_000);
    expect(r.faulty!.hub.retirements).toBe(1);
    expect(r.faulty!.simulatedSeconds).toBeGreaterThan(plain.faulty!.simulatedSeconds);
    expect(r.differing).toEqual([]);
    const replay = runExperiment(task({ script: r.injected }));
    expect(replay.faulty!.traceHash).toBe(r.faulty!.traceHash);
  });

  it('refuses a bad plan with one line naming the phase and the field', () => {
    const bad = (phase: object) => () => parsePlan({ phases: [phase] }, 4, 'plan.json');
    expect(bad({ kind: 'drop', tiles: '0-7' })).toThrow(/plan.json: phase 0: tiles '0-7' is not a tile or range within 0..3/);
    expect(bad({ kind: 'fire', tiles: [0] })).toThrow(/unknown kind 'fire'/);
    expect(bad({ kind: 'drop', tiles: [0], rate: 1.5 })).toThrow(/rate must be/);
    expect(bad({ kind: 'drop', tiles: [0], fromMs: 3, toMs: 2 })).toThrow(/toMs must be after fromMs/);
    expect(bad({ kind: 'trap', tiles: [0], direction: 'to-hub' })).toThrow(/only drop and corrupt act on replies/);
    expect(() => parsePlan([], 4)).toThrow(/expected \{"phases"/);
  });
});

describe('campaign rows', () => {
  it('keep the faults of a failing run only', () => {
    const ok = runTask(task({ rate: '0.1' }));
    expect(ok.row.failed).toBe(false);
    expect(ok.faults).toBeNull();
    expect(ok.row.injected).toBe(ok.row.detected);
  });
});
