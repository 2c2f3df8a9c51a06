// The faults a run can inject (docs/faults.md), and how `--kinds` and `--rate` parse.
import { UserError as CliError } from '../run/user-error.ts';

export const FAULT_KINDS = ['trap', 'hang', 'corrupt', 'drop', 'slow', 'death', 'bitflip', 'duplicate', 'delay', 'truncate', 'freeze', 'forged', 'sdc'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The kinds a run injects when --kinds is not given, and a campaign's `all`: every kind but
 *  `sdc`, a silent wrong distance that only redundancy (--redundancy 2) can catch. */
export const DEFAULT_FAULT_KINDS: readonly FaultKind[] = FAULT_KINDS.filter((k) => k !== 'sdc');

/** Kinds that act on replies (tile to hub); the others act on messages to a tile. */
export const REPLY_KINDS: readonly FaultKind[] = ['corrupt', 'drop', 'duplicate', 'delay', 'truncate', 'forged', 'sdc'];
/** Kinds that act on messages to a tile. */
export const REQUEST_KINDS: readonly FaultKind[] = ['trap', 'hang', 'corrupt', 'drop', 'slow', 'death', 'bitflip', 'duplicate', 'delay', 'truncate', 'freeze'];

export interface FaultRate {
  numerator: number;
  denominator: number;
}

export const MAX_FAULT_RATE = 0.25;

export function parseKinds(text: string): FaultKind[] {
  const kinds = text.split(',').map((k) => k.trim()).filter(Boolean);
  if (kinds.length === 0) throw new CliError(`--kinds is empty; choose from ${FAULT_KINDS.join(',')}`);
  for (const k of kinds) {
    if (!(FAULT_KINDS as readonly string[]).includes(k)) throw new CliError(`--kinds: unknown fault '${k}'; the kinds are ${FAULT_KINDS.join(', ')}`);
  }
  return [...new Set(kinds)] as FaultKind[];
}

/** A decimal rate as an exact integer ratio (decisions from randomness use integers). */
export function parseRate(text: string): FaultRate {
  const m = /^(0|[1-9]\d*)?(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!m || text.trim() === '' || text.trim() === '.') throw new CliError(`--rate '${text}' is not a decimal number such as 0.1`);
  const decimals = m[2] ?? '';
  const denominator = 10 ** decimals.length;
  const numerator = Number(m[1] ?? '0') * denominator + Number(decimals || '0');
  if (numerator / denominator > MAX_FAULT_RATE) {
    throw new CliError(`--rate ${text} is above ${MAX_FAULT_RATE}: at that rate a message rarely gets through its retries, so recovery cannot be guaranteed`);
  }
  return { numerator, denominator };
}
