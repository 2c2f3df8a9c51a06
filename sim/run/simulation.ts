// Assembles one simulation: data, the encoded dataset, mesh, tiles running the real
// kernel, the simulator, the hub and its machines; runs it to completion in simulated
// time. The same config and seed give the same trace hash and the same results.
import { EncodedDataset } from '../../hub/encoded-dataset.ts';
import { Hub, type HubOptions } from '../../hub/hub.ts';
import type { HubCostModel } from '../../hub/core/hub-work.ts';
import type { HubListener } from '../../hub/work/tile-fault.ts';
import { METRIC_CODES } from '../../hub/work/message-builder.ts';
import { Prng } from '../../hub/prng.ts';
import { loadChosenKernel, type LoadedKernel } from '../../tile/kernel-module.ts';
import { checkDataProfile, dataProfile } from '../../tile/pack/profile.ts';
import { DTYPE_FP16 } from '../../wat/layout.ts';
import { DEFAULT_COST_MODEL, type CostModel } from '../cost-model.ts';
import { Mesh } from '../mesh.ts';
import { Simulator } from '../simulator.ts';
import { SimTransport, type SimEvents } from '../sim-transport.ts';
import type { LinkTap } from '../tapped-link.ts';
import { cycleClock } from '../xstate-clock.ts';
import { ChipLink } from '../chip/chip-link.ts';
import { TileNode } from '../tile-node.ts';
import { TraceRecorder } from '../trace.ts';
import { runData, type RunData } from './dataset-source.ts';
import { runDataShape, tilesForRun } from './kernel-image.ts';
import { pq6Option } from './pq6-data.ts';
import type { RunConfig } from './run-config.ts';
import { configRecord, runIdentity, type RunIdentity } from './run-identity.ts';
import { MODES } from './modes.ts';
import type { PullSetup } from './pull-setup.ts';
import type { PushHnswSetup } from './push-hnsw-setup.ts';

export interface Simulation {
  config: RunConfig;
  data: RunData;
  /** The least profile that reads the data as loaded (spec section 5, tile/pack/profile.ts). */
  dataProfile: number;
  encoded: EncodedDataset;
  sim: Simulator<SimEvents>;
  mesh: Mesh;
  nodes: TileNode[];
  transport: SimTransport;
  hub: Hub<SimTransport>;
  trace: TraceRecorder;
  prng: Prng;
  cost: CostModel;
  /** The kernel, dataset and settings by content (the trace's first line). */
  identity: RunIdentity;
  /** Pull mode: the index and the walk driver. */
  pull?: PullSetup;
  /** Push-hnsw: the index and the hub's search driver. */
  pushHnsw?: PushHnswSetup;
}

export const HUB_DEFAULTS: Omit<HubOptions, 'tileCount' | 'concurrency' | 'verifyCrc'> = {
  // Above the slowest legal message (a 32 KB block: CRC ~230k cycles + distances, see
  // docs/faults.md) with room for queueing at the hub link.
  replyTimeoutCycles: 500_000,
  restartTimeoutCycles: 1_000_000,
  integrity: false,
  maxRetriesPerJob: 8,
  // A unit that failed 4 times (on any tiles) is computed by the hub (docs/faults.md, "Recovery").
  maxUnitAttempts: 4,
  // A tile that faults 5 times within 5 ms of simulated time is retired (docs/faults.md).
  maxFaultsInWindow: 5,
  faultWindowCycles: 5_000_000,
};

/** What a fault experiment plugs in (sim/run/fault-run.ts): told of every fault the hub
 *  detects, and a tap on the message path (null: none, the transport's tap-free path). */
export interface Instruments {
  listener: HubListener;
  tap: LinkTap | null;
}

export interface InstrumentParts {
  sim: Simulator<SimEvents>;
  prng: Prng;
  nodes: TileNode[];
  /** Whether the hub will still wait for a reply (tile, msg_id) arriving at a cycle (Hub.awaits). */
  awaits(tileId: number, msgId: number, atCycles: number): boolean;
}

export interface BuildOptions {
  hub?: Partial<HubOptions>;
  /** Prices the hub's own compute (default: hub/core/hub-work.ts's DEFAULT_HUB_COST_MODEL). */
  hubCost?: HubCostModel;
  cacheDir?: string | null;
  instrument?: (parts: InstrumentParts) => Instruments;
  /** The tiles' kernel, verified by the caller (a kernel pack, tile/pack/); default: the config's. */
  kernel?: LoadedKernel;
  /** The profile the tiles offer (a pack's `profile`); default Core. The data must fit it. */
  tilesProfile?: { id: number; source: string };
  /** The hub's link in bytes a cycle (default: the mesh links'); a slow one queues the hub's output. */
  hubLinkBytesPerCycle?: number;
}

