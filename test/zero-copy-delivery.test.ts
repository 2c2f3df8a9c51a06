// The zero-copy message path (docs/performance.md, "Zero-copy message path"): without a link
// tap the hub's request is written stamped (and sealed) straight into the tile's I/O buffer
// and the tile's reply waits in that buffer until the hub reads it. These tests pin that
// the tile sees exactly the bytes the hub's old stamped copy had, and that a reply the tile
// would overwrite before the hub reads it is copied out first.
import { describe, expect, it } from 'vitest';
import { HEADER } from '../protocol/constants.ts';
import { sealMessage } from '../protocol/integrity.ts';
import { summarize } from '../sim/run/report.ts';
import type { RunConfig } from '../sim/run/run-config.ts';
import { buildSimulation, runSimulation, type Simulation } from '../sim/run/simulation.ts';
import { DIRECT_ROUTING, type LinkTap } from '../sim/tapped-link.ts';
import type { TileNode } from '../sim/tile-node.ts';
import { IO_PTR, MSG_F_CRC } from '../wat/layout.ts';
import { pushConfig } from './helpers/push-run.ts';

/** The request as the hub used to make it: a copy of the template, its msg_id set, sealed by sealMessage. */
function stampedTheOldWay(template: Uint8Array, msgId: number, sealed: boolean): Uint8Array {
  const copy = template.slice();
  new DataView(copy.buffer).setUint32(HEADER.id, msgId, true);
  return sealed ? sealMessage(copy) : copy;
}

/** A tap that lets everything through unchanged: the run takes the copying path. */
function passThrough(): LinkTap {
  return { hubToTile: (_t, b) => b, tileToHub: (_t, b) => b, beforeHandle: () => {}, routing: () => DIRECT_ROUTING, replyArriving: () => {}, trapArriving: () => {}, afterHandle: () => {}, undeliverable: () => {} };
}

const QUIET = { faultDetected: () => {}, tileRetired: () => {}, messageAbandoned: () => {}, replyAccepted: () => {}, reacted: () => {} };

function build(config: RunConfig, opts: { integrity?: boolean; replyTimeoutCycles?: number; tap?: LinkTap }): Simulation {
  const hub = { ...(opts.integrity ? { integrity: true } : {}), ...(opts.replyTimeoutCycles ? { replyTimeoutCycles: opts.replyTimeoutCycles } : {}) };
  return buildSimulation(config, { cacheDir: null, hub, ...(opts.tap ? { instrument: () => ({ listener: QUIET, tap: opts.tap! }) } : {}) });
}

function finish(s: Simulation): { traceHash: string; answersHash: string; events: number } {
  const { events } = runSimulation(s, undefined, { maxEvents: 2_000_000 });
  const r = summarize(s, events, 0);
  s.trace.close();
  return { traceHash: r.traceHash, answersHash: r.answersHash, events };
}

/**
 * Checks, for every message a tile runs, that its I/O buffer holds exactly the old stamped
 * copy when the kernel is called (the instance's `onMessage` is watched, so the check sees the
 * buffer after handleStamped wrote it, not what it was given).
 */
function watchIoBuffers(nodes: readonly TileNode[]): { stamped: number; checked: number; mismatches: string[] } {
  const seen = { stamped: 0, checked: 0, mismatches: [] as string[] };
  for (const node of nodes) {
    let expected: Uint8Array | null = null;
    const handleStamped = node.handleStamped.bind(node);
    node.handleStamped = (template, msgId, sealed) => {
      expected = stampedTheOldWay(template, msgId, sealed);
      seen.stamped++;
      return handleStamped(template, msgId, sealed);
    };
    const inst = node.instance;
    const onMessage = inst.onMessage.bind(inst);
    inst.onMessage = () => {
      if (expected) {
        const got = inst.bytes.slice(IO_PTR, IO_PTR + expected.length);
        if (Buffer.compare(got, expected) !== 0) seen.mismatches.push(`tile ${node.tileId} message ${seen.checked}: ${Buffer.from(got.subarray(0, 12)).toString('hex')} != ${Buffer.from(expected.subarray(0, 12)).toString('hex')}`);
        seen.checked++;
        expected = null;
      }
      return onMessage();
    };
  }
  return seen;
}

/** Every request each tile ran, in order, as bytes (whichever path wrote them). */
function recordRequests(nodes: readonly TileNode[]): Uint8Array[][] {
  const got = nodes.map((): Uint8Array[] => []);
  for (const node of nodes) {
    const handle = node.handle.bind(node);
    const handleStamped = node.handleStamped.bind(node);
    node.handle = (request) => {
      got[node.tileId]!.push(request.slice());
      return handle(request);
    };
    node.handleStamped = (template, msgId, sealed) => {
      got[node.tileId]!.push(stampedTheOldWay(template, msgId, sealed));
      return handleStamped(template, msgId, sealed);
    };
  }
  return got;
}

