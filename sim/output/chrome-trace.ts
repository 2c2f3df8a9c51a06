// The run as a Chrome trace event file (JSON object form), which Perfetto and
// chrome://tracing open. One process, "cogsim (simulated time)"; one track (thread) for
// the hub, one per hub link, one per tile. Timestamps are SIMULATED time in microseconds
// (the format's unit; fractional, 1 cycle = 0.001 us at the 1 GHz tile clock); every
// event also carries its cycle in args. The hashed, canonical trace stays the JSONL one
// (sim/trace.ts); this is a view of the same run for people. Fields: docs/trace.md.
import type { Injection } from '../faults/fault-ledger.ts';
import type { QueryOutcome } from '../../hub/hub.ts';
import { AtomicFile } from './safe-write.ts';
import type { ComputeObservation, HubObservation, LinkObservation, ObservationSink, TileEventKind } from './run-observer.ts';

export const CHROME_PID = 1;
export const TID_HUB = 1;
export const TID_LINK_OUT = 2;
export const TID_LINK_IN = 3;
export const TID_TILE_BASE = 100;

const FLUSH_CHARS = 256 * 1024;

export interface ChromeEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  id?: number | string;
  bp?: string;
  s?: string;
  args?: Record<string, unknown>;
}

export class ChromeTraceWriter implements ObservationSink {
  private readonly file: AtomicFile;
  private pending: string[] = [];
  private pendingChars = 0;
  private first = true;
  private readonly usPerCycle: number;

  constructor(path: string, tiles: number, tileClockHz: number, about: Record<string, unknown>) {
    this.usPerCycle = 1e6 / tileClockHz;
    this.file = new AtomicFile({ flag: '--trace', path });
    this.file.write(`{"displayTimeUnit":"ns","otherData":${JSON.stringify({ timeUnit: 'simulated microseconds', tileClockHz, ...about })},"traceEvents":[\n`);
    this.meta('process_name', TID_HUB, { name: 'cogsim (simulated time)' });
    this.track(TID_HUB, 'hub', 0);
    this.track(TID_LINK_OUT, 'hub link out (hub -> tiles)', 1);
    this.track(TID_LINK_IN, 'hub link in (tiles -> hub)', 2);
    for (let t = 0; t < tiles; t++) this.track(TID_TILE_BASE + t, `tile ${t}`, 3 + t);
  }

  private ts(cycles: number): number {
    return cycles * this.usPerCycle;
  }

  private meta(name: string, tid: number, args: Record<string, unknown>): void {
    this.event({ name, ph: 'M', pid: CHROME_PID, tid, args });
  }

  private track(tid: number, name: string, order: number): void {
    this.meta('thread_name', tid, { name });
    this.meta('thread_sort_index', tid, { sort_index: order });
  }

  event(e: ChromeEvent): void {
    const json = JSON.stringify(e);
    this.pending.push(this.first ? json : `,\n${json}`);
    this.first = false;
    this.pendingChars += json.length + 2;
    if (this.pendingChars >= FLUSH_CHARS) this.flush();
  }

  private slice(tid: number, name: string, cat: string, startCycle: number, cycles: number, args: Record<string, unknown>): void {
    this.event({ name, cat, ph: 'X', pid: CHROME_PID, tid, ts: this.ts(startCycle), dur: this.ts(cycles), args: { startCycle, cycles, ...args } });
  }

  private instant(tid: number, name: string, cat: string, atCycle: number, args: Record<string, unknown>): void {
    this.event({ name, cat, ph: 'i', s: 't', pid: CHROME_PID, tid, ts: this.ts(atCycle), args: { atCycle, ...args } });
  }

  private flowStep(ph: 's' | 'f', id: number, tid: number, atCycle: number): void {
    this.event({ name: 'message', cat: 'message', ph, id, pid: CHROME_PID, tid, ts: this.ts(atCycle), ...(ph === 'f' ? { bp: 'e' } : {}) });
  }

