// The one plain "write beside the target, then rename" for files cogsim produces itself
// (kernel builds, campaign results, bench results): a reader never sees half a file. User
// output flags add the input/key checks on top (sim/cli/output-file.ts).
import { renameSync, writeFileSync } from 'node:fs';

let counter = 0;

export function writeAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.${process.pid}-${counter++}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}
