// Why a tile stopped doing its job, as the hub learned it. The kinds follow the trap
// taxonomy of tile/tile-trap.ts plus what only the hub can observe (a missing reply, a
// reply that does not decode, an ERROR reply, a tile that never answers again).
import type { TrapKind } from '../../tile/tile-trap.ts';

export type TileFaultKind =
  | TrapKind
  | 'timeout' // no reply within the reply timeout
  | 'corrupt-reply' // a reply that failed its integrity check or did not decode
  | 'error-reply' // the tile answered ERROR (e.g. CRC mismatch of a block in scratch)
  | 'forged-reply' // a well-sealed reply whose content is not an answer to what was asked
  | 'replayed' // the tile answered a message it had already answered: its state is not the hub's
  | 'dead'; // the tile is gone for good

export interface TileFault {
  kind: TileFaultKind;
  atCycles: number;
  detail: string;
  /** The status code of an ERROR reply (wat/status.ts). */
  code?: number;
}

/** A hub reaction that is not a fault of the tile's current step: what the hub did with an
 *  answer it could not use. */
export interface HubReaction {
  /** stale: a reply to a message the hub no longer waits for, discarded; unused: a unit's
   *  partial that arrived after its unit was answered, discarded; outvoted: a partial that
   *  lost a redundancy vote (the reply that carried it: msgId). */
  kind: 'stale' | 'unused' | 'outvoted';
  msgId: number | null;
  detail: string;
}

/** Who wants to know about every fault the hub detects (the fault ledger, a test). */
export interface HubListener {
  faultDetected(tileId: number, fault: TileFault): void;
  tileRetired(tileId: number, fault: TileFault | null): void;
  /** The hub gave up waiting for the reply to `msgId` (and will retry or move on). */
  messageAbandoned(tileId: number, msgId: number, reason: string): void;
  /** The hub took a reply to `msgId` (a re-send shares its original's msg_id, so the
   *  first answer to arrive counts and faults on the other copy go unobserved). */
  replyAccepted(tileId: number, msgId: number): void;
  /** The hub discarded an answer (stale, unused) or outvoted a partial. */
  reacted(tileId: number, reaction: HubReaction): void;
}
