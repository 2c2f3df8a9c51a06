// One definition of "conformant" (issue 18, the spec family's conformance gate): the
// fixture's checks run twice on fresh tiles from the same seed; the kernel conforms when
// every check passes and both runs observed the same bytes. The message-level checks speak
// the protocol, a layer above this one, so the caller passes them in
// (protocol/conformance/message-checks.ts).
import { createHash } from 'node:crypto';
import type { LoadedKernel } from '../kernel-module.ts';
import type { CaseRandom } from './cases.ts';
import { coreChecks, type CheckResult, type Sink } from './core-checks.ts';
import { formatChecks } from './format-checks.ts';
import { lz4Checks } from './lz4-checks.ts';
import { pq6Checks } from './pq6-checks.ts';
import { quantChecks } from './quant-checks.ts';
import { walkChecks } from './walk-checks.ts';

export type CheckGroup = (kernel: LoadedKernel, prng: CaseRandom, sink: Sink) => CheckResult[];

export interface ConformanceReport {
  kernel: string;
  checks: CheckResult[];
  pass: boolean;
  /** SHA-256 of everything the first run observed. */
  digest: string;
}

function runOnce(kernel: LoadedKernel, newPrng: () => CaseRandom, groups: readonly CheckGroup[]): { checks: CheckResult[]; digest: string } {
  const h = createHash('sha256');
  const sink: Sink = (b) => void h.update(typeof b === 'string' ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)).update('\0');
  const prng = newPrng();
  const checks = groups.flatMap((g) => g(kernel, prng, sink));
  return { checks, digest: h.digest('hex') };
}

export function runConformance(kernel: LoadedKernel, newPrng: () => CaseRandom, extra: readonly CheckGroup[] = []): ConformanceReport {
  // The Hot image's checks (PQ6, LZ4) come last, so a Core kernel's inputs are as before.
  const groups = [coreChecks, formatChecks, quantChecks, walkChecks, ...extra, pq6Checks, lz4Checks];
  const first = runOnce(kernel, newPrng, groups);
  const second = runOnce(kernel, newPrng, groups);
  const same: CheckResult = {
    name: 'the same bytes on a second run (fresh tiles, same inputs)',
    pass: first.digest === second.digest,
    cases: 1,
    ...(first.digest === second.digest ? {} : { firstDifference: `digest of the first run ${first.digest.slice(0, 16)}, of the second ${second.digest.slice(0, 16)}` }),
  };
  const checks = [...first.checks, same];
  return { kernel: kernel.variant, checks, pass: checks.every((c) => c.pass), digest: first.digest };
}

export function formatConformance(r: ConformanceReport): string {
  const lines = [`conformance of kernel ${r.kernel}`];
  for (const c of r.checks) {
    lines.push(`  ${c.pass ? 'pass' : 'FAIL'}  ${c.name} (${c.cases} case${c.cases === 1 ? '' : 's'})`);
    if (c.firstDifference) lines.push(`        first difference: ${c.firstDifference}`);
  }
  const failed = r.checks.filter((c) => !c.pass).length;
  lines.push(r.pass ? `conformant: all ${r.checks.length} checks pass` : `NOT CONFORMANT: ${failed} of ${r.checks.length} checks fail`);
  return lines.join('\n');
}
