// The hub's common reply in one pass (hub/core/one-pass-reply.ts) against the generic path
// (Hub.onReply with HubOptions.onePassReplies false): seeded runs in every mode, sealed and
// plain, with delegated runs of steps, chips, and a reply timeout short enough that replies
// come late (stale replies and re-sends, the declines), must give the same run to the byte:
// trace hash, answers, the whole summary, every hub counter and the hub's compute. Each run
// also counts the replies the one pass took, so a shortcut never taken cannot pass.
import { afterEach, describe, expect, it } from 'vitest';
import { ReplyRelay } from '../hub/core/one-pass-reply.ts';
import type { TileSession } from '../hub/core/tile-session.ts';
import { summarize } from '../sim/run/report.ts';
import { DEFAULT_RUN, type RunConfig } from '../sim/run/run-config.ts';
import { buildSimulation, runSimulation } from '../sim/run/simulation.ts';
import { DIRECT_ROUTING, type LinkTap } from '../sim/tapped-link.ts';
import { pushConfig } from './helpers/push-run.ts';

const relay = ReplyRelay.prototype.relay;
let taken = 0;
let declined = 0;
ReplyRelay.prototype.relay = function (this: ReplyRelay, tile: TileSession, bytes: Uint8Array): boolean {
  const handled = relay.call(this, tile, bytes);
  if (handled) taken++;
  else declined++;
  return handled;
};
afterEach(() => {
  taken = 0;
  declined = 0;
});

function run(config: RunConfig, hub: { onePassReplies: boolean; integrity?: boolean; replyTimeoutCycles?: number }): string {
  const s = buildSimulation(config, { cacheDir: null, hub });
  const { events } = runSimulation(s, undefined, { maxEvents: 2_000_000 });
  const summary = summarize(s, events, 0);
  s.trace.close();
  const stats = { ...s.hub.stats, sentByType: [...s.hub.stats.sentByType], faultsByKind: [...s.hub.stats.faultsByKind] };
  return JSON.stringify({ summary, stats, hubWork: s.hub.hubWork, outcomes: [...s.hub.outcomes] });
}

/** The run both ways; returns how many replies the one pass took and declined. */
function bothWays(overrides: Partial<RunConfig>, hub: { integrity?: boolean; replyTimeoutCycles?: number } = {}): { taken: number; declined: number } {
  const config = pushConfig({ tiles: 8, meshRows: 2, meshCols: 4, ...overrides });
  const generic = run(config, { ...hub, onePassReplies: false });
  expect(taken + declined).toBe(0); // turned off, the one pass is never asked
  const onePass = run(config, { ...hub, onePassReplies: true });
  expect(onePass).toBe(generic);
  return { taken, declined };
}

describe('the hub reply in one pass (hub/core/one-pass-reply.ts)', () => {
  it('gives the generic path\'s run in push mode, per query and per block, plain and sealed', () => {
    for (const schedule of ['query', 'block'] as const) {
      for (const integrity of [false, true]) {
        const { taken: t, declined: d } = bothWays({ schedule, vectors: 3000, dim: 64, queries: 12, seed: 3 }, { integrity });
        // Per query nearly every reply is a chunk's DONE; per block (small blocks here) most end a step.
        expect(t).toBeGreaterThan(schedule === 'query' ? 10 * d : 100);
        expect(d).toBeGreaterThan(0); // the step ends and reads took the generic path
        taken = 0;
        declined = 0;
      }
    }
  });

  it('gives the generic path\'s run in pull and push-hnsw modes, on chips, with LZ4 chunks and with SQ parameters', () => {
    const chips = { chips: 2, tilesPerChip: 4, sharedBytes: 8 * 1024 * 1024, cache: true };
    const configs: Partial<RunConfig>[] = [{ mode: 'pull' }, { mode: 'pull', pull: { ...DEFAULT_RUN.pull, descent: 'tile' } }, { mode: 'push-hnsw' }, { mode: 'push-hnsw', chips }, { chips, lz4: true }, { dtype: 'i8', metric: 'cosine' }];
    for (const overrides of configs) {
      const { taken: t, declined: d } = bothWays({ vectors: 3000, dim: 64, queries: 10, seed: 5, ...overrides });
      // A pull run's replies here are all its walks' (the walker's, never a DONE the link goes on from).
      if (overrides.mode === 'pull') expect([t, d > 0]).toEqual([0, true]);
      else expect(t).toBeGreaterThan(overrides.mode === 'push-hnsw' ? 50 : 10 * d);
      taken = 0;
      declined = 0;
    }
  });

  it('gives the generic path\'s run when replies come after their deadline (stale replies, re-sends)', () => {
    const { taken: t, declined: d } = bothWays({ vectors: 3000, dim: 64, queries: 6, seed: 7 }, { replyTimeoutCycles: 6_000 });
    expect(t).toBeGreaterThan(0);
    expect(d).toBeGreaterThan(t / 50);
  });

  it('is asked with a listener too (a fault run, cogsim run), which hears every reply and fault as on the generic path', () => {
    const through: LinkTap = { hubToTile: (_t, b) => b, tileToHub: (_t, b) => b, beforeHandle: () => {}, routing: () => DIRECT_ROUTING, replyArriving: () => {}, trapArriving: () => {}, afterHandle: () => {}, undeliverable: () => {} };
    const heard = (onePassReplies: boolean, replyTimeoutCycles?: number): string => {
      const calls: string[] = [];
      const listener = {
        faultDetected: (t: number, f: { kind: string }) => calls.push(`fault ${t} ${f.kind}`),
        tileRetired: (t: number) => calls.push(`retired ${t}`),
        messageAbandoned: (t: number, id: number, why: string) => calls.push(`abandoned ${t} ${id} ${why}`),
        replyAccepted: (t: number, id: number) => calls.push(`accepted ${t} ${id}`),
        reacted: (t: number, r: unknown) => calls.push(`reacted ${t} ${JSON.stringify(r)}`),
      };
      const config = pushConfig({ tiles: 8, meshRows: 2, meshCols: 4, vectors: 3000, dim: 64, queries: 6, seed: 3 });
      const hub = { onePassReplies, ...(replyTimeoutCycles === undefined ? {} : { replyTimeoutCycles }) };
      const s = buildSimulation(config, { cacheDir: null, hub, instrument: () => ({ listener, tap: through }) });
      const { events } = runSimulation(s, undefined, { maxEvents: 2_000_000 });
      const r = summarize(s, events, 0);
      s.trace.close();
      return JSON.stringify({ run: `${r.traceHash} ${r.answersHash} ${r.simulatedSeconds} ${events}`, calls });
    };
    for (const timeout of [undefined, 6_000]) {
      const generic = heard(false, timeout);
      expect(taken + declined).toBe(0);
      const onePass = heard(true, timeout);
      expect(onePass).toBe(generic);
      expect(taken).toBeGreaterThan(0);
      expect(JSON.parse(generic).calls.filter((c: string) => c.startsWith('accepted')).length).toBeGreaterThan(taken);
      if (timeout !== undefined) expect(JSON.parse(generic).calls.some((c: string) => !c.startsWith('accepted'))).toBe(true); // late replies: faults heard
      taken = 0;
      declined = 0;
    }
  });
});
