// The one interface between the hub core (hub/hub.ts) and a search mode. The core owns the
// tiles (their machines, the transport, outstanding messages, deadlines, restarts and
// reassignment) and the query machines; a driver knows one mode: which units a query
// needs, how a tile's job of units becomes messages, what a reply means, and how the hub
// computes a unit itself when no tile is left. docs/architecture.md draws who calls whom.
import type { TileMessage } from '../../protocol/types.ts';
import type { Candidate } from '../topk-merge.ts';
import type { DriverHubWork } from './hub-work.ts';
import type { TileFault } from '../work/tile-fault.ts';
import type { JobShape, ResumeAt, UnitRef } from './job-shape.ts';

/**
 * One message for a tile, and the msg_id its reply must carry. The message is `template`
 * with `msgId` stamped into its header and, when `sealed`, the integrity seal appended
 * (protocol/stamped-message.ts): the hub shares one encoded template among every message
 * sent from it and never copies it; the transport writes the stamped bytes where they go.
 * Nobody writes into a template once it is handed out. What the hub and the transport need
 * to know of the template besides its bytes comes with it as numbers, its facts
 * (protocol/template-facts.ts, copied by hub/core/outgoing.ts): nobody reads the template
 * per message but the transport's copy.
 */
export interface Outgoing {
  template: Uint8Array;
  msgId: number;
  sealed: boolean;
  requestType: string;
  /** The template's header type (FACT_TYPE: unsealed) and bytes (FACT_LENGTH: without the seal). */
  type: number;
  length: number;
  /** A LOAD_BLOCK chunk's flags byte and stream bytes (FACT_BLOCK_FLAGS, FACT_STREAM_BYTES); 0 for other messages. */
  blockFlags: number;
  streamBytes: number;
}

/** Units for a tile, as one job (the core moves them on if the tile cannot take them). */
export interface Placement {
  tileId: number;
  units: UnitRef[];
}

/** A unit's answer: the partial top-K of its query. */
export interface Partial {
  queryId: number;
  unitKey: string;
  candidates: Candidate[];
}

/** What the core does for the queries, in order. */
export type QueryStep =
  /** Start a query machine expecting these units; `growing`: more come later (`grow`) until `close`. */
  | { open: number; unitKeys: string[]; growing: boolean }
  /** Queue work on tiles; the core signals idle tiles once the steps are applied. */
  | { place: Placement[] }
  /** A growing query's new units: announced to its machine and placed, each tile signalled at once. */
  | { grow: number; work: Placement[] }
  /** A growing query is over: its answer replaces the merged partials. */
  | { close: number; best: Candidate[] };

/** What a tile's reply means for the step in flight. */
export type LinkReply =
  /** The step goes on with this message (or the run's next step starts with it, below the
   *  machine); `progress`: the tile's reply deadline restarts. */
  | { send: Outgoing; progress: boolean }
  /** The step is complete; a read step carries its unit's answer. */
  | { done: true; partial?: Partial }
  /** The reply does not fit the step (a corrupt-reply fault; `forged`: well sealed, but its
   *  content is not an answer to what was asked). */
  | { fault: string; forged?: true };

/** One tile as a driver sees it: what the tile holds, and the conversation of its current job. */
export interface TileLink {
  /** The steps of a job doing `units`, given what the tile holds. */
  plan(units: UnitRef[]): JobShape;
  /** The first message of step `step` (or the one to re-send after a failure). The link goes
   *  on by itself through the steps after it up to `through` (a run the machine delegates,
   *  machines/tile-machine.ts), each started when the one before is done. */
  send(job: JobShape, step: number, through: number): Outgoing;
  /** The step of the job the message in flight belongs to: the one sent last, or a later one
   *  of the run (the steps before it done). */
  readonly step: number;
  /** The tile's (decoded, non-ERROR) answer to the last message sent. */
  reply(reply: TileMessage): LinkReply;
  /** Whether a DONE to the last message sent goes on below the machine with no PROGRESS (a
   *  stream's next chunk, a delegated run's next step): `reply` would answer { send:
   *  continueOnDone(), progress: false }. Reads only. */
  continuesOnDone(): boolean;
  /** What `reply` does for such a DONE, without the answer object: the next message. */
  continueOnDone(): Outgoing;
  /** Where a failed job resumes (the same or an earlier step, or a rebuild from its units). */
  resume(job: JobShape, step: number, fault: TileFault): ResumeAt;
}

/** The hub settings every driver builds its messages and tile groups from. */
export interface ModeOptions {
  tileCount: number;
  /** Queries in flight at once, for drivers that admit them in a window. */
  concurrency: number;
  verifyCrc: boolean;
  /** Seal every message with a CRC32C trailer (docs/protocol.md). */
  integrity: boolean;
}

// The core only knows units and jobs by their shape (job-shape.ts); a driver declares its
// methods with its own unit and job types, which TypeScript accepts for method members.
export interface ModeDriver {
  /** Queries in flight at once (Infinity: all submitted at once), and whether the core admits more
   *  and signals idle tiles when one finishes. */
  readonly admission: { window: number; refill: boolean };
  /** Starts these queries (the core passes as many as the window allows). */
  admit(queryIds: readonly number[]): QueryStep[];
  /** A unit's first answer reached its query (growing queries take their next round here). */
  answered(partial: Partial): QueryStep[];
  /** A fresh link for a tile that has just booted or restarted (its memory is empty). */
  connect(tileId: number): TileLink;
  /** The hub's own answer to units no tile can take, and the distances it computed for it
   *  (the core prices them on the hub cost model, hub/core/hub-work.ts). */
  computeLocally(units: readonly UnitRef[]): { distances: number; partials: Partial[] };
  /** The hub compute this driver has done so far (routing, a graph search), cumulative. */
  hubWork(): DriverHubWork;
}
