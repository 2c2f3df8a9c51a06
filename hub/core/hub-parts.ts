// What a hub is built from and what it reports per query (hub/hub.ts).
import type { HubClock, HubSink, HubTransport } from '../hub-transport.ts';
import type { Candidate } from '../topk-merge.ts';
import type { HubListener } from '../work/tile-fault.ts';
import type { HubCostModel } from './hub-work.ts';
import type { ModeDriver } from './mode-driver.ts';

export interface HubOptions {
  tileCount: number;
  /** Queries in flight at once, for drivers that admit queries in a window. */
  concurrency: number;
  replyTimeoutCycles: number;
  restartTimeoutCycles: number;
  maxRetriesPerJob: number;
  /** Failed attempts of one unit of work (a job holding it released by a faulted tile, or
   *  rebuilt from scratch), on any tiles, after which the hub computes it itself. */
  maxUnitAttempts: number;
  maxFaultsInWindow: number;
  faultWindowCycles: number;
  verifyCrc: boolean;
  /** Seal every message with a CRC32C trailer and require sealed replies (docs/protocol.md). */
  integrity: boolean;
  /** Tiles that compute each unit (1, or 2: partials compared, a third copy breaks a disagreement). */
  redundancy?: number;
  /** The common reply (a chunk's DONE) in one pass (core/one-pass-reply.ts; default true):
   *  false sends every reply the generic way, for tests that hold the two to the same run. */
  onePassReplies?: boolean;
}

export interface QueryOutcome {
  queryId: number;
  best: Candidate[];
  dispatchedAtCycles: number;
  doneAtCycles: number;
  reassignments: number;
  hubLocalUnits: number;
}

/** Everything a hub is built from; it is complete when its constructor returns. */
export interface HubParts<T extends HubTransport> {
  /** Neighbours per query (the query machines merge partials to this many). */
  k: number;
  /** Vector dimension, for pricing the hub's own distances. */
  dim: number;
  /** Prices the hub's own compute (default DEFAULT_HUB_COST_MODEL, docs/cost-model.md). */
  hubCost?: HubCostModel;
  options: HubOptions;
  driver: ModeDriver;
  clock: HubClock;
  /** Builds the transport, given where it delivers what the tiles send back. */
  connect(sink: HubSink): T;
  /** Told of every fault the hub detects (the simulator's fault ledger). */
  listener?: HubListener;
}