  link(o: LinkObservation): void {
    const tid = o.link === 'out' ? TID_LINK_OUT : TID_LINK_IN;
    const name = o.dropped ? `${o.type} (dropped)` : o.type;
    this.slice(tid, name, 'link', o.startCycle, o.endCycle - o.startCycle, { tile: o.tile, msgId: o.msgId, bytes: o.bytes });
    if (o.dropped) return;
    // A request's flow starts on the out link; a reply's ends on the in link.
    if (o.link === 'out') this.flowStep('s', o.flow, tid, o.startCycle);
    else this.flowStep('f', o.flow, tid, o.startCycle);
  }

  compute(o: ComputeObservation): void {
    const tid = TID_TILE_BASE + o.tile;
    this.slice(tid, o.trap ? `trap: ${o.trap}` : o.type, o.trap ? 'trap' : 'compute', o.startCycle, o.cycles, { msgId: o.msgId, request: o.type });
    if (o.flowIn) this.flowStep('f', o.flowIn, tid, o.startCycle);
    if (o.flowOut) this.flowStep('s', o.flowOut, tid, o.startCycle);
    if (o.trap) this.instant(tid, `trap: ${o.trap}`, 'trap', o.startCycle + o.cycles, { msgId: o.msgId });
  }

  /**
   * Boots and restarts are async slices: a restart is ordered while a hung computation may
   * still be charged to the tile, and thread slices that partly overlap would not load.
   */
  tileEvent(kind: TileEventKind, tile: number, startCycle: number, endCycle: number): void {
    const id = `${kind}-${tile}-${startCycle}`;
    const args = { startCycle, cycles: endCycle - startCycle };
    this.event({ name: kind, cat: 'lifecycle', ph: 'b', id, pid: CHROME_PID, tid: TID_TILE_BASE + tile, ts: this.ts(startCycle), args });
    this.event({ name: kind, cat: 'lifecycle', ph: 'e', id, pid: CHROME_PID, tid: TID_TILE_BASE + tile, ts: this.ts(endCycle), args });
  }

  hubEvent(o: HubObservation): void {
    this.instant(TID_HUB, `${o.what}: tile ${o.tile}`, 'fault', o.atCycle, { tile: o.tile, detail: o.detail });
    if (o.what === 'retired') this.instant(TID_TILE_BASE + o.tile, 'retired', 'fault', o.atCycle, { detail: o.detail });
  }

  trapHeard(tile: number, kind: string, atCycle: number): void {
    this.instant(TID_HUB, `trap heard: tile ${tile}`, 'trap', atCycle, { tile, kind });
  }

  /** Queries as async slices on the hub (they overlap), then injected faults; closes the file. */
  finish(outcomes: Iterable<[number, QueryOutcome]>, injections: readonly Injection[] = []): void {
    for (const [q, o] of outcomes) {
      const args = { query: q, startCycle: o.dispatchedAtCycles, endCycle: o.doneAtCycles };
      this.event({ name: `query ${q}`, cat: 'query', ph: 'b', id: `q${q}`, pid: CHROME_PID, tid: TID_HUB, ts: this.ts(o.dispatchedAtCycles), args });
      this.event({ name: `query ${q}`, cat: 'query', ph: 'e', id: `q${q}`, pid: CHROME_PID, tid: TID_HUB, ts: this.ts(o.doneAtCycles), args });
    }
    for (const f of injections) {
      this.instant(TID_TILE_BASE + f.tile, `fault injected: ${f.kind}`, 'fault', f.atCycles, { direction: f.direction, message: f.message, detectedBy: f.detectedBy, detectedAtCycles: f.detectedAtCycles });
    }
    this.flush();
    this.file.write('\n]}\n');
    this.file.commit();
  }

  abandon(): void {
    this.file.abandon();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.file.write(this.pending.join(''));
    this.pending = [];
    this.pendingChars = 0;
  }
}
