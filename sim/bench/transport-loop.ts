// What the simulator itself costs per message, with nothing else: the event loop and queue,
// the transport's deliver and reply paths, the mesh's and links' arrival arithmetic, the
// message slots, the trace record per message and the reply deadline's moving timer. The
// tiles answer at once with a fixed DONE-sized reply and the hub is a stub that sends each
// tile its next 2 KB chunk on every reply (stop and wait, as a block stream is) and moves
// the tile's reply deadline: the shape of the default run without kernel, machines or hub
// work. Reports CPU nanoseconds per message (hub -> tile and tile -> hub), least of rounds.
//
// Run: npx tsx sim/bench/transport-loop.ts [--tiles 64] [--messages 400000] [--rounds 7]
// Compare two trees back to back: run it in each, alternately (docs/performance.md).
import type { HubSink } from '../../hub/hub-transport.ts';
import { stampedType } from '../../protocol/stamped-message.ts';
import { Mesh } from '../mesh.ts';
import type { MovingTimer } from '../moving-timer.ts';
import { SimTransport, type SimEvents } from '../sim-transport.ts';
import { Simulator } from '../simulator.ts';
import type { TileNode, TileOutcome } from '../tile-node.ts';
import { TraceRecorder } from '../trace.ts';
import { startCpuStopwatch } from '../wallclock.ts';

const CHUNK_BYTES = 2048;
const REPLY_BYTES = 24;
const TILE_CYCLES = 1_500;
const DEADLINE_CYCLES = 500_000;

/** A tile that answers every message at once with the same reply (a view, as repliesInPlace gives). */
function stubNode(tileId: number): TileNode {
  const io = new Uint8Array(4096);
  const reply: TileOutcome = { kind: 'reply', bytes: io.subarray(0, REPLY_BYTES), length: REPLY_BYTES, cycles: TILE_CYCLES };
  const node = {
    tileId,
    dead: false,
    busyUntilCycles: 0,
    busyCycles: 0,
    repliesInPlace: true,
    handleStamped(template: Uint8Array, msgId: number): TileOutcome {
      io[4] = msgId & 0xff; // touch the buffer as a tile would, without a 2 KB copy
      io[0] = template[0]!;
      return reply;
    },
    restart(): void {},
  };
  return node as unknown as TileNode;
}

export interface LoopResult {
  messages: number;
  cpuSeconds: number;
  nsPerMessage: number;
  traceHash: string;
}

/** One run: `tiles` stop-and-wait streams until `messages` have crossed the mesh. */
export function runTransportLoop(tiles: number, messages: number): LoopResult {
  const side = Math.ceil(Math.sqrt(tiles));
  const trace = new TraceRecorder();
  const sim = new Simulator<SimEvents>({ trace });
  const mesh = new Mesh({ rows: side, cols: side, tiles });
  const nodes = Array.from({ length: tiles }, (_, i) => stubNode(i));
  const template = new Uint8Array(CHUNK_BYTES);
  template[2] = 0x10; // a type
  const type = stampedType(template, false); // the template's facts, as the hub passes them
  const deadlines: MovingTimer[] = [];
  let nextId = 1;
  let sends = messages >> 1;
  let transport: SimTransport;
  const sendNext = (tile: number): void => {
    if (sends <= 0) return;
    sends--;
    const departure = transport.send(tile, template, nextId++, false, type, template.length);
    deadlines[tile]!.set(departure - sim.nowCycles + DEADLINE_CYCLES);
  };
  const sink: HubSink = {
    onTileBooted: (tile) => sendNext(tile),
    onTileRestarted: () => {},
    onTrap: () => {},
    onReply: (tile) => {
      deadlines[tile]!.clear();
      sendNext(tile);
    },
  };
  transport = new SimTransport(sim, mesh, nodes, sink);
  for (let t = 0; t < tiles; t++) deadlines.push(sim.movingTimer('machine-timer', () => {}));
  transport.bootAll();
  const cpu = startCpuStopwatch();
  sim.run();
  const cpuSeconds = cpu.elapsedCpuSeconds();
  const crossed = transport.messagesToHub * 2;
  return { messages: crossed, cpuSeconds, nsPerMessage: (cpuSeconds * 1e9) / crossed, traceHash: trace.close() };
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const tiles = arg('--tiles', 64);
  const messages = arg('--messages', 400_000);
  const rounds = arg('--rounds', 7);
  const all: number[] = [];
  let last: LoopResult | undefined;
  for (let r = 0; r < rounds; r++) {
    last = runTransportLoop(tiles, messages);
    all.push(last.nsPerMessage);
  }
  const sorted = [...all].sort((a, b) => a - b);
  console.log(
    `transport loop: ${tiles} tiles, ${last!.messages.toLocaleString('en-US')} messages, CPU ns per message: ` +
      `least ${sorted[0]!.toFixed(0)}, median ${sorted[sorted.length >> 1]!.toFixed(0)} (rounds: ${all.map((x) => x.toFixed(0)).join(' ')}); trace ${last!.traceHash.slice(0, 16)}`,
  );
}
