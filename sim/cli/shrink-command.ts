// `cogsim shrink capsule.json`: the smallest run that still fails the same way (faults by
// delta debugging, then queries, then tiles), written as a capsule and its faults in words.
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { buildKernel } from '../../tile/build/build-kernel.ts';
import { readCapsule, writeCapsule } from '../campaign/capsule.ts';
import { shrinkCapsule } from '../campaign/shrink.ts';
import { describeFault } from '../faults/fault-record.ts';
import { CliError } from './cli-error.ts';
import { refuseIfInput, writeAtomically } from './output-file.ts';

export function registerShrink(program: Command): void {
  program
    .command('shrink')
    .description('shrink a failing capsule: fewer faults (ddmin), then fewer queries and tiles, while it still fails')
    .argument('<capsule>', 'a capsule written by cogsim campaign')
    .option('--out <file>', 'where the minimal capsule goes (default: beside it, NAME.min.json)')
    .action(async (path: string, flags: { out?: string }) => {
      const c = readCapsule(path);
      const out = flags.out ?? join(dirname(path), `${basename(path, '.json')}.min.json`);
      // Refused before the runs: the capsule itself (also through a link) or a key.
      const inputs = [{ flag: 'the capsule', path }];
      refuseIfInput({ flag: '--out', path: out }, inputs);
      await buildKernel();
      let result;
      try {
        result = shrinkCapsule(c, (line) => process.stderr.write(`${line}\n`));
      } catch (err) {
        throw new CliError(`capsule ${path}: ${(err as Error).message}`);
      }
      const m = result.capsule;
      writeCapsule(out, m, (p, data) => writeAtomically({ flag: '--out', path: p }, inputs, data));
      const lines = [
        `shrunk in ${result.runs} runs: ${c.faults.length} -> ${m.faults.length} faults, ${c.run.queries} -> ${m.run.queries} queries, ${c.run.tiles} -> ${m.run.tiles} tiles`,
        `still fails: lost ${m.outcome.lost}, differing ${m.outcome.differing.length ? m.outcome.differing.join(',') : 'none'}, undetected ${m.outcome.undetected}${m.outcome.stalled ? `, stalled` : ''}`,
        'faults:',
        ...m.faults.map((f, i) => `  ${i + 1}. ${describeFault(f)}`),
        `written to ${out} (replay with cogsim replay ${out})`,
      ];
      console.log(lines.join('\n'));
    });
}
