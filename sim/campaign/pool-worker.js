// A campaign pool thread (piscina): the sources are TypeScript, so the thread registers
// tsx as the cogsim command does, then runs tasks. Clean runs are cached per thread.
import { register } from 'tsx/esm/api';

register();
const { runTask } = await import('./run-task.ts');
const cache = new Map();

export default function run(task) {
  return runTask(task, cache);
}
