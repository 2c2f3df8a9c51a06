// The node and V8 settings a bench ran under, printed with its figures: a flag that changes
// the engine's behaviour (a young generation size, a JIT tier) must show where the figures
// are read, whether it came on the command line (execArgv) or through NODE_OPTIONS (the
// npm scripts set it there, docs/performance.md).
import { getHeapSpaceStatistics } from 'node:v8';

/** Node's flags in effect for this process: execArgv and NODE_OPTIONS, as given. */
export function nodeFlags(): string[] {
  const fromEnv = (process.env.NODE_OPTIONS ?? '').split(/\s+/).filter((f) => f.startsWith('--'));
  // tsx's own loader hooks are not engine settings.
  const fromArgv = process.execArgv.filter((f, i, all) => f.startsWith('--') && f !== '--require' && f !== '--import' && all[i - 1] !== '--require' && all[i - 1] !== '--import' && !f.startsWith('--import=') && !f.startsWith('--require='));
  return [...fromArgv, ...fromEnv];
}

/** One line: node version, flags in effect, and the young generation's size now. */
export function describeEngine(): string {
  const flags = nodeFlags();
  const newSpace = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  const young = newSpace === undefined ? '' : `, young generation now ${(newSpace.space_size / 2 ** 20).toFixed(1)} MiB`;
  return `node ${process.version}, flags: ${flags.length === 0 ? '(none)' : flags.join(' ')}${young}`;
}
