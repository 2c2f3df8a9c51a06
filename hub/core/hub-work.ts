// The hub's own compute, counted where it happens and priced by one stated model
// (docs/cost-model.md section 7): routing distances through a graph's upper layers, the
// Full-profile fallback's distances, the merges of partial results into each query's
// top-K, and a graph search the hub runs itself (neighbor lists read, distances taken
// into its beam). Drivers count what they compute; the core counts merges. The
// core charges the cycles to the hub's one CPU; its next message waits for them.

/** Hub cycles per unit of work, in tile cycles (the simulation's one clock). */
export interface HubCostModel {
  name: string;
  /** Per distance: call, horizontal sum, store... */
  distanceBaseCycles: number;
  /** ...plus one cycle per this many fp16 lanes (AVX-512: 32, spec section 6). */
  fp16LanesPerCycle: number;
  /** Per candidate merged into a query's top-K (compare with the worst, insert into <= 16 sorted entries). */
  mergeCyclesPerCandidate: number;
  /** Graph search on the hub: per node expanded (pop the nearest candidate, read its neighbor list, visited checks). */
  expansionCycles: number;
  /** Graph search on the hub: per distance taken into the beam (insert into the candidate and result heaps). */
  beamCyclesPerCandidate: number;
}

export const DEFAULT_HUB_COST_MODEL: HubCostModel = Object.freeze({
  name: 'hub-avx512',
  distanceBaseCycles: 8,
  fp16LanesPerCycle: 32,
  mergeCyclesPerCandidate: 8,
  expansionCycles: 48,
  beamCyclesPerCandidate: 16,
});

/** A model that charges nothing: what the hub cost before it was modelled (tests). */
export const FREE_HUB_COST_MODEL: HubCostModel = Object.freeze({
  name: 'free',
  distanceBaseCycles: 0,
  fp16LanesPerCycle: Infinity,
  mergeCyclesPerCandidate: 0,
  expansionCycles: 0,
  beamCyclesPerCandidate: 0,
});

/** What a mode driver counts of the hub's compute, cumulative over the run. */
export interface DriverHubWork {
  routingDistances: number;
  expansions: number;
  beamCandidates: number;
}

export const NO_DRIVER_WORK: DriverHubWork = Object.freeze({ routingDistances: 0, expansions: 0, beamCandidates: 0 });

export interface HubWorkTotals extends DriverHubWork {
  /** Every distance the hub computed: routing plus fallback. */
  distances: number;
  localDistances: number;
  merged: number;
  cycles: number;
}

export class HubWorkMeter {
  readonly totals: HubWorkTotals = { distances: 0, routingDistances: 0, localDistances: 0, merged: 0, expansions: 0, beamCandidates: 0, cycles: 0 };

  constructor(
    private readonly dim: number,
    private readonly model: HubCostModel,
  ) {}

  private distanceCycles(n: number): number {
    if (n === 0) return 0;
    return n * (this.model.distanceBaseCycles + Math.ceil(this.dim / this.model.fp16LanesPerCycle));
  }

  /** Whether `take` would find no work: the driver's counters as last taken and no merges. */
  idle(driver: DriverHubWork, merged: number): boolean {
    const t = this.totals;
    return merged === 0 && driver.routingDistances === t.routingDistances && driver.expansions === t.expansions && driver.beamCandidates === t.beamCandidates;
  }

  /** Cycles of the driver's work since the last call (its counters are cumulative) plus `merged` candidates. */
  take(driver: DriverHubWork, merged: number): number {
    const t = this.totals;
    const routing = driver.routingDistances - t.routingDistances;
    const expansions = driver.expansions - t.expansions;
    const beam = driver.beamCandidates - t.beamCandidates;
    const m = this.model;
    const cycles = this.distanceCycles(routing) + merged * m.mergeCyclesPerCandidate + expansions * m.expansionCycles + beam * m.beamCyclesPerCandidate;
    t.routingDistances = driver.routingDistances;
    t.expansions = driver.expansions;
    t.beamCandidates = driver.beamCandidates;
    t.distances += routing;
    t.merged += merged;
    t.cycles += cycles;
    return cycles;
  }

  /** Cycles of `distances` computed for units no tile could take. */
  local(distances: number): number {
    const cycles = this.distanceCycles(distances);
    this.totals.localDistances += distances;
    this.totals.distances += distances;
    this.totals.cycles += cycles;
    return cycles;
  }
}
