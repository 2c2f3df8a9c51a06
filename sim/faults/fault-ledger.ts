// Every fault injected, and where and how it was detected. Tile-detected faults are
// matched exactly to the delivery that carried them; hub-detected ones (a timeout, a bad
// reply, a retired tile) to the oldest open injection on that tile that such a detection
// can explain. A passing run therefore proves the faults happened and were seen.
import type { HubListener, TileFault } from '../../hub/work/tile-fault.ts';
import { FAULT_KINDS, type FaultKind } from './fault-kinds.ts';

export interface Injection {
  id: number;
  kind: FaultKind;
  tile: number;
  atCycles: number;
  direction: 'to-tile' | 'to-hub';
  /** The message it rode on: type and msg_id. */
  message: string;
  /** The msg_id of the exchange it hit (a reply carries its request's id). */
  msgId: number;
  detectedBy: string | null;
  detectedAtCycles: number | null;
}

/** Hub detections that explain an injection (lost messages are matched by msg_id instead). */
const EXPLAINS: Record<string, true> = { 'corrupt-reply': true, retired: true };

export class FaultLedger implements HubListener {
  readonly injections: Injection[] = [];
  /** Detections the hub made that no open injection explains (consequences, e.g. a dead tile's timeouts). */
  unexplained = 0;
  /** Faults on a re-sent copy whose original's answer arrived first (not counted). */
  superseded = 0;
  /** Injections that turned out not to apply where they landed (not counted; superseded ones included). */
  cancelled = 0;
  /** The corrupted reply the hub is reading right now, if any: its detection is exact. */
  delivering: Injection | null = null;
  /** Open drop/slow injections by the exchange they hit ("tile/msgId"), and open deaths by tile:
   *  detections find their injection without scanning the whole ledger. */
  private readonly openLost = new Map<string, Injection>();
  private readonly openDeaths = new Map<number, Injection[]>();

  constructor(private readonly now: () => number) {}

  inject(kind: FaultKind, tile: number, direction: Injection['direction'], message: string, msgId: number): Injection {
    const injection: Injection = { id: this.injections.length, kind, tile, atCycles: this.now(), direction, message, msgId, detectedBy: null, detectedAtCycles: null };
    this.injections.push(injection);
    if (kind === 'drop' || kind === 'slow') this.openLost.set(`${tile}/${msgId}`, injection);
    if (kind === 'death') this.openDeaths.set(tile, [...(this.openDeaths.get(tile) ?? []), injection]);
    return injection;
  }

  detect(injection: Injection, by: string): void {
    if (injection.detectedBy !== null) return;
    injection.detectedBy = by;
    injection.detectedAtCycles = this.now();
  }

  faultDetected(tileId: number, fault: TileFault): void {
    this.explain(tileId, fault.kind, `hub: ${fault.kind}`);
  }

  /** A lost (dropped or stalled) message is detected when the hub stops waiting for it. */
  messageAbandoned(tileId: number, msgId: number, reason: string): void {
    const key = `${tileId}/${msgId}`;
    const lost = this.openLost.get(key);
    if (lost) {
      this.openLost.delete(key);
      this.detect(lost, `hub: gave up waiting (${reason})`);
    } else if (reason === 'timeout') {
      this.unexplained++;
    }
  }

  /**
   * A pull walk re-sends a request with its msg_id (the tile answers it again from its kept
   * reply), so the original's late answer can satisfy the re-send: a drop or stall on the
   * other copy then changes nothing anybody waits for, and is not counted.
   */
  replyAccepted(tileId: number, msgId: number): void {
    const key = `${tileId}/${msgId}`;
    const moot = this.openLost.get(key);
    if (!moot) return;
    this.openLost.delete(key);
    this.cancel(moot);
    this.superseded++;
  }

  tileRetired(tileId: number, fault: TileFault | null): void {
    this.explain(tileId, 'retired', `hub: retired (${fault?.kind ?? 'unknown'})`);
  }

  /** An injection that turned out not to apply where it landed: it is not counted. */
  cancel(injection: Injection): void {
    // Cancels are rare (a bit flip that met a repeated chunk) and recent: search from the end.
    const i = this.injections.lastIndexOf(injection);
    if (i >= 0) {
      this.injections.splice(i, 1);
      this.cancelled++;
    }
  }

  private explain(tile: number, detection: string, by: string): void {
    if (!EXPLAINS[detection]) return; // tile-detected kinds are matched at their delivery
    if (detection === 'corrupt-reply' && this.delivering?.tile === tile) {
      this.detect(this.delivering, by);
      return;
    }
    const open = detection === 'retired' ? this.openDeaths.get(tile)?.shift() : undefined;
    if (open) this.detect(open, by);
    else this.unexplained++;
  }

  counts(): Record<FaultKind, { injected: number; detected: number }> {
    const out = Object.fromEntries(FAULT_KINDS.map((k) => [k, { injected: 0, detected: 0 }])) as Record<FaultKind, { injected: number; detected: number }>;
    for (const i of this.injections) {
      out[i.kind].injected++;
      if (i.detectedBy !== null) out[i.kind].detected++;
    }
    return out;
  }

  undetected(): Injection[] {
    return this.injections.filter((i) => i.detectedBy === null);
  }
}
