// Push mode answers exactly: on every mesh shape and both schedules, the hub's merged
// top-K equals brute force over the very values the tiles compare (fp16, or the i8 codes
// dequantized to fp16), ids and order. A test-side brute force checks the report's own
// exactMatches count, so a wrong report cannot hide a wrong answer.
import { describe, expect, it } from 'vitest';
import { bruteForceKnn } from '../hub/data/brute-force-knn.ts';
import type { RunConfig } from '../sim/run/run-config.ts';
import { runPush, type PushRun } from './helpers/push-run.ts';

const DIM = 44; // not a multiple of 8: the tiles see zero padding
const VECTORS_PER_BLOCK = 128; // 44 dims pad to 48 fp16 = 96 B, capped at 128 vectors

interface MeshCase {
  name: string;
  tiles: number;
  meshRows: number;
  meshCols: number;
}

const MESHES: MeshCase[] = [
  { name: '1 tile on 1x1', tiles: 1, meshRows: 1, meshCols: 1 },
  { name: '3 tiles on 2x2', tiles: 3, meshRows: 2, meshCols: 2 },
  { name: '16 tiles on 4x4', tiles: 16, meshRows: 4, meshCols: 4 },
  { name: '7 tiles on 2x5', tiles: 7, meshRows: 2, meshCols: 5 },
];

/** Enough blocks that every tile owns one, and a short last block. */
function vectorsFor(tiles: number): number {
  return VECTORS_PER_BLOCK * (tiles + 1) + 37;
}

function bruteForceOverTileValues(run: PushRun): number[][] {
  const { encoded, config } = run.sim;
  const nq = encoded.queryCount;
  const queries = new Float32Array(nq * encoded.dim);
  for (let q = 0; q < nq; q++) queries.set(encoded.decodedQuery(q), q * encoded.dim);
  const truth = bruteForceKnn({ base: encoded.decodedBase, queries, dim: encoded.dim, k: config.k, metric: config.metric });
  return Array.from({ length: nq }, (_, q) => Array.from(truth.ids.subarray(q * config.k, (q + 1) * config.k)));
}

function expectExact(run: PushRun): void {
  const { summary } = run;
  expect(run.ids.length).toBe(summary.queries);
  expect(run.ids).toEqual(bruteForceOverTileValues(run));
  expect(summary.exactMatches).toBe(summary.queries);
  expect(summary.hub.retries + summary.hub.hubLocalUnits).toBe(0);
}

function overrides(mesh: MeshCase, extra: Partial<RunConfig>): Partial<RunConfig> {
  return { tiles: mesh.tiles, meshRows: mesh.meshRows, meshCols: mesh.meshCols, vectors: vectorsFor(mesh.tiles), dim: DIM, queries: 6, k: 10, seed: 11, ...extra };
}

describe('push mode on fp16 data', () => {
  for (const schedule of ['query', 'block'] as const) {
    for (const mesh of MESHES) {
      it(`returns brute force's top-10 over the fp16 data with ${mesh.name}, ${schedule}-stationary`, () => {
        const run = runPush(overrides(mesh, { schedule }));
        expectExact(run);
        expect(run.summary.recallAtK).toBeGreaterThan(0.9);
        // Every tile owns a block, so every tile worked: the mesh was really used.
        expect(run.sim.nodes.every((n) => n.messagesHandled > 0)).toBe(true);
      });
    }
  }

  it('returns brute force\'s top-16 (the largest k) for ip and cosine too', () => {
    for (const metric of ['ip', 'cosine'] as const) {
      expectExact(runPush(overrides(MESHES[3]!, { metric, k: 16 })));
    }
  });
});

describe('push mode on i8 (SQ) data', () => {
  for (const schedule of ['query', 'block'] as const) {
    it(`returns brute force's top-10 over the dequantized values the tiles compare, ${schedule}-stationary`, () => {
      const run = runPush(overrides(MESHES[1]!, { dtype: 'i8', schedule }));
      expectExact(run);
      expect(run.summary.sentByType['LOAD_PARAMS']?.messages ?? 0).toBeGreaterThan(0);
    });
  }

  it('compares dequantized values that differ from the fp16 encoding (the i8 check is not the fp16 check)', () => {
    const fp16 = runPush(overrides(MESHES[1]!, {}));
    const i8 = runPush(overrides(MESHES[1]!, { dtype: 'i8' }));
    expect(Array.from(i8.sim.encoded.decodedBase)).not.toEqual(Array.from(fp16.sim.encoded.decodedBase));
    // i8 streams half the block bytes of fp16.
    expect(i8.summary.sentByType['LOAD_BLOCK']!.bytes).toBeLessThan(fp16.summary.sentByType['LOAD_BLOCK']!.bytes);
  });
});
