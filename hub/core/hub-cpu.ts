// The hub's one CPU as the core charges it: the drivers' compute (their cumulative
// counters) and the merges of partials received, priced by the HubWorkMeter (hub-work.ts),
// are charged when the hub next needs its CPU (a message leaves, a query closes, a query
// machine asks when the hub is free); the hub-local fallback occupies it for its distances.
import { HubWorkMeter, type DriverHubWork, type HubCostModel, type HubWorkTotals } from './hub-work.ts';

export interface HubCpuParts {
  dim: number;
  cost: HubCostModel;
  /** The driver's own compute so far (cumulative). */
  driverWork(): DriverHubWork;
  /** The transport's CPU: works `cycles` more; the cycle it is free again. */
  charge(cycles: number): number;
  /** The transport's CPU: occupied for `cycles`, then `done`. */
  compute(cycles: number, done: () => void): void;
}

export class HubCpu {
  private readonly meter: HubWorkMeter;
  /** Candidates of partials received since the hub's compute was last charged. */
  private unchargedMerges = 0;

  constructor(private readonly parts: HubCpuParts) {
    this.meter = new HubWorkMeter(parts.dim, parts.cost);
  }

  get totals(): Readonly<HubWorkTotals> {
    return this.meter.totals;
  }

  /** A partial's candidates, merged into its query's top-K (or found a duplicate). */
  merged(candidates: number): void {
    this.unchargedMerges += candidates;
  }

  /** Charges the hub's compute since the last charge to its CPU; the cycle the CPU is free again. */
  charge(): number {
    const cycles = this.meter.take(this.parts.driverWork(), this.unchargedMerges);
    this.unchargedMerges = 0;
    return this.parts.charge(cycles);
  }

  /** Charges like `charge` when the caller does not need the cycle the CPU is free (a message
   *  leaving: the transport sends it once the CPU is free anyway). This runs per message sent,
   *  so when nothing was computed since the last charge (no merges, the driver's counters
   *  unchanged: most sends) it prices nothing and does not ask the transport to add 0 cycles. */
  settle(): void {
    if (this.meter.idle(this.parts.driverWork(), this.unchargedMerges)) return;
    this.charge();
  }

  /** Occupies the CPU with `distances` computed for units no tile could take, then `done`. */
  computeLocally(distances: number, done: () => void): void {
    this.parts.compute(this.meter.local(distances), done);
  }
}
