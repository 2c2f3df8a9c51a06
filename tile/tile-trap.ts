// Every way a tile call can fail at the WebAssembly level, as one typed error. The
// taxonomy follows the context ADR (section 3.3): traps are non-fatal, typed, and carry
// what the host needs to recover (which tile, which export, where in memory).

export type TrapKind =
  | 'budget-exceeded' // the fuel counter ran out: a hang, stopped deterministically
  | 'window-violation' // strict build: an access outside the data/scratch windows
  | 'memory-out-of-bounds' // the engine's own bounds check (past the end of tile memory)
  | 'unreachable'
  | 'stack-overflow'
  | 'integer-divide-by-zero'
  | 'integer-overflow'
  | 'indirect-call-mismatch'
  | 'invalid-conversion'
  | 'kernel-trap'; // anything else the engine raised

export class TileTrap extends Error {
  constructor(
    readonly tileId: number,
    readonly kind: TrapKind,
    readonly exportName: string,
    readonly detail: string,
    readonly address?: number,
  ) {
    super(`tile ${tileId}: ${kind} in ${exportName}: ${detail}`);
    this.name = 'TileTrap';
  }
}

export function classifyEngineError(err: unknown): { kind: TrapKind; detail: string } {
  if (err instanceof RangeError && /call stack/i.test(err.message)) return { kind: 'stack-overflow', detail: err.message };
  if (!(err instanceof WebAssembly.RuntimeError)) throw err; // a host bug, not a tile fault
  const m = err.message.toLowerCase();
  if (m.includes('unreachable')) return { kind: 'unreachable', detail: err.message };
  if (m.includes('out of bounds')) return { kind: 'memory-out-of-bounds', detail: err.message };
  if (m.includes('divide by zero') || m.includes('remainder by zero')) return { kind: 'integer-divide-by-zero', detail: err.message };
  if (m.includes('unrepresentable') && m.includes('divi')) return { kind: 'integer-overflow', detail: err.message };
  if (m.includes('float unrepresentable') || m.includes('conversion')) return { kind: 'invalid-conversion', detail: err.message };
  if (m.includes('signature') || m.includes('null function') || m.includes('indirect')) return { kind: 'indirect-call-mismatch', detail: err.message };
  return { kind: 'kernel-trap', detail: err.message };
}