export function buildSimulation(config: RunConfig, opts: BuildOptions = {}): Simulation {
  const prng = new Prng(config.seed);
  const data = runData(config, prng);
  const shape = runDataShape(config, data.dim);
  // A kernel pack brings its own kernel and profile; else Hot data on chips loads the Hot image.
  const choice = opts.tilesProfile ? { image: 'core' as const, kernel: config.kernel, profile: opts.tilesProfile } : tilesForRun(config, shape);
  checkDataProfile(choice.profile.id, shape, choice.profile.source); // before any tile is built
  const encoded = new EncodedDataset({ dtype: config.dtype, metric: config.metric, k: config.k, dim: data.dim, schedule: config.schedule }, data.base, data.queries, choice.image, { lz4: config.lz4 ?? false, ...pq6Option(config, data, prng) });
  const trace = new TraceRecorder(config.tracePath ? { filePath: config.tracePath } : {});
  const sim = new Simulator<SimEvents>({ trace });
  const mesh = new Mesh({ rows: config.meshRows, cols: config.meshCols, tiles: config.tiles, ...(opts.hubLinkBytesPerCycle ? { hubLinkBytesPerCycle: opts.hubLinkBytesPerCycle } : {}) });
  const kernel = opts.kernel ?? loadChosenKernel({ ...config, kernel: choice.kernel });
  const cost = DEFAULT_COST_MODEL;
  const computeShape = { dim: data.dim, metric: config.metric, k: config.k, wire: config.dtype };
  const boot = { dtype: DTYPE_FP16, metric: METRIC_CODES[config.metric], k: config.k, dim: data.dim, requireMessageCrc: opts.hub?.integrity ?? false };
  const nodes = Array.from({ length: config.tiles }, (_, t) => new TileNode(t, kernel, boot, cost, computeShape));
  const options: HubOptions = { ...HUB_DEFAULTS, tileCount: config.tiles, concurrency: config.concurrency, verifyCrc: config.verifyCrc, ...opts.hub };
  const { driver, pull, pushHnsw } = MODES[config.mode](config, encoded, prng, options, opts);
  const chips = pull?.chips ?? pushHnsw?.chips;
  // The instruments only ask the hub while the run is going, after it is built.
  const instruments: Instruments | undefined = opts.instrument?.({ sim, prng, nodes, awaits: (t, msgId, at): boolean => hub.awaits(t, msgId, at) });
  const hub: Hub<SimTransport> = new Hub({
    k: encoded.spec.k,
    dim: encoded.dim,
    ...(opts.hubCost ? { hubCost: opts.hubCost } : {}),
    options,
    driver,
    clock: cycleClock(sim),
    connect: (sink) => new SimTransport(sim, mesh, nodes, sink, instruments?.tap ?? null, chips ? new ChipLink(chips.ledger) : null),
    ...(instruments ? { listener: instruments.listener } : {}),
  });
  const transport = hub.transport;
  const identity = runIdentity(config, data, kernel, { ...(pull ? { pull } : {}), ...(pushHnsw ? { pushHnsw } : {}) });
  trace.record(configRecord(identity, { vectorsPerBlock: encoded.vectorsPerBlock, blocks: encoded.blockCount }));
  return { config, data, dataProfile: dataProfile(shape).profile, encoded, sim, mesh, nodes, transport, hub, trace, prng, cost, identity, ...(pull ? { pull } : {}), ...(pushHnsw ? { pushHnsw } : {}) };
}

export class SimulationStalledError extends Error {
  override name = 'SimulationStalledError';
}

/** Boots the tiles, submits every query, runs until the event queue drains, or, with
 *  `maxCycles` or `maxEvents`, until simulated time or the events run pass it: a faulty hub can keep a run going forever
 *  (a pull walk that faults is released and started again from its first step, so under
 *  a high hang rate it almost never completes), and such a run is a stall, not a hang.
 *  The cap is checked between chunks of events, so a run that finishes is unchanged. */
export function runSimulation(s: Simulation, onProgress?: (done: number, total: number) => void, limits: { maxCycles?: number; maxEvents?: number } = {}): { events: number } {
  const maxCycles = limits.maxCycles ?? Infinity;
  const maxEvents = limits.maxEvents ?? Infinity;
  const queryIds = Array.from({ length: s.encoded.queryCount }, (_, i) => i);
  s.transport.bootAll();
  s.hub.submit(queryIds);
  let events = 0;
  for (;;) {
    const r = s.sim.run({ maxEvents: 20_000 });
    events += r.eventsProcessed;
    onProgress?.(s.hub.outcomes.size, queryIds.length);
    if (r.stopReason === 'drained') break;
    if (s.sim.nowCycles > maxCycles || events > maxEvents) {
      throw new SimulationStalledError(
        `simulation stalled: still running at cycle ${s.sim.nowCycles} after ${events} events, past the cap of ${maxCycles} cycles or ${maxEvents} events, with ${s.hub.outcomes.size} of ${queryIds.length} queries answered; reproduce with --seed ${s.config.seed}`,
      );
    }
  }
  if (!s.hub.allDone) {
    throw new SimulationStalledError(
      `simulation stalled at cycle ${s.sim.nowCycles}: ${s.hub.outcomes.size} of ${queryIds.length} queries answered; reproduce with --seed ${s.config.seed}`,
    );
  }
  return { events };
}
