// The fault experiment's report: faults injected, detected and recovered per kind, what
// recovery cost (restarts, retirements, reassignments, hub-local work, latency), and the
// answer to the only question that matters: did every query come back, unchanged?
import { FAULT_KINDS, type FaultKind } from '../faults/fault-kinds.ts';
import type { FaultRunResult } from './fault-run.ts';
import type { RunSummary } from './report.ts';

export interface FaultReport {
  seed: number;
  rate: string;
  kinds: FaultKind[];
  perKind: Record<FaultKind, { injected: number; detected: number; recovered: number }>;
  undetected: { kind: FaultKind; tile: number; atCycles: number; message: string }[];
  consequentialDetections: number;
  /** Faults the injector put on messages or tiles (sim/faults/fault-record.ts), cancelled ones included. */
  recorded: number;
  /** Injections that did not apply where they landed (not counted above), and of those, faults on a re-sent copy whose original answered first. */
  cancelled: number;
  superseded: number;
  queries: number;
  queriesLost: number;
  queriesDiffering: number[];
  identical: boolean;
  recovery: RunSummary['hub'] | null;
  clean: { simulatedSeconds: number; latencyUsP50: number; latencyUsP99: number; messagesPerQuery: number; traceHash: string };
  faulty: { simulatedSeconds: number; latencyUsP50: number; latencyUsP99: number; messagesPerQuery: number; traceHash: string } | null;
  extraLatencyUsP50: number | null;
  extraLatencyUsP99: number | null;
  stalled: string | null;
}

function timing(r: RunSummary) {
  return { simulatedSeconds: r.simulatedSeconds, latencyUsP50: r.latencyUsP50, latencyUsP99: r.latencyUsP99, messagesPerQuery: r.messagesPerQuery, traceHash: r.traceHash };
}

export function faultReport(r: FaultRunResult, seed: number, rate: string, kinds: FaultKind[]): FaultReport {
  const identical = r.lost === 0 && r.differing.length === 0 && r.stalled === null;
  const counts = r.ledger.counts();
  // A detected fault counts as recovered when the run still answered every query exactly
  // as the clean run did; a lost or changed answer cannot be pinned on one fault.
  const perKind = Object.fromEntries(
    FAULT_KINDS.map((k) => [k, { ...counts[k], recovered: identical ? counts[k].detected : 0 }]),
  ) as FaultReport['perKind'];
  return {
    seed,
    rate,
    kinds,
    perKind,
    undetected: r.ledger.undetected().map((i) => ({ kind: i.kind, tile: i.tile, atCycles: i.atCycles, message: i.message })),
    consequentialDetections: r.ledger.unexplained,
    recorded: r.injected.length,
    cancelled: r.ledger.cancelled,
    superseded: r.ledger.superseded,
    queries: r.queries,
    queriesLost: r.lost,
    queriesDiffering: r.differing,
    identical,
    recovery: r.faulty?.hub ?? null,
    clean: timing(r.clean),
    faulty: r.faulty ? timing(r.faulty) : null,
    extraLatencyUsP50: r.faulty ? r.faulty.latencyUsP50 - r.clean.latencyUsP50 : null,
    extraLatencyUsP99: r.faulty ? r.faulty.latencyUsP99 - r.clean.latencyUsP99 : null,
    stalled: r.stalled,
  };
}

export function faultReportPassed(f: FaultReport): boolean {
  return f.identical && f.undetected.length === 0;
}

const n = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

export function formatFaultReport(f: FaultReport): string {
  const lines = [`fault injection: seed ${f.seed}, rate ${f.rate} per message, kinds ${f.kinds.join(',')}`, `  ${'kind'.padEnd(10)} ${'injected'.padStart(9)} ${'detected'.padStart(9)} ${'recovered'.padStart(10)}`];
  for (const k of FAULT_KINDS) {
    const c = f.perKind[k];
    if (!f.kinds.includes(k) && c.injected === 0) continue;
    lines.push(`  ${k.padEnd(10)} ${n(c.injected).padStart(9)} ${n(c.detected).padStart(9)} ${n(c.recovered).padStart(10)}`);
  }
  const total = FAULT_KINDS.reduce((a, k) => a + f.perKind[k].injected, 0);
  lines.push(`  ${'all'.padEnd(10)} ${n(total).padStart(9)} ${n(total - f.undetected.length).padStart(9)}`);
  lines.push(`  ${n(f.consequentialDetections)} further detections were consequences of these faults (e.g. the timeouts of a dead tile)`);
  lines.push(`  ${n(f.cancelled)} injections changed nothing and are not counted (${n(f.superseded)} on a re-sent copy whose original answered first); ${n(f.recorded)} faults recorded`);
  if (f.recovery) {
    const h = f.recovery;
    lines.push(`recovery: ${n(h.retries)} retries, ${n(h.restarts)} restarts, ${n(h.retirements)} retirements, ${n(h.reassignedUnits)} units reassigned, ${n(h.hubLocalUnits)} units computed by the hub`);
  }
  if (f.faulty) {
    lines.push(`latency p50 / p99: clean ${n(f.clean.latencyUsP50, 1)} / ${n(f.clean.latencyUsP99, 1)} us, with faults ${n(f.faulty.latencyUsP50, 1)} / ${n(f.faulty.latencyUsP99, 1)} us (+${n(f.extraLatencyUsP50 ?? 0, 1)} / +${n(f.extraLatencyUsP99 ?? 0, 1)} us)`);
    lines.push(`simulated time: clean ${n(f.clean.simulatedSeconds * 1e3, 3)} ms, with faults ${n(f.faulty.simulatedSeconds * 1e3, 3)} ms; messages per query ${n(f.clean.messagesPerQuery, 1)} -> ${n(f.faulty.messagesPerQuery, 1)}`);
    lines.push(`trace sha256: clean ${f.clean.traceHash}`);
    lines.push(`              faults ${f.faulty.traceHash}`);
  }
  lines.push(`queries: ${n(f.queries)}, lost ${n(f.queriesLost)}, answered differently from the clean run ${n(f.queriesDiffering.length)}`);
  if (f.stalled) lines.push(`STALLED: ${f.stalled}`);
  for (const u of f.undetected.slice(0, 10)) lines.push(`UNDETECTED ${u.kind} on tile ${u.tile} at cycle ${u.atCycles} (${u.message})`);
  lines.push(faultReportPassed(f) ? 'every injected fault was detected and every query answered exactly as without faults' : `FAILED: reproduce with --seed ${f.seed}`);
  return lines.join('\n');
}
