// The ceiling of the design for simulator throughput: the exact request bytes a run
// delivered, fed straight into fresh tiles with nothing else (one copy into the tile's I/O
// buffer and one rvf_on_message call each, in delivery order). No hub, no events, no mesh,
// no trace, no cost model: what the tiles alone cost. sim-throughput.ts divides the
// simulator's messages per second by this one's (issue 14).
import { IO_PTR } from '../../wat/layout.ts';
import type { TileNode } from '../tile-node.ts';
import { startCpuStopwatch, startStopwatch } from '../wallclock.ts';

export interface DeliveryLog {
  tiles: Int32Array;
  requests: Uint8Array[];
  count: number;
}

/**
 * Records every request each tile handles, by wrapping TileNode.handle. Only a reference
 * is kept (the bytes are the run's own fresh copy): the wrapper costs one array push.
 */
export function recordDeliveries(nodes: readonly TileNode[]): DeliveryLog {
  const log: DeliveryLog = { tiles: new Int32Array(1024), requests: [], count: 0 };
  for (const node of nodes) {
    const handle = node.handle.bind(node);
    node.handle = (request: Uint8Array) => {
      if (log.count === log.tiles.length) {
        const grown = new Int32Array(log.tiles.length * 2);
        grown.set(log.tiles);
        log.tiles = grown;
      }
      log.tiles[log.count++] = node.tileId;
      log.requests.push(request);
      return handle(request);
    };
  }
  return log;
}

export interface ReplayResult {
  messages: number;
  wallSeconds: number;
  cpuSeconds: number;
}

/**
 * Replays `log` into fresh instances of the run's tiles (restart(): new memory, rvf_init with
 * the run's configuration, set up before timing), one request per rvf_on_message call.
 * Every request goes to the tile that got it in the run, so each sees the same sequence.
 */
export function replayDeliveries(nodes: readonly TileNode[], log: DeliveryLog): ReplayResult {
  for (const node of nodes) node.restart();
  const tiles = nodes.map((n) => n.instance);
  const wall = startStopwatch();
  const cpu = startCpuStopwatch();
  for (let i = 0; i < log.count; i++) {
    const tile = tiles[log.tiles[i]!]!;
    tile.bytes.set(log.requests[i]!, IO_PTR);
    tile.call('rvf_on_message');
  }
  return { messages: log.count, wallSeconds: wall.elapsedMs() / 1000, cpuSeconds: cpu.elapsedCpuSeconds() };
}
