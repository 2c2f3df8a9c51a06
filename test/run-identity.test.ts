// The trace hash pins what decides the answers (kernel image, dataset content, effective
// config, every reply's bytes) and nothing else (no paths); answersHash pins the answers
// alone, the same for any conformant kernel.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateClusteredData } from '../hub/data/generate.ts';
import { writeFvecs } from '../hub/data/fvecs.ts';
import { Prng } from '../hub/prng.ts';
import { HEADER } from '../protocol/constants.ts';
import { MSG_HEADER_BYTES, MSG_TOPK_RESULT, TOPK_RESULT_HEADER_BYTES } from '../wat/layout.ts';
import { formatSummary, summarize, type RunSummary } from '../sim/run/report.ts';
import { cogsim, SMALL_RUN } from './helpers/cli.ts';
import { buildSimulation, runSimulation } from '../sim/run/simulation.ts';
import type { LinkTap } from '../sim/tapped-link.ts';
import { pushConfig, runPush } from './helpers/push-run.ts';
import { PULL_TEST_DIM } from './helpers/pull.ts';
import { DEFAULT_RUN, checkRunConfig } from '../sim/run/run-config.ts';
import { sha256Hex } from '../sim/run/run-identity.ts';

const dir = mkdtempSync(join(tmpdir(), 'cogsim-identity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A tap that changes one byte of the n-th TOPK_RESULT the hub receives and nothing else. */
function flipOneReplyByte(nth: number, offset: number): LinkTap & { flipped: number } {
  let seen = 0;
  const tap = {
    flipped: 0,
    hubToTile: (_t: number, b: Uint8Array) => b,
    tileToHub: (_t: number, b: Uint8Array) => {
      const type = new DataView(b.buffer, b.byteOffset, b.byteLength).getUint16(HEADER.type, true);
      if (type !== MSG_TOPK_RESULT || seen++ !== nth) return b;
      const out = b.slice();
      out[offset] = out[offset]! ^ 0x01;
      tap.flipped++;
      return out;
    },
    beforeHandle: () => {},
    routing: () => ({ delayCycles: 0, copyAfterCycles: null, copy: null }),
    replyArriving: () => {},
    trapArriving: () => {},
    afterHandle: () => {},
    undeliverable: () => {},
  };
  return tap;
}

function runWithTap(tap: LinkTap | null): { traceHash: string; answersHash: string } {
  const quiet = { faultDetected: () => {}, tileRetired: () => {}, messageAbandoned: () => {}, replyAccepted: () => {}, reacted: () => {} };
  const s = buildSimulation(pushConfig({ tiles: 3, meshRows: 2, meshCols: 2, seed: 5 }), tap ? { instrument: () => ({ listener: quiet, tap }) } : {});
  const { events } = runSimulation(s);
  const r = summarize(s, events, 0);
  s.trace.close();
  return { traceHash: r.traceHash, answersHash: r.answersHash };
}

describe('the trace hash covers every reply payload', () => {
  it('changes when one byte of one reply changes, even a byte the answer does not show', () => {
    const clean = runWithTap(null);
    expect(runWithTap(null)).toEqual(clean);
    // The reserved u32 after the count: the hub ignores it, so the answers stay the same.
    const reserved = flipOneReplyByte(2, MSG_HEADER_BYTES + 4);
    const quiet = runWithTap(reserved);
    expect(reserved.flipped).toBe(1);
    expect(quiet.answersHash).toBe(clean.answersHash);
    expect(quiet.traceHash).not.toBe(clean.traceHash);
    // The first entry's id (entries: id u64, dist f32, pad): the answers change too.
    const id = flipOneReplyByte(2, MSG_HEADER_BYTES + TOPK_RESULT_HEADER_BYTES);
    const loud = runWithTap(id);
    expect(id.flipped).toBe(1);
    expect(loud.traceHash).not.toBe(clean.traceHash);
    expect(loud.answersHash).not.toBe(clean.answersHash);
  });
});

describe('the trace hash names data by content, never by path', () => {
  const g = generateClusteredData(new Prng(9).derive('data'), { count: 300, dim: 20, clusters: 4, spread: 0.15, queryCount: 6 });
  const a = join(dir, 'a');
  const b = join(dir, 'elsewhere', 'deeper');
  mkdirSync(a, { recursive: true });
  mkdirSync(b, { recursive: true });
  writeFileSync(join(a, 'base.fvecs'), writeFvecs(g.base, 20));
  writeFileSync(join(a, 'queries.fvecs'), writeFvecs(g.queries, 20));
  copyFileSync(join(a, 'base.fvecs'), join(b, 'base.fvecs'));
  copyFileSync(join(a, 'queries.fvecs'), join(b, 'queries.fvecs'));

  function runFrom(folder: string, trace: string) {
    return runPush({ tiles: 3, meshRows: 2, meshCols: 2, dataPath: join(folder, 'base.fvecs'), queryPath: join(folder, 'queries.fvecs'), tracePath: join(dir, trace) }).summary;
  }

  it('gives the same trace hash for the same file copied to another folder, and the file\'s real rows and dim', () => {
    const x = runFrom(a, 'x.jsonl');
    const y = runFrom(b, 'y.jsonl');
    expect(y.traceHash).toBe(x.traceHash);
    expect(y.answersHash).toBe(x.answersHash);
    expect(x.data).toContain(a); // the path is for people, in the human summary only
    expect(x.dataset).toEqual({ source: 'base.fvecs', rows: 300, dim: 20, queries: 6, sha256: sha256Hex(g.base), queriesSha256: sha256Hex(g.queries) });
    const first = readFileSync(join(dir, 'x.jsonl'), 'utf8').split('\n')[0]!;
    expect(first).not.toContain(dir);
    const record = JSON.parse(first) as { dataset: { rows: number; dim: number }; config: { tiles: number } };
    expect(record.dataset).toMatchObject({ rows: 300, dim: 20 }); // not the defaults 20,000 x 384
    expect(x.config).toMatchObject({ tiles: 3, mesh: '2x2', metric: 'l2', mode: 'push', schedule: 'query', concurrency: 4, k: 10 });
    const text = formatSummary(x);
    expect(text).toContain('3 tiles on a 2x2 mesh, metric l2, concurrency 4');
    expect(text).toContain(`dataset                  base.fvecs, 300 x 20, 6 queries; vectors sha256 ${x.dataset.sha256}`);
    expect(text).toContain(`kernel                   simd, image sha256 ${x.kernel.sha256}`);
    expect(text).toContain(`answers sha256           ${x.answersHash}`);
  });

  it('changes with the content: one vector nudged in the copy', () => {
    const x = runFrom(a, 'x2.jsonl');
    const nudged = g.base.slice();
    nudged[7] = nudged[7]! + 0.25;
    writeFileSync(join(b, 'base.fvecs'), writeFvecs(nudged, 20));
    const y = runFrom(b, 'y2.jsonl');
    expect(y.dataset.sha256).not.toBe(x.dataset.sha256);
    expect(y.traceHash).not.toBe(x.traceHash);
    expect(y.answersHash).not.toBe(x.answersHash);
  });
});

describe('answersHash', () => {
  it('is equal for the simd and scalar kernels on the same run, while their trace hashes differ', () => {
    const simd = runPush({ tiles: 3, meshRows: 2, meshCols: 2, kernel: 'simd' }).summary;
    const scalar = runPush({ tiles: 3, meshRows: 2, meshCols: 2, kernel: 'scalar' }).summary;
    expect(scalar.kernel.build).toBe('scalar');
    expect(scalar.kernel.sha256).not.toBe(simd.kernel.sha256);
    expect(scalar.answersHash).toBe(simd.answersHash);
    expect(scalar.traceHash).not.toBe(simd.traceHash);
  });

  it('changes when the answers change (another k)', () => {
    const a = runPush({ tiles: 2, meshRows: 1, meshCols: 2, k: 10 }).summary;
    const b = runPush({ tiles: 2, meshRows: 1, meshCols: 2, k: 9 }).summary;
    expect(b.answersHash).not.toBe(a.answersHash);
  });
});

describe('config reports the HNSW index actually used', () => {
  it('reads M from a loaded --index file, not from --M', () => {
    const index = join(dir, 'walk.hnsw');
    const base = { ...DEFAULT_RUN, vectors: 400, dim: PULL_TEST_DIM, queries: 4, clusters: 6, tiles: 4, meshRows: 2, meshCols: 2, mode: 'pull' as const };
    const build = (M: number) => {
      const s = buildSimulation(checkRunConfig({ ...base, pull: { ...base.pull, walks: 1, split: 'entries', M, indexPath: index } }), { cacheDir: null });
      const { events } = runSimulation(s);
      const r = summarize(s, events, 0);
      s.trace.close();
      return r;
    };
    const built = build(6);
    const loaded = build(4); // the file exists now: it is loaded, built with M 6
    expect(built.config.index?.M).toBe(6);
    expect(loaded.config.index).toEqual(built.config.index);
    expect(loaded.pull?.M).toBe(6);
    expect(loaded.config.pull).toEqual({ ef: 16, walks: 1, split: 'entries', descent: 'hub' });
    expect(loaded.traceHash).toBe(built.traceHash);
  });
});

describe('cogsim run --json', () => {
  it('holds tileWork, hubWork, kernel, dataset, config and answersHash with the agreed names', () => {
    const r = cogsim([...SMALL_RUN, '--json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as RunSummary;
    expect(Object.keys(j.tileWork.cycles)).toEqual(expect.arrayContaining(['distance', 'merge', 'crc', 'io', 'dispatch', 'total']));
    expect(j.tileWork.distances).toBe(60 * 2);
    expect(j.tileWork.merges).toBeGreaterThan(0);
    expect(j.tileWork.crcBytes).toBe(0);
    expect(j.hubWork).toMatchObject({ distances: 0 });
    expect(j.hubWork.cycles).toBeGreaterThan(0);
    expect(j.kernel).toEqual({ build: 'simd', image: 'simd-strict-fuel', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(j.dataset).toMatchObject({ source: 'built-in clustered', rows: 60, dim: 16, queries: 2, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(j.config).toMatchObject({ tiles: 2, mesh: '1x2', metric: 'l2', mode: 'push', schedule: 'query', concurrency: 4, k: 10, seed: 1 });
    expect(j.answersHash).toMatch(/^[0-9a-f]{64}$/);
  });
});
