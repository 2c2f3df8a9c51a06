// The exact faults of a run, as data: what, where, when and with which parameters. Every
// run records the faults it injected in this form, and a run given such a list (a script)
// injects exactly those, so a run can be replayed and shrunk (docs/faults.md, "Scripted
// faults"). A message fault is keyed by the message's index on its tile's link in its
// direction: the same run reaches the same index with the same bytes.
import { UserError as CliError } from '../run/user-error.ts';
import { FAULT_KINDS, type FaultKind } from './fault-kinds.ts';

export type FaultDirection = 'to-tile' | 'to-hub';

export interface MessageFault {
  kind: FaultKind;
  tile: number;
  direction: FaultDirection;
  /** Index of the message on this tile's link in this direction (0: the first). */
  message: number;
  /** Simulated cycle of the injection, for reading (replay keys on `message`). */
  atCycles: number;
  /** corrupt: the message bits flipped; bitflip: the staged block bit flipped (absent: none was staged). */
  bits?: number[];
  /** slow, freeze: cycles the tile stalls (a freeze holds everything queued behind it). */
  stallCycles?: number;
  /** delay: extra cycles on the link; duplicate: cycles between the message and its copy. */
  delayCycles?: number;
  /** truncate: bytes kept. */
  length?: number;
  /** forged: which forgery (sim/faults/reply-forgery.ts); forged, sdc: the values drawn for it. */
  forgery?: string;
  picks?: number[];
}

/** A plan's slowdown: the tile computes `factor` times slower between two cycles. */
export interface SlowdownFault {
  kind: 'slowdown';
  tile: number;
  fromCycles: number;
  toCycles: number;
  factor: number;
}

export type FaultRecord = MessageFault | SlowdownFault;

export const CYCLES_PER_MS = 1_000_000; // the tile clock, 1 GHz (sim/clock.ts)

export function isSlowdown(f: FaultRecord): f is SlowdownFault {
  return f.kind === 'slowdown';
}

/** Where a script's faults are looked up: one map per direction, "tile/index" -> fault. */
export class FaultScript {
  private readonly byMessage = new Map<string, MessageFault>();
  readonly slowdowns: SlowdownFault[];

  constructor(faults: readonly FaultRecord[]) {
    this.slowdowns = faults.filter(isSlowdown);
    for (const f of faults) if (!isSlowdown(f)) this.byMessage.set(`${f.direction}/${f.tile}/${f.message}`, f);
  }

  at(direction: FaultDirection, tile: number, message: number): MessageFault | undefined {
    return this.byMessage.get(`${direction}/${tile}/${message}`);
  }
}

/** The fault in words, for people reading a shrunk capsule. */
export function describeFault(f: FaultRecord): string {
  const ms = (c: number) => `${(c / CYCLES_PER_MS).toFixed(3)} ms`;
  if (isSlowdown(f)) return `tile ${f.tile} computes ${f.factor}x slower from ${ms(f.fromCycles)} to ${ms(f.toCycles)}`;
  const where = f.direction === 'to-tile' ? `message #${f.message} the hub sent to tile ${f.tile}` : `reply #${f.message} tile ${f.tile} sent to the hub`;
  const what: Record<FaultKind, string> = {
    trap: 'the tile runs it on a code image that traps',
    hang: 'the tile runs it on a code image that loops until the watchdog stops it',
    corrupt: `bits ${(f.bits ?? []).join(', ')} of it flipped on the link`,
    drop: 'it is lost on the link',
    slow: `the tile stalls ${f.stallCycles ?? 0} cycles on it`,
    death: 'the tile dies as it arrives',
    bitflip: f.bits ? `bit ${f.bits[0]} of the staged block flipped before it runs` : 'a staged-block bit flip (nothing was staged: no effect)',
    duplicate: `it is delivered again ${f.delayCycles ?? 0} cycles later`,
    delay: `it is held ${f.delayCycles ?? 0} cycles on the link (later messages wait behind it)`,
    truncate: `it is cut to ${f.length ?? 0} bytes`,
    freeze: `the tile freezes for ${f.stallCycles ?? 0} cycles as it arrives, then answers everything queued`,
    forged: `it is rewritten and sealed again (${f.forgery ?? '?'})`,
    sdc: `one distance in it is silently wrong (entry ${f.picks?.[0] ?? 0}, +${((f.picks?.[1] ?? 0) + 50) / 10}%)`,
  };
  return `${where} at ${ms(f.atCycles)}: ${what[f.kind]}`;
}

const nonNegative = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Checks a fault list read from a file; `where` names it in the error. */
export function checkFaultRecords(value: unknown, tiles: number, where: string): FaultRecord[] {
  if (!Array.isArray(value)) throw new CliError(`${where}: faults must be a list, got ${typeof value}`);
  return value.map((f: Record<string, unknown>, i) => {
    const at = `${where}: fault ${i}`;
    if (typeof f !== 'object' || f === null) throw new CliError(`${at} is not an object`);
    if (!nonNegative(f.tile) || f.tile >= tiles) throw new CliError(`${at}: tile must be in 0..${tiles - 1}, got ${String(f.tile)}`);
    if (f.kind === 'slowdown') {
      if (!nonNegative(f.fromCycles) || !nonNegative(f.toCycles) || f.toCycles < f.fromCycles) throw new CliError(`${at}: slowdown needs fromCycles <= toCycles, whole cycles`);
      if (typeof f.factor !== 'number' || !(f.factor >= 1 && f.factor <= 1000)) throw new CliError(`${at}: slowdown factor must be in 1..1000, got ${String(f.factor)}`);
      return f as unknown as SlowdownFault;
    }
    if (!(FAULT_KINDS as readonly unknown[]).includes(f.kind)) throw new CliError(`${at}: unknown kind '${String(f.kind)}'; the kinds are ${FAULT_KINDS.join(', ')}, slowdown`);
    if (f.direction !== 'to-tile' && f.direction !== 'to-hub') throw new CliError(`${at}: direction must be to-tile or to-hub, got ${String(f.direction)}`);
    if (!nonNegative(f.message) || !nonNegative(f.atCycles)) throw new CliError(`${at}: message and atCycles must be whole numbers >= 0`);
    if (f.bits !== undefined && !(Array.isArray(f.bits) && f.bits.every(nonNegative))) throw new CliError(`${at}: bits must be a list of whole numbers`);
    for (const field of ['stallCycles', 'delayCycles', 'length'] as const) {
      if (f[field] !== undefined && !nonNegative(f[field])) throw new CliError(`${at}: ${field} must be a whole number`);
    }
    if (f.picks !== undefined && !(Array.isArray(f.picks) && f.picks.every(nonNegative))) throw new CliError(`${at}: picks must be a list of whole numbers`);
    if (f.kind === 'corrupt' && !(Array.isArray(f.bits) && f.bits.length > 0)) throw new CliError(`${at}: corrupt needs "bits", the message bits to flip (for example [9, 40])`);
    return f as unknown as MessageFault;
  });
}
