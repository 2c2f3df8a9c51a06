// Outputs never overwrite in place: written beside the target, then renamed over it.
import { renameSync, writeFileSync } from 'node:fs';

let counter = 0;

export function writeFileAtomically(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}-${counter++}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
