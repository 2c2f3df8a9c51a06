// CPU nanoseconds per request of the tile wrapper alone: the default bench case (64 tiles,
// 10 queries) runs once with its deliveries recorded; they are then replayed into fresh
// tiles through TileNode's own path (handleStamped: the write into the I/O buffer, the kernel
// call, the work counters and their cycles, the reply view) and through the bare replay
// (replay-ceiling.ts: the write and the kernel call only). The difference is what the
// simulator costs around each kernel call (docs/performance.md, "The kernel call").
//
//   npx tsx sim/bench/tile-wrapper.ts [--tree DIR] [--rounds N]
// --tree runs another checkout's tile wrapper (e.g. main's) in this process, for a same-minute comparison.
import { resolve } from 'node:path';
import type * as Throughput from './sim-throughput.ts';
import type * as Simulation from '../run/simulation.ts';
import type * as Replay from './replay-ceiling.ts';
import type * as Config from '../run/run-config.ts';
import type { TileNode } from '../tile-node.ts';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const tree = resolve(flag('--tree', '.'));
const rounds = Number(flag('--rounds', '10'));
const { defaultCase } = (await import(`${tree}/sim/bench/sim-throughput.ts`)) as typeof Throughput;
const { buildSimulation, runSimulation } = (await import(`${tree}/sim/run/simulation.ts`)) as typeof Simulation;
const { recordDeliveries, replayDeliveries } = (await import(`${tree}/sim/bench/replay-ceiling.ts`)) as typeof Replay;
const { checkRunConfig, DEFAULT_RUN } = (await import(`${tree}/sim/run/run-config.ts`)) as typeof Config;

const c = defaultCase(10);
const s = buildSimulation(checkRunConfig({ ...DEFAULT_RUN, tiles: c.tiles, meshRows: c.meshRows, meshCols: c.meshCols, queries: c.queries, vectors: c.vectors!, dim: 384, seed: 1 }));
const log = recordDeliveries(s.nodes);
runSimulation(s);
// The recorder wrapped handle and handleStamped on each node: replay through the class's own.
const proto = Object.getPrototypeOf(s.nodes[0]) as TileNode;

function wrapperMs(): number {
  for (const node of s.nodes) node.restart();
  const start = cpuMs();
  for (let i = 0; i < log.count; i++) {
    const node = s.nodes[log.tiles[i]!]!;
    const form = log.forms[i]!;
    if (form === 0) proto.handle.call(node, log.requests[i]!);
    else proto.handleStamped.call(node, log.requests[i]!, log.msgIds[i]!, form === 2);
  }
  return cpuMs() - start;
}

let wrapper = Infinity;
let bare = Infinity;
for (let r = 0; r < rounds; r++) {
  wrapper = Math.min(wrapper, wrapperMs());
  bare = Math.min(bare, replayDeliveries(s.nodes, log).cpuSeconds * 1000);
}
const ns = (ms: number) => (ms * 1e6) / log.count;
console.log(`tile wrapper of ${tree}: ${log.count.toLocaleString('en-US')} requests, least CPU of ${rounds} rounds`);
console.log(`  through TileNode.handleStamped  ${ns(wrapper).toFixed(0)} ns per request`);
console.log(`  bare replay (write + call)      ${ns(bare).toFixed(0)} ns per request`);
console.log(`  the wrapper's own share         ${ns(wrapper - bare).toFixed(0)} ns per request`);