const CASES: { name: string; config: RunConfig }[] = [
  { name: 'push', config: pushConfig({ tiles: 4, meshRows: 2, meshCols: 2, seed: 5 }) },
  { name: 'pull', config: pushConfig({ tiles: 4, meshRows: 2, meshCols: 2, seed: 5, mode: 'pull' }) },
];

describe('a request written straight into the I/O buffer', () => {
  for (const { name, config } of CASES) {
    for (const integrity of [false, true]) {
      it(`gives the tile exactly the stamped${integrity ? ' and sealed' : ''} message the hub used to copy (${name})`, () => {
        const s = build(config, { integrity });
        const seen = watchIoBuffers(s.nodes);
        finish(s);
        expect(seen.stamped).toBeGreaterThan(50);
        expect(seen.checked).toBe(seen.stamped);
        expect(seen.mismatches).toEqual([]);
        // Sealed requests pass the tile's CRC check: none is refused.
        expect(s.hub.stats.errorReplies).toBe(0);
      });
    }
  }

  it('sets the seal flag in the I/O buffer in integrity mode', () => {
    const s = build(CASES[0]!.config, { integrity: true });
    let flagged = 0;
    const node = s.nodes[0]!;
    const inst = node.instance;
    const onMessage = inst.onMessage.bind(inst);
    inst.onMessage = () => {
      if ((inst.bytes[IO_PTR + HEADER.type + 1]! & (MSG_F_CRC >> 8)) !== 0) flagged++;
      return onMessage();
    };
    finish(s);
    expect(flagged).toBe(node.messagesHandled);
  });

  it('runs the same bytes, trace and answers as the copying path a link tap takes', () => {
    for (const integrity of [false, true]) {
      const direct = build(CASES[0]!.config, { integrity });
      const directRequests = recordRequests(direct.nodes);
      const a = finish(direct);
      const tapped = build(CASES[0]!.config, { integrity, tap: passThrough() });
      const tappedRequests = recordRequests(tapped.nodes);
      const b = finish(tapped);
      expect(b).toEqual(a);
      expect(tappedRequests.map((r) => r.length)).toEqual(directRequests.map((r) => r.length));
      expect(tappedRequests).toEqual(directRequests);
    }
  });
});

describe('a link tap', () => {
  it('is given the same bytes object again when the hub re-sends a message as it was (a lost pull walk message)', () => {
    const seen: { msgId: number; bytes: Uint8Array }[] = [];
    let dropped = -1;
    const tap: LinkTap = {
      ...passThrough(),
      hubToTile: (_t, b) => {
        const msgId = new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(HEADER.id, true);
        seen.push({ msgId, bytes: b });
        // The first walk message (walk ids start at 2^31) is lost once: the walk re-sends it.
        if (dropped < 0 && msgId >= 0x8000_0000) {
          dropped = msgId;
          return null;
        }
        return b;
      },
    };
    // Sealed (integrity): a lost walk message is re-sent as it was, same msg_id (resume-point.ts).
    finish(build(CASES[1]!.config, { integrity: true, tap }));
    const sends = seen.filter((x) => x.msgId === dropped);
    expect(sends.length).toBeGreaterThanOrEqual(2);
    for (const x of sends) expect(x.bytes).toBe(sends[0]!.bytes);
    // Every other message is bytes of its own.
    const others = seen.filter((x) => x.msgId !== dropped).map((x) => x.bytes);
    expect(new Set(others).size).toBe(others.length);
  });
});

describe('a reply read in place', () => {
  // A reply timeout far below a block's compute time: the hub re-sends while the tile's
  // reply is still on its way, so the tile runs the re-sent request before the hub has read
  // that reply (and, at 2,000 cycles, restarts tiles with replies in flight).
  for (const replyTimeoutCycles of [10_000, 2_000]) {
    it(`is copied out before the tile reuses its I/O buffer (reply timeout ${replyTimeoutCycles} cycles)`, () => {
      const config = pushConfig({ tiles: 4, meshRows: 2, meshCols: 2, seed: 5 });
      const inPlace = build(config, { replyTimeoutCycles });
      const a = finish(inPlace);
      // Every reply copied from the start (a tap): the trace holds every reply byte the hub read.
      const copied = build(config, { replyTimeoutCycles, tap: passThrough() });
      const b = finish(copied);
      expect(a).toEqual(b);
      expect(inPlace.hub.stats.retries).toBeGreaterThan(0);
      expect(inPlace.transport.repliesCopiedOnConflict).toBeGreaterThan(0);
      expect(copied.transport.repliesCopiedOnConflict).toBe(0);
    });
  }
});
