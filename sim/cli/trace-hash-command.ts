// `cogsim trace-hash t.jsonl`: the trace hash a JSONL trace stands for. Since the trace hash
// is taken over binary records (docs/trace.md), `sha256sum` of the file is not it; this
// rebuilds the records from the file and prints their SHA-256, which equals the `trace
// sha256` of the run that wrote the file.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { traceHashOfJsonl, TraceJsonlError } from '../trace-jsonl.ts';
import { errnoText } from '../run/user-error.ts';
import { CliError } from './cli-error.ts';

export function registerTraceHash(program: Command): void {
  program
    .command('trace-hash')
    .description('print the trace hash a --trace JSONL file stands for (equals the run\'s trace sha256)')
    .argument('<trace>', 'a JSONL trace written by cogsim run or cogsim faults --trace')
    .action((path: string) => {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        throw new CliError(`trace ${path}: ${errnoText(err)}`);
      }
      try {
        console.log(traceHashOfJsonl(text));
      } catch (err) {
        if (err instanceof TraceJsonlError) throw new CliError(`trace ${path}: ${err.message}`);
        throw err;
      }
    });
}
