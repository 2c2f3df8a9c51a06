// Fault plans (`--plan plan.json`): faults phased in simulated time, beside the random
// per-message rate. A phase gives a kind, the tiles it hits, a window in simulated
// milliseconds and a chance per message in that window; `slowdown` phases make a tile
// compute slower for the window instead. The format is documented in docs/faults.md.
import { readFileSync } from 'node:fs';
import { UserError as CliError } from '../run/user-error.ts';
import { FAULT_KINDS, type FaultKind, type FaultRate } from './fault-kinds.ts';
import { CYCLES_PER_MS, type FaultDirection } from './fault-record.ts';

export interface PlanPhase {
  kind: FaultKind | 'slowdown';
  tiles: number[];
  fromCycles: number;
  /** Exclusive; MAX_SAFE_INTEGER: to the end of the run. */
  toCycles: number;
  /** Chance per message in the window (message kinds). */
  rate: FaultRate;
  /** drop and corrupt: which link direction; the other kinds act on messages to the tile. */
  direction: FaultDirection | 'both';
  /** slowdown: compute cycles multiplied by this. */
  factor: number;
}

export interface FaultPlan {
  phases: PlanPhase[];
}

/** A decimal in 0..1 as an exact integer ratio. */
function ratio(value: unknown, where: string): FaultRate {
  const text = typeof value === 'number' ? String(value) : String(value ?? '');
  const m = /^(0|1)?(?:\.(\d{1,6}))?$/.exec(text);
  if (!m || text === '' || text === '.') throw new CliError(`${where}: rate must be a decimal in 0..1 such as 0.9, got ${text}`);
  const denominator = 10 ** (m[2] ?? '').length;
  const numerator = Number(m[1] ?? '0') * denominator + Number(m[2] || '0');
  if (numerator > denominator) throw new CliError(`${where}: rate must be at most 1, got ${text}`);
  return { numerator, denominator };
}

function tileList(value: unknown, tiles: number, where: string): number[] {
  const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value.map(String) : null;
  if (!items || items.length === 0) throw new CliError(`${where}: tiles must be a list such as [0,1] or a range such as "0-3"`);
  const out = new Set<number>();
  for (const item of items) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(item);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
    if (!m || hi < lo || hi >= tiles) throw new CliError(`${where}: tiles '${item}' is not a tile or range within 0..${tiles - 1}`);
    for (let t = lo; t <= hi; t++) out.add(t);
  }
  return [...out].sort((a, b) => a - b);
}

function ms(value: unknown, fallback: number, where: string, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new CliError(`${where}: ${field} must be a number of simulated milliseconds >= 0, got ${String(value)}`);
  return Math.round(value * CYCLES_PER_MS);
}

export function parsePlan(json: unknown, tiles: number, where = 'plan'): FaultPlan {
  const phases = (json as { phases?: unknown })?.phases;
  if (!Array.isArray(phases)) throw new CliError(`${where}: expected {"phases": [...]}`);
  return {
    phases: phases.map((p: Record<string, unknown>, i): PlanPhase => {
      const at = `${where}: phase ${i}`;
      if (typeof p !== 'object' || p === null) throw new CliError(`${at} is not an object`);
      const kind = p.kind as PlanPhase['kind'];
      if (kind !== 'slowdown' && !(FAULT_KINDS as readonly string[]).includes(kind)) throw new CliError(`${at}: unknown kind '${String(kind)}'; the kinds are ${FAULT_KINDS.join(', ')}, slowdown`);
      const fromCycles = ms(p.fromMs, 0, at, 'fromMs');
      const toCycles = ms(p.toMs, Number.MAX_SAFE_INTEGER, at, 'toMs');
      if (toCycles <= fromCycles) throw new CliError(`${at}: toMs must be after fromMs`);
      const direction = (p.direction ?? 'to-tile') as PlanPhase['direction'];
      if (!['to-tile', 'to-hub', 'both'].includes(direction)) throw new CliError(`${at}: direction must be to-tile, to-hub or both, got ${String(direction)}`);
      if (direction !== 'to-tile' && kind !== 'drop' && kind !== 'corrupt') throw new CliError(`${at}: only drop and corrupt act on replies; ${kind} takes direction to-tile`);
      const factor = p.factor === undefined ? 1 : Number(p.factor);
      if (kind === 'slowdown' && !(factor >= 1 && factor <= 1000)) throw new CliError(`${at}: factor must be in 1..1000, got ${String(p.factor)}`);
      return { kind, tiles: tileList(p.tiles, tiles, at), fromCycles, toCycles, rate: ratio(p.rate ?? 1, at), direction, factor };
    }),
  };
}

export function readPlan(path: string, tiles: number): FaultPlan {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CliError(`--plan ${path}: ${(err as Error).message}`);
  }
  return parsePlan(json, tiles, `--plan ${path}`);
}

/** The phases that can put `kind`-agnostic faults on this message now. */
export function activePhases(plan: FaultPlan, tile: number, direction: FaultDirection, now: number): PlanPhase[] {
  return plan.phases.filter(
    (p) => p.kind !== 'slowdown' && now >= p.fromCycles && now < p.toCycles && p.tiles.includes(tile) && (p.direction === 'both' || p.direction === direction),
  );
}
