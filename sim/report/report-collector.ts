// The figures of the HTML report, gathered while the run goes (through the run observer)
// and finished from the run's summary, so every number the report shows is either the
// summary's own or counted from what the simulation did.
import type { Injection } from '../faults/fault-ledger.ts';
import type { RunSummary } from '../run/report.ts';
import type { Simulation } from '../run/simulation.ts';
import type { ComputeObservation, HubObservation, LinkObservation, ObservationSink, TileEventKind } from '../output/run-observer.ts';

export interface TileFigures {
  tile: number;
  row: number;
  col: number;
  busyCycles: number;
  /** busyCycles over the run's makespan: the summary's tile utilization, per tile. */
  busyFraction: number;
  traps: number;
  restarts: number;
  faultsInjected: number;
  retired: boolean;
  dead: boolean;
}

export interface HubLinkFigures {
  name: string;
  messages: number;
  bytes: number;
  busyCycles: number;
  /** busyCycles over the makespan. */
  load: number;
}

/**
 * Work by category. Today the categories are the request types the tiles were charged
 * cycles for; the kernel's work counters (tileWork: distances, CRC bytes, ...) fit the
 * same shape when the summary carries them.
 */
export interface WorkBreakdown {
  source: string;
  categories: { name: string; cycles: number }[];
}

export interface TimelineEntry {
  atCycle: number;
  what: 'fault injected' | 'fault detected' | 'trap' | 'restart' | 'retired' | 'abandoned';
  tile: number;
  detail: string;
}

export interface ReportFigures {
  summary: RunSummary;
  config: Record<string, unknown>;
  makespanCycles: number;
  tileClockHz: number;
  mesh: { rows: number; cols: number; hubRow: number; hubCol: number };
  tiles: TileFigures[];
  hubLinks: HubLinkFigures[];
  /** Per-query latency in simulated microseconds, query order. */
  latenciesUs: number[];
  /** Replies the tiles sent, by type (the summary's sentByType is the hub's side). */
  repliesByType: Record<string, { messages: number; bytes: number }>;
  work: WorkBreakdown;
  timeline: TimelineEntry[];
}

export class ReportCollector implements ObservationSink {
  private readonly cyclesByType = new Map<string, number>();
  private readonly replies = new Map<string, { messages: number; bytes: number }>();
  private readonly traps: number[];
  private readonly restarts: number[];
  private readonly retired = new Set<number>();
  private readonly timeline: TimelineEntry[] = [];
  private readonly links = { out: { messages: 0, bytes: 0 }, in: { messages: 0, bytes: 0 } };

  constructor(private readonly s: Simulation) {
    this.traps = new Array<number>(s.config.tiles).fill(0);
    this.restarts = new Array<number>(s.config.tiles).fill(0);
  }

  link(o: LinkObservation): void {
    const l = this.links[o.link];
    l.messages++;
    l.bytes += o.bytes;
    if (o.link === 'in') {
      const r = this.replies.get(o.type) ?? { messages: 0, bytes: 0 };
      r.messages++;
      r.bytes += o.bytes;
      this.replies.set(o.type, r);
    }
  }

  compute(o: ComputeObservation): void {
    this.cyclesByType.set(o.type, (this.cyclesByType.get(o.type) ?? 0) + o.cycles);
    if (o.trap) {
      this.traps[o.tile]!++;
      this.timeline.push({ atCycle: o.startCycle + o.cycles, what: 'trap', tile: o.tile, detail: o.trap });
    }
  }

  tileEvent(kind: TileEventKind, tile: number, _start: number, endCycle: number): void {
    if (kind !== 'restart') return;
    this.restarts[tile]!++;
    this.timeline.push({ atCycle: endCycle, what: 'restart', tile, detail: 'kernel re-instantiated' });
  }

  hubEvent(o: HubObservation): void {
    if (o.what === 'retired') this.retired.add(o.tile);
    this.timeline.push({ atCycle: o.atCycle, what: o.what === 'fault-detected' ? 'fault detected' : o.what, tile: o.tile, detail: o.detail });
  }

  figures(summary: RunSummary, injections: readonly Injection[]): ReportFigures {
    const { s } = this;
    const outcomes = [...s.hub.outcomes.values()];
    // The summary's makespan: the last query's completion.
    const makespan = Math.max(1, ...outcomes.map((o) => o.doneAtCycles));
    const usPerCycle = s.sim.clock.cyclesToSeconds(1) * 1e6;
    const injected = new Array<number>(s.config.tiles).fill(0);
    for (const f of injections) injected[f.tile]!++;
    const linkBusy = s.mesh.hubLinkBusyCycles();
    const { tracePath, dataPath, queryPath, ...config } = s.config;
    void tracePath;
    return {
      summary,
      config: { ...config, data: dataPath ?? 'built-in', queryFile: queryPath ?? 'built-in' },
      makespanCycles: makespan,
      tileClockHz: s.sim.clock.tileClockHz,
      mesh: { rows: s.mesh.rows, cols: s.mesh.cols, hubRow: s.mesh.hubRow, hubCol: s.mesh.hubCol },
      tiles: s.nodes.map((n) => ({
        tile: n.tileId,
        row: s.mesh.rowOf(n.tileId),
        col: s.mesh.colOf(n.tileId),
        busyCycles: n.busyCycles,
        busyFraction: n.busyCycles / makespan,
        traps: this.traps[n.tileId]!,
        restarts: this.restarts[n.tileId]!,
        faultsInjected: injected[n.tileId]!,
        retired: this.retired.has(n.tileId),
        dead: n.dead,
      })),
      hubLinks: [
        { name: 'hub -> tiles', ...this.links.out, busyCycles: linkBusy.egress, load: linkBusy.egress / makespan },
        { name: 'tiles -> hub', ...this.links.in, busyCycles: linkBusy.ingress, load: linkBusy.ingress / makespan },
      ],
      latenciesUs: [...s.hub.outcomes.entries()].sort((a, b) => a[0] - b[0]).map(([, o]) => (o.doneAtCycles - o.dispatchedAtCycles) * usPerCycle),
      repliesByType: Object.fromEntries([...this.replies.entries()].sort()),
      work: { source: 'cycles charged per request type', categories: [...this.cyclesByType.entries()].sort().map(([name, cycles]) => ({ name, cycles })) },
      timeline: [
        ...injections.map((f): TimelineEntry => ({ atCycle: f.atCycles, what: 'fault injected', tile: f.tile, detail: `${f.kind} on ${f.message}${f.detectedBy ? `, detected by ${f.detectedBy}` : ', UNDETECTED'}` })),
        ...this.timeline,
      ].sort((a, b) => a.atCycle - b.atCycle || a.tile - b.tile),
    };
  }
}
