// Why a tile stopped doing its job, as the hub learned it. The kinds follow the trap
// taxonomy of tile/tile-trap.ts plus what only the hub can observe (a missing reply, a
// reply that does not decode, an ERROR reply, a tile that never answers again).
import type { TrapKind } from '../../tile/tile-trap.ts';

export type TileFaultKind =
  | TrapKind
  | 'timeout' // no reply within the reply timeout
  | 'corrupt-reply' // a reply that failed its integrity check or did not decode
  | 'error-reply' // the tile answered ERROR (e.g. CRC mismatch of a block in scratch)
  | 'dead'; // the tile is gone for good

export interface TileFault {
  kind: TileFaultKind;
  atCycles: number;
  detail: string;
  /** The status code of an ERROR reply (wat/status.ts). */
  code?: number;
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
}
