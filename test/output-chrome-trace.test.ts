// The Chrome trace (--trace-format chrome) against docs/trace.md: every event is a row of
// the documented table with exactly its args, tracks are named, slices nest, flows pair
// up, and the file's counts agree with the run (messages, bytes, busy cycles).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChromeEvent } from '../sim/output/chrome-trace.ts';
import { TID_HUB, TID_LINK_IN, TID_LINK_OUT, TID_TILE_BASE } from '../sim/output/chrome-trace.ts';
import { buildSimulation, runSimulation } from '../sim/run/simulation.ts';
import { observedFaultRun, observedRun, SMALL } from './helpers/observed-run.ts';
import { tempDirs } from './helpers/temp-dir.ts';

const dir = tempDirs('cogsim-chrome-')();

interface DocRow {
  cat: string;
  phs: string[];
  argSets: string[][];
}

/** The event table of docs/trace.md, between its markers. */
function documentedEvents(): DocRow[] {
  const doc = readFileSync(new URL('../docs/trace.md', import.meta.url), 'utf8');
  const table = doc.split('<!-- chrome-trace-events: begin -->')[1]!.split('<!-- chrome-trace-events: end -->')[0]!;
  return table
    .trim()
    .split('\n')
    .slice(2)
    .map((line) => line.split('|').map((c) => c.trim()))
    .map((c) => ({ cat: c[1]!, phs: c[2]!.split(',').map((p) => p.trim()), argSets: c[5]!.split('/').map((set) => set.split(',').map((a) => a.trim()).filter(Boolean).sort()) }));
}

function load(path: string): { events: ChromeEvent[]; top: Record<string, unknown> } {
  const top = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> & { traceEvents: ChromeEvent[] };
  return { events: top.traceEvents, top };
}

function checkAgainstDocs(events: ChromeEvent[]): Set<string> {
  const rows = documentedEvents();
  expect(rows.length).toBeGreaterThanOrEqual(8);
  const seen = new Set<string>();
  for (const e of events) {
    expect(typeof e.name).toBe('string');
    expect(e.pid).toBe(1);
    expect(Number.isInteger(e.tid)).toBe(true);
    if (e.ph === 'M') continue;
    const row = rows.find((r) => r.cat === e.cat && r.phs.includes(e.ph));
    expect(row, `undocumented event ${JSON.stringify(e)}`).toBeDefined();
    const keys = Object.keys(e.args ?? {}).sort();
    expect(row!.argSets.some((set) => set.join() === keys.join()), `args of ${JSON.stringify(e)}`).toBe(true);
    expect(e.ts).toBeGreaterThanOrEqual(0);
    if (e.ph === 'X') expect(e.dur).toBeGreaterThanOrEqual(0);
    seen.add(`${e.cat}|${e.ph}`);
  }
  return seen;
}

/** Perfetto's JSON importer needs slices on one track to nest: none may partly overlap another. */
function checkNesting(events: ChromeEvent[]): void {
  const byTid = new Map<number, { a: number; b: number; name: string }[]>();
  for (const e of events) {
    if (e.ph !== 'X') continue;
    const c = e.args as { startCycle: number; cycles: number };
    byTid.set(e.tid, [...(byTid.get(e.tid) ?? []), { a: c.startCycle, b: c.startCycle + c.cycles, name: e.name }]);
  }
  for (const [tid, slices] of byTid) {
    slices.sort((x, y) => x.a - y.a || y.b - x.b);
    const open: { a: number; b: number }[] = [];
    for (const s of slices) {
      while (open.length && open[open.length - 1]!.b <= s.a) open.pop();
      const parent = open[open.length - 1];
      expect(!parent || s.b <= parent.b, `track ${tid}: ${s.name} [${s.a}, ${s.b}] partly overlaps [${parent?.a}, ${parent?.b}]`).toBe(true);
      open.push(s);
    }
  }
}

function checkFlows(events: ChromeEvent[], everyStartEnds: boolean): number {
  const starts = new Map<unknown, number>();
  const ends = new Map<unknown, number>();
  for (const e of events) {
    if (e.ph === 's') starts.set(e.id, (starts.get(e.id) ?? 0) + 1);
    if (e.ph === 'f') {
      expect(e.bp).toBe('e');
      ends.set(e.id, (ends.get(e.id) ?? 0) + 1);
    }
  }
  for (const n of [...starts.values(), ...ends.values()]) expect(n).toBe(1);
  for (const id of ends.keys()) expect(starts.has(id)).toBe(true);
  if (everyStartEnds) expect(ends.size).toBe(starts.size);
  return starts.size;
}

