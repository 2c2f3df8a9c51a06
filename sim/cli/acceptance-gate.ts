// The acceptance gate (issue 18, the spec family's rule against "kernel vanity"): a
// conformant candidate and a project kernel run the same simulated workloads (push, pull,
// push-hnsw at a few small sizes); the candidate is preferred only with identical answers
// and either at least 30% fewer simulated tile cycles (summed over the workloads) or at
// least 2x lower simulated p95 latency (in every workload).
import { buildSimulation, runSimulation, type Simulation } from '../run/simulation.ts';
import { DEFAULT_RUN, type RunConfig } from '../run/run-config.ts';

export interface GateWorkload {
  mode: RunConfig['mode'];
  vectors: number;
  dim: number;
}

export const GATE_WORKLOADS: readonly GateWorkload[] = (['push', 'pull', 'push-hnsw'] as const).flatMap((mode) => [
  { mode, vectors: 1000, dim: 32 },
  { mode, vectors: 3000, dim: 64 },
]);

interface Measured {
  answers: string;
  tileCycles: number;
  p95Cycles: number;
}

export interface GateRow extends GateWorkload {
  identical: boolean;
  baseline: Omit<Measured, 'answers'>;
  candidate: Omit<Measured, 'answers'>;
}

export interface GateResult {
  baseline: string;
  candidate: string;
  rows: GateRow[];
  identical: boolean;
  cycleRatio: number;
  preferred: boolean;
  reason: string;
}

function measure(s: Simulation): Measured {
  runSimulation(s);
  const outcomes = [...s.hub.outcomes.values()].sort((a, b) => a.queryId - b.queryId);
  const latencies = outcomes.map((o) => o.doneAtCycles - o.dispatchedAtCycles).sort((a, b) => a - b);
  const p95 = latencies[Math.max(0, Math.ceil(0.95 * latencies.length) - 1)] ?? 0;
  const answers = JSON.stringify(outcomes.map((o) => o.best), (_k, v) => (typeof v === 'bigint' ? `${v}` : v));
  return { answers, tileCycles: s.nodes.reduce((n, t) => n + t.busyCycles, 0), p95Cycles: p95 };
}

function config(w: GateWorkload, kernel: Pick<RunConfig, 'kernel' | 'kernelPath' | 'manifestPath' | 'trustKeyPaths'>): RunConfig {
  return { ...DEFAULT_RUN, tiles: 8, meshRows: 3, meshCols: 3, queries: 10, seed: 7, clusters: 8, mode: w.mode, vectors: w.vectors, dim: w.dim, ...kernel };
}

/** `candidate`: a verified --kernel-file choice whose checked image is prepared. */
export function acceptanceGate(baseline: string, candidate: Pick<RunConfig, 'kernelPath' | 'manifestPath' | 'trustKeyPaths'>, onWorkload?: (label: string) => void): GateResult {
  const rows = GATE_WORKLOADS.map((w) => {
    onWorkload?.(`${w.mode} ${w.vectors} x ${w.dim}`);
    const base = measure(buildSimulation(config(w, { kernel: baseline })));
    const cand = measure(buildSimulation(config(w, { kernel: baseline, ...candidate })));
    return { ...w, identical: base.answers === cand.answers, baseline: { tileCycles: base.tileCycles, p95Cycles: base.p95Cycles }, candidate: { tileCycles: cand.tileCycles, p95Cycles: cand.p95Cycles } };
  });
  const sum = (f: (r: GateRow) => number) => rows.reduce((n, r) => n + f(r), 0);
  const cycleRatio = sum((r) => r.candidate.tileCycles) / Math.max(1, sum((r) => r.baseline.tileCycles));
  const identical = rows.every((r) => r.identical);
  const fewerCycles = cycleRatio <= 0.7;
  const lowerP95 = rows.every((r) => r.candidate.p95Cycles * 2 <= r.baseline.p95Cycles);
  const preferred = identical && (fewerCycles || lowerP95);
  const reason = !identical
    ? 'answers differ from the baseline'
    : preferred
      ? fewerCycles
        ? `${((1 - cycleRatio) * 100).toFixed(1)}% fewer simulated tile cycles`
        : 'at least 2x lower simulated p95 latency in every workload'
      : `identical answers, but ${(cycleRatio * 100).toFixed(1)}% of the baseline's tile cycles (preferred needs <= 70%) and not 2x lower p95 latency everywhere`;
  return { baseline, candidate: candidate.kernelPath ?? '', rows, identical, cycleRatio, preferred, reason };
}

export function formatGate(g: GateResult): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const lines = [`acceptance gate: ${g.candidate} against ${g.baseline}`, `  ${'workload'.padEnd(22)} ${'answers'.padEnd(9)} ${'tile cycles (base -> cand)'.padEnd(30)} p95 cycles (base -> cand)`];
  for (const r of g.rows) {
    lines.push(`  ${`${r.mode} ${r.vectors} x ${r.dim}`.padEnd(22)} ${(r.identical ? 'same' : 'DIFFER').padEnd(9)} ${`${n(r.baseline.tileCycles)} -> ${n(r.candidate.tileCycles)}`.padEnd(30)} ${n(r.baseline.p95Cycles)} -> ${n(r.candidate.p95Cycles)}`);
  }
  lines.push(g.preferred ? `preferred: ${g.reason}` : `conformant, not preferred: ${g.reason}`);
  return lines.join('\n');
}
