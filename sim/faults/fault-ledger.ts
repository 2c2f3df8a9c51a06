// Every fault injected and what became of it. An injection counts as detected only when the
// hub's own machinery reacted to it (hub/work/tile-fault.ts, HubListener): a retry, a
// rejected reply, a restart, a timeout, a discarded stale reply, a retirement, an outvoted
// partial. The ledger matches each reaction to the injections it answers: those carried by
// the reply or trap the hub is handling right now (`carrying`, set by the injector around
// each arrival), those on the exchange the hub gave up on (by tile and msg_id), and deaths by
// the tile retired. What nobody reacted to is harmless (with the reason), cancelled or
// superseded (reported, never dropped), or undetected: a failure of the run.
import type { HubListener, HubReaction, TileFault } from '../../hub/work/tile-fault.ts';
import { FAULT_KINDS, type FaultKind } from './fault-kinds.ts';

export type InjectionFate = 'open' | 'detected' | 'harmless' | 'cancelled' | 'superseded';

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
  fate: InjectionFate;
  /** Who reacted (detected) or why nothing had to (harmless, cancelled, superseded). */
  detectedBy: string | null;
  detectedAtCycles: number | null;
}

export interface KindCounts {
  injected: number;
  detected: number;
  harmless: number;
  cancelled: number;
  superseded: number;
  undetected: number;
}

/** Kinds whose effect may be only latency: a reply the hub accepted in time was harmless. */
const LATENCY_ONLY: ReadonlySet<FaultKind> = new Set(['delay', 'freeze']);

export class FaultLedger implements HubListener {
  readonly injections: Injection[] = [];
  /** Hub reactions that no open injection explains (consequences, e.g. a dead tile's timeouts). */
  unexplained = 0;
  /** The injections whose effect the hub is handling right now (a reply or a trap arriving). */
  carrying: Injection[] = [];
  /** Open to-tile injections and reply injections by the exchange they hit ("tile/msgId"). */
  private readonly byExchange = new Map<string, Injection[]>();
  private readonly openDeaths = new Map<number, Injection[]>();

  constructor(private readonly now: () => number) {}

  inject(kind: FaultKind, tile: number, direction: Injection['direction'], message: string, msgId: number): Injection {
    const injection: Injection = { id: this.injections.length, kind, tile, atCycles: this.now(), direction, message, msgId, fate: 'open', detectedBy: null, detectedAtCycles: null };
    this.injections.push(injection);
    const key = `${tile}/${msgId}`;
    this.byExchange.set(key, [...(this.byExchange.get(key) ?? []), injection]);
    if (kind === 'death') this.openDeaths.set(tile, [...(this.openDeaths.get(tile) ?? []), injection]);
    return injection;
  }

  /** The hub reacted to this injection. */
  detect(injection: Injection, by: string): void {
    this.settle(injection, 'detected', by);
  }

  /** The injection changed nothing anybody relied on; `why` says so. */
  harmless(injection: Injection, why: string): void {
    this.settle(injection, 'harmless', why);
  }

  /** The injection did not happen where it landed (nothing to flip, a dead tile); kept and reported. */
  cancel(injection: Injection, why = 'did not apply where it landed'): void {
    this.settle(injection, 'cancelled', why);
  }

  get cancelled(): number {
    return this.injections.filter((i) => i.fate === 'cancelled').length;
  }

  get superseded(): number {
    return this.injections.filter((i) => i.fate === 'superseded').length;
  }

  // ---- the hub's reactions (HubListener) ----

  faultDetected(tileId: number, fault: TileFault): void {
    this.react(tileId, `hub: ${fault.kind}${fault.code === undefined ? '' : ` (${fault.code})`}`);
  }

  reacted(tileId: number, reaction: HubReaction): void {
    if (reaction.kind === 'unused') {
      for (const i of this.carrying) if (i.tile === tileId) this.harmless(i, `its partial was not used: ${reaction.detail}`);
      return;
    }
    if (reaction.msgId !== null && reaction.kind === 'outvoted') {
      // A partial outvoted after both copies arrived: the reply that carried it is long gone.
      const hit = this.openOn(tileId, reaction.msgId).filter((i) => i.direction === 'to-hub');
      for (const i of hit) this.detect(i, `hub: ${reaction.kind} (${reaction.detail})`);
      if (hit.length === 0) this.unexplained++;
      return;
    }
    this.react(tileId, `hub: ${reaction.kind} (${reaction.detail})`);
  }

  /** The hub gave up waiting for `msgId` and retries or moves on: every fault on that exchange is answered. */
  messageAbandoned(tileId: number, msgId: number, reason: string): void {
    const open = this.openOn(tileId, msgId);
    for (const i of open) this.detect(i, `hub: gave up waiting (${reason})`);
    if (open.length === 0 && reason === 'timeout') this.unexplained++;
  }

  /**
   * The hub took the reply to `msgId`. A delay or a freeze that still let it arrive in time
   * cost only latency. A drop or stall on a copy the hub re-sent with the same msg_id (a pull
   * walk) changed nothing once the other copy's answer counted: superseded.
   */
  replyAccepted(tileId: number, msgId: number): void {
    // A late copy (to-tile duplicate) whose answer is the one the hub waited for: the tile ran
    // the message again at once, which changes nothing (every step is idempotent).
    for (const i of this.carrying) if (i.kind === 'duplicate') this.harmless(i, "the copy's answer stood in for the original's, lost on the way");
    for (const i of this.openOn(tileId, msgId)) {
      if (LATENCY_ONLY.has(i.kind)) this.harmless(i, 'the reply still came within the reply timeout: only latency');
      else if (i.kind === 'drop' || i.kind === 'slow') this.settle(i, 'superseded', "a re-sent copy's answer counted first");
    }
  }

  tileRetired(tileId: number, fault: TileFault | null): void {
    const open = this.openDeaths.get(tileId)?.find((i) => i.fate === 'open');
    if (open) this.detect(open, `hub: retired (${fault?.kind ?? 'unknown'})`);
    else this.react(tileId, `hub: retired (${fault?.kind ?? 'unknown'})`);
  }

  counts(): Record<FaultKind, KindCounts> {
    const out = Object.fromEntries(FAULT_KINDS.map((k) => [k, { injected: 0, detected: 0, harmless: 0, cancelled: 0, superseded: 0, undetected: 0 }])) as Record<FaultKind, KindCounts>;
    for (const i of this.injections) {
      const c = out[i.kind];
      c.injected++;
      if (i.fate === 'open') c.undetected++;
      else c[i.fate]++;
    }
    return out;
  }

  undetected(): Injection[] {
    return this.injections.filter((i) => i.fate === 'open');
  }

  private react(tileId: number, by: string): void {
    const carried = this.carrying.filter((i) => i.tile === tileId && i.fate === 'open');
    for (const i of carried) this.detect(i, by);
    if (carried.length === 0) this.unexplained++;
  }

  private openOn(tileId: number, msgId: number): Injection[] {
    const key = `${tileId}/${msgId}`;
    const list = this.byExchange.get(key);
    if (!list) return [];
    const open = list.filter((i) => i.fate === 'open');
    if (open.length === 0) this.byExchange.delete(key);
    return open;
  }

  private settle(injection: Injection, fate: Exclude<InjectionFate, 'open'>, by: string): void {
    if (injection.fate !== 'open') return;
    injection.fate = fate;
    injection.detectedBy = by;
    injection.detectedAtCycles = this.now();
  }
}