describe('cogsim run --trace FILE --trace-format chrome', () => {
  const path = join(dir, 'run.json');
  const { s, summary } = observedRun(dir, { trace: path, traceFormat: 'chrome' });
  const { events, top } = load(path);

  it('is the JSON object form with simulated microseconds and named tracks for the hub, its links and every tile', () => {
    expect(top.displayTimeUnit).toBe('ns');
    expect((top.otherData as { timeUnit: string }).timeUnit).toBe('simulated microseconds');
    const names = new Map(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, (e.args as { name: string }).name]));
    expect(names.get(TID_HUB)).toBe('hub');
    expect(names.get(TID_LINK_OUT)).toMatch(/^hub link out/);
    expect(names.get(TID_LINK_IN)).toMatch(/^hub link in/);
    for (let t = 0; t < SMALL.tiles; t++) expect(names.get(TID_TILE_BASE + t)).toBe(`tile ${t}`);
    expect(names.size).toBe(3 + SMALL.tiles);
  });

  it('holds every event to the table in docs/trace.md', () => {
    const seen = checkAgainstDocs(events);
    for (const kind of ['link|X', 'message|s', 'message|f', 'compute|X', 'lifecycle|b', 'query|b', 'query|e']) expect(seen).toContain(kind);
  });

  it('has one link slice per message, with the summary\'s messages and bytes each way', () => {
    const out = events.filter((e) => e.ph === 'X' && e.tid === TID_LINK_OUT);
    const inn = events.filter((e) => e.ph === 'X' && e.tid === TID_LINK_IN);
    expect(out.length).toBe(summary.messagesToTiles);
    expect(inn.length).toBe(summary.messagesToHub);
    expect(out.reduce((a, e) => a + (e.args as { bytes: number }).bytes, 0)).toBe(summary.bytesToTiles);
    expect(inn.reduce((a, e) => a + (e.args as { bytes: number }).bytes, 0)).toBe(summary.bytesToHub);
    const busy = s.mesh.hubLinkBusyCycles();
    expect(out.reduce((a, e) => a + (e.args as { cycles: number }).cycles, 0)).toBe(busy.egress);
    expect(inn.reduce((a, e) => a + (e.args as { cycles: number }).cycles, 0)).toBe(busy.ingress);
  });

  it('charges each tile\'s computations exactly its busy cycles, at timestamps in simulated microseconds', () => {
    for (const node of s.nodes) {
      const mine = events.filter((e) => e.ph === 'X' && e.tid === TID_TILE_BASE + node.tileId && e.cat === 'compute');
      expect(mine.reduce((a, e) => a + (e.args as { cycles: number }).cycles, 0)).toBe(node.busyCycles);
      for (const e of mine) expect(e.ts).toBeCloseTo((e.args as { startCycle: number }).startCycle / 1000, 9);
    }
  });

  it('nests slices on every track and pairs every message flow, one per request and one per reply', () => {
    checkNesting(events);
    expect(checkFlows(events, true)).toBe(summary.messagesToTiles + summary.messagesToHub);
    expect(events.filter((e) => e.ph === 'b' && e.cat === 'query').length).toBe(summary.queries);
  });

  it('leaves the hashed JSONL trace as it was: the same hash as the run without outputs', () => {
    const plain = buildSimulation(SMALL, { cacheDir: join(dir, 'cache') });
    runSimulation(plain);
    expect(plain.trace.close()).toBe(summary.traceHash);
  });
});

describe('cogsim faults --trace FILE --trace-format chrome', () => {
  const path = join(dir, 'faults.json');
  const { result, summary } = observedFaultRun(dir, { trace: path, traceFormat: 'chrome' });
  const { events } = load(path);

  it('marks every injected fault on its tile, and restarts, traps and detections, all as documented', () => {
    const seen = checkAgainstDocs(events);
    const injected = events.filter((e) => e.name.startsWith('fault injected: '));
    expect(injected.length).toBe(result.ledger.injections.length);
    expect(injected.length).toBeGreaterThan(0);
    for (const e of injected) expect(e.tid).toBeGreaterThanOrEqual(TID_TILE_BASE);
    // Restarts that happened, counted independently in the hashed trace of the same run
    // (the summary counts the hub's restart orders, and a dead tile never restarts).
    const jsonl = join(dir, 'faults.jsonl');
    observedFaultRun(dir, { trace: jsonl });
    const restarted = readFileSync(jsonl, 'utf8').split('\n').filter((l) => l.startsWith('{"kind":"restarted"')).length;
    expect(restarted).toBeGreaterThan(0);
    expect(events.filter((e) => e.name === 'restart' && e.ph === 'b').length).toBe(restarted);
    expect(restarted).toBeLessThanOrEqual(summary.hub.restarts);
    expect(seen).toContain('fault|i');
    expect(seen).toContain('trap|X');
  });

  it('still nests slices per track and pairs flows (dropped messages start none)', () => {
    checkNesting(events);
    checkFlows(events, false);
  });
});
