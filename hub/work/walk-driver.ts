// The hub's side of a pull-mode walk, below the tile machine: the machine sends the walk
// step once and waits in 'computing'; the driver answers each of the tile's requests
// (NEED_NEIGHBORS, NEED_BLOCK) with the message that serves it, until the tile says DONE.
import type { TileMessage } from '../../protocol/types.ts';
import type { WalkUnit } from './job.ts';

export interface Outgoing {
  bytes: Uint8Array;
  msgId: number;
  requestType: string;
}

export type WalkNext = { send: Outgoing } | { done: true } | { fault: string };

export interface WalkDriver {
  /** The walk's beam width: LOAD_QUERY's k for a pull query (the tile's W holds ef entries). */
  readonly ef: number;
  /** The first message of the walk (e.g. the entry point's neighbor list). */
  begin(tileId: number, unit: WalkUnit): Outgoing;
  /** The tile's answer to the last message: what to send next, done, or why the walk failed. */
  next(tileId: number, unit: WalkUnit, reply: TileMessage): WalkNext;
}
