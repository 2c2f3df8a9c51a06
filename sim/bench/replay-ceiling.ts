// The ceiling of the design for simulator throughput: the exact requests a run delivered,
// fed straight into fresh tiles with nothing else (one write into the tile's I/O buffer and
// one rvf_on_message call each, through TileInstance.onMessage as the simulator calls it,
// in delivery order). No hub, no events, no mesh, no trace, no cost model: what the tiles
// alone cost. sim-throughput.ts divides the simulator's
// messages per second by this one's (issue 14).
import { writeStampedMessage } from '../../protocol/stamped-message.ts';
import { IO_PTR } from '../../wat/layout.ts';
import type { TileNode } from '../tile-node.ts';
import { doubled } from '../typed-grow.ts';
import { startCpuStopwatch, startStopwatch } from '../wallclock.ts';

/** A delivery's bytes as they are (`msgIds` entry unused). */
const AS_IS = 0;
/** A hub request as a template and msg_id, stamped at delivery (sealed or not). */
const TEMPLATE = 1;
const TEMPLATE_SEALED = 2;

export interface DeliveryLog {
  tiles: Int32Array;
  msgIds: Uint32Array;
  forms: Uint8Array;
  /** The bytes delivered, or the template stamped with msgIds[i] (forms[i]). */
  requests: Uint8Array[];
  count: number;
}

/**
 * Records every request each tile handles, by wrapping TileNode.handle and handleStamped,
 * so the run takes the same path it takes unrecorded (a link tap would make it copy every
 * message). Only references are kept (a template is shared and never written; bytes as
 * they are are the run's own copy): the wrapper costs a push and three stores.
 */
export function recordDeliveries(nodes: readonly TileNode[]): DeliveryLog {
  const log: DeliveryLog = { tiles: new Int32Array(1024), msgIds: new Uint32Array(1024), forms: new Uint8Array(1024), requests: [], count: 0 };
  const note = (tile: number, request: Uint8Array, msgId: number, form: number): void => {
    if (log.count === log.tiles.length) grow(log);
    log.tiles[log.count] = tile;
    log.msgIds[log.count] = msgId;
    log.forms[log.count++] = form;
    log.requests.push(request);
  };
  for (const node of nodes) {
    const handle = node.handle.bind(node);
    const handleStamped = node.handleStamped.bind(node);
    node.handle = (request: Uint8Array) => {
      note(node.tileId, request, 0, AS_IS);
      return handle(request);
    };
    node.handleStamped = (template: Uint8Array, msgId: number, sealed: boolean) => {
      note(node.tileId, template, msgId, sealed ? TEMPLATE_SEALED : TEMPLATE);
      return handleStamped(template, msgId, sealed);
    };
  }
  return log;
}

function grow(log: DeliveryLog): void {
  log.tiles = doubled(log.tiles);
  log.msgIds = doubled(log.msgIds);
  log.forms = doubled(log.forms);
}

export interface ReplayResult {
  messages: number;
  wallSeconds: number;
  cpuSeconds: number;
}

/**
 * Replays `log` into fresh instances of the run's tiles (restart(): new memory, rvf_init with
 * the run's configuration, set up before timing), one request per rvf_on_message call, each
 * written into the I/O buffer as the run wrote it (stamped from its template, or as is).
 * Every request goes to the tile that got it in the run, so each sees the same sequence.
 */
export function replayDeliveries(nodes: readonly TileNode[], log: DeliveryLog): ReplayResult {
  for (const node of nodes) node.restart();
  const tiles = nodes.map((n) => n.instance);
  const wall = startStopwatch();
  const cpu = startCpuStopwatch();
  for (let i = 0; i < log.count; i++) {
    const tile = tiles[log.tiles[i]!]!;
    const form = log.forms[i]!;
    if (form === AS_IS) tile.bytes.set(log.requests[i]!, IO_PTR);
    else writeStampedMessage(tile.io, 0, log.requests[i]!, log.msgIds[i]!, form === TEMPLATE_SEALED);
    tile.onMessage(); // the simulator's kernel call path (TileNode.run), no faster, no slower
  }
  return { messages: log.count, wallSeconds: wall.elapsedMs() / 1000, cpuSeconds: cpu.elapsedCpuSeconds() };
}
