// `cogsim replay capsule.json`: runs a capsule's exact faults again and checks that the run
// reaches the capsule's trace hash. Exit 1 when the replayed run fails (as `cogsim faults`)
// or does not reproduce the capsule's hash.
import type { Command } from 'commander';
import { buildKernel } from '../../tile/build/build-kernel.ts';
import { readCapsule, replayCapsule } from '../campaign/capsule.ts';
import { faultReport, formatFaultReport } from '../run/fault-report.ts';

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description("run a capsule's faults again and check it reproduces (same trace hash)")
    .argument('<capsule>', 'a capsule written by cogsim campaign or cogsim shrink')
    .option('--json', 'print the report as JSON')
    .action(async (path: string, flags: { json?: boolean }) => {
      const c = readCapsule(path);
      await buildKernel();
      const r = replayCapsule(c);
      const report = faultReport(r.result, c.seed, c.rate, c.kinds);
      const verdict = r.sameHash ? `reproduced: trace hash ${r.outcome.traceHash} as in the capsule` : `NOT REPRODUCED: trace hash ${r.outcome.traceHash}, the capsule says ${c.outcome.traceHash}`;
      console.log(flags.json ? JSON.stringify({ ...report, replay: { sameHash: r.sameHash, capsuleTraceHash: c.outcome.traceHash } }, null, 2) : `${formatFaultReport(report)}\n${verdict}`);
      if (r.failed || !r.sameHash) process.exitCode = 1;
    });
}
