import { describe, expect, it } from 'vitest';
import { EncodedDataset } from '../hub/encoded-dataset.ts';
import { generateClusteredData } from '../hub/data/generate.ts';
import { Prng } from '../hub/prng.ts';
import { PullIndex, DEFAULT_PULL, type PullSettings } from '../hub/pull/pull-index.ts';
import { PullLocalWalker, PullWalkDriver, PullWalkError } from '../hub/pull/pull-driver.ts';
import { replayTileDescentWalk } from '../hub/pull/tile-walk.ts';
import { blockChunks, blockStream, padBlockVectors } from '../protocol/block-chunks.ts';
import type { TileMessage } from '../protocol/types.ts';
import type { TilePort } from '../protocol/tile-port.ts';
import { walkUnitKey, type WalkUnit } from '../hub/work/job.ts';
import { f32Bits } from '../tile/reference/fp16.ts';
import { DTYPE_FP16, LQ_F_PULL, METRIC_L2, MSG_LOAD_BLOCK } from '../wat/layout.ts';
import { ERR_BAD_COUNT } from '../wat/status.ts';
import { DEFAULT_RUN, checkRunConfig, type RunConfig } from '../sim/run/run-config.ts';
import { buildSimulation } from '../sim/run/simulation.ts';
import { CliError } from '../sim/cli/cli-error.ts';
import { freshPort, msgId, readTopK } from './protocol-fixtures.ts';
import { cogsim } from './helpers/cli.ts';
import { DEFAULT_FAULT_KINDS } from '../sim/faults/fault-kinds.ts';
import { runFaultExperiment } from '../sim/run/fault-run.ts';
import { runPull, pullDataset } from './helpers/pull.ts';
import { stampedCopy } from '../protocol/stamped-message.ts';

const BUILDS = ['simd', 'scalar'] as const;
const DIM = 24;

const dataset = pullDataset;

function pullIndex(enc: EncodedDataset, s: Partial<PullSettings>): PullIndex {
  return PullIndex.obtain(enc.decodedBase, DIM, 'l2', { ...DEFAULT_PULL, M: 6, efConstruction: 64, descent: 'tile', ...s }, new Prng(9).derive('hnsw'), { seed: 9, cacheDir: null });
}

/** One walk on a real tile, every request the tile sends in the replay's notation, and W. */
function tileWalk(port: TilePort, enc: EncodedDataset, driver: PullWalkDriver, unit: WalkUnit): { requests: string[]; entries: { id: number; bits: number; aux: number }[] } {
  const q = port.send({ type: 'LOAD_QUERY', msgId: msgId(), dtype: DTYPE_FP16, metric: METRIC_L2, k: driver.ef, flags: LQ_F_PULL, dim: DIM, vector: enc.queryBytes(unit.queryId) });
  expect(q.type).toBe('DONE');
  const requests: string[] = [];
  let out = driver.begin(0, unit);
  for (let guard = 0; guard < 10_000; guard++) {
    const reply: TileMessage = port.sendRaw(stampedCopy(out.template, out.msgId, out.sealed), out.msgId);
    if (reply.type === 'NEED_NEIGHBORS') requests.push(`NEED_NEIGHBORS ${reply.nodeId}@${reply.layer}`);
    if (reply.type === 'NEED_BLOCK') requests.push(`NEED_BLOCK ${reply.ids.join(',')}`);
    const next = driver.next(0, unit, reply);
    if ('fault' in next) throw new Error(next.fault);
    if ('done' in next) {
      requests.push('DONE');
      break;
    }
    out = next.send;
  }
  return { requests, entries: readTopK(port).map((e) => ({ id: Number(e.id), bits: f32Bits(e.dist), aux: e.aux })) };
}

const unitOf = (q: number, w: number): WalkUnit => ({ kind: 'walk', queryId: q, walk: w, key: walkUnitKey(q, w) });

describe('pull mode, tile-side descent: the tile walk equals the hub-side replay', () => {
  const enc = dataset(1200, 8);
  for (const build of BUILDS) {
    for (const [split, walks, ef] of [['shards', 2, 16], ['shards', 1, 10], ['entries', 1, 4]] as const) {
      it(`sends every request (descent steps, blocks, base-layer hops) and ends with the same W on ${build}, ${split} x ${walks}, ef ${ef}`, () => {
        const index = pullIndex(enc, { split, walks, ef });
        const driver = new PullWalkDriver(enc, index);
        const walker = new PullLocalWalker(enc, driver);
        let moves = 0;
        let layersDescended = 0;
        for (let q = 0; q < enc.queryCount; q++) {
          for (let w = 0; w < index.walks; w++) {
            const unit = unitOf(q, w);
            const tile = tileWalk(freshPort(build, DTYPE_FP16, DIM), enc, driver, unit);
            const ref = walker.trace(unit);
            expect(tile.requests).toEqual(ref.requests);
            expect(tile.entries).toEqual(ref.entries.map((e) => ({ id: e.id, bits: e.distBits, aux: e.expanded ? 1 : 0 })));
            expect(tile.entries.every((e) => e.aux === 1)).toBe(true);
            // The descent starts at the entry point's top layer and steps every layer down to 1.
            const entry = index.entry(w);
            expect(entry.layer).toBeGreaterThanOrEqual(2);
            expect(ref.descent[0]).toEqual([entry.id, entry.layer]);
            expect(ref.descent.at(-1)![1]).toBe(1);
            layersDescended += new Set(ref.descent.map((d) => d[1])).size;
            moves += ref.descent.filter((d, i) => i > 0 && d[1] === ref.descent[i - 1]![1]).length;
            // The first block carries the entry point itself, then its list.
            expect(tile.requests[0]).toBe(`NEED_BLOCK ${[entry.id, ...index.neighbors(w, entry.id, entry.layer)].join(',')}`);
          }
        }
        expect(moves).toBeGreaterThan(0); // the greedy step moved on some layer
        expect(layersDescended).toBeGreaterThanOrEqual(2 * enc.queryCount * index.walks);
      });
    }
  }

  for (const build of BUILDS) {
    it(`keeps the tie rules on data where every vector appears twice (equal distances: stay on equal, lower id first) on ${build}`, () => {
      const g = generateClusteredData(new Prng(8).derive('data'), { count: 400, dim: DIM, clusters: 4, spread: 0.15, queryCount: 6 });
      const base = new Float32Array(g.base.length * 2);
      base.set(g.base, 0);
      base.set(g.base, g.base.length);
      const dup = new EncodedDataset({ dtype: 'fp16', metric: 'l2', k: 10, dim: DIM, schedule: 'query' }, base, g.queries);
      const index = PullIndex.obtain(dup.decodedBase, DIM, 'l2', { ...DEFAULT_PULL, walks: 1, split: 'shards', M: 6, efConstruction: 48, descent: 'tile', ef: 12 }, new Prng(4).derive('hnsw'), { seed: 4, cacheDir: null });
      const driver = new PullWalkDriver(dup, index);
      const walker = new PullLocalWalker(dup, driver);
      let tiedInW = 0;
      for (let q = 0; q < dup.queryCount; q++) {
        const tile = tileWalk(freshPort(build, DTYPE_FP16, DIM), dup, driver, unitOf(q, 0));
        const ref = walker.trace(unitOf(q, 0));
        expect(tile.requests).toEqual(ref.requests);
        expect(tile.entries).toEqual(ref.entries.map((e) => ({ id: e.id, bits: e.distBits, aux: e.expanded ? 1 : 0 })));
        tiedInW += tile.entries.filter((e, i) => i > 0 && e.bits === tile.entries[i - 1]!.bits).length;
      }
      expect(tiedInW).toBeGreaterThan(0); // the case really has ties
    });
  }

  for (const build of BUILDS) {
    it(`stays on a neighbor at an equal distance and breaks W's ties by the lower id, as the replay does, on ${build}`, () => {
      // Nodes 5, 7, 2 share one vector; 9 is the query itself. Entry 5 on layer 2.
      const rng = new Prng(21);
      const q = new Uint8Array(DIM * 2).map(() => rng.nextInt(0, 0x3b));
      const a = new Uint8Array(DIM * 2).map(() => rng.nextInt(0, 0x3b));
      const vectors = new Map<number, Uint8Array>([[5, a], [7, a], [2, a], [9, q], [4, new Uint8Array(DIM * 2).map(() => rng.nextInt(0, 0x3b))]]);
      const upper: Record<string, number[]> = { '5@2': [7, 2], '5@1': [2, 9], '9@1': [5, 2] };
      const base: Record<number, number[]> = { 5: [7, 9], 7: [5, 2], 2: [7, 4], 9: [5, 4], 4: [9] };
      const src = { dim: DIM, metricCode: METRIC_L2, neighbors: (id: number) => base[id]!, upperNeighbors: (id: number, l: number) => upper[`${id}@${l}`]!, vectorBytes: (id: number) => vectors.get(id)! };
      const ref = replayTileDescentWalk(src, q, { id: 5, layer: 2 }, 6);
      expect(ref.requests.slice(0, 4)).toEqual(['NEED_BLOCK 5,7,2', 'NEED_NEIGHBORS 5@1', 'NEED_BLOCK 2,9', 'NEED_NEIGHBORS 9@1']);
      // The tile, served from the same graph.
      const port = freshPort(build, DTYPE_FP16, DIM);
      port.send({ type: 'LOAD_QUERY', msgId: msgId(), dtype: DTYPE_FP16, metric: METRIC_L2, k: 6, flags: LQ_F_PULL, dim: DIM, vector: q });
      const requests: string[] = [];
      let reply = port.send({ type: 'LOAD_NEIGHBORS', msgId: msgId(), nodeId: 5n, layer: 2, ids: [7n, 2n] });
      for (let guard = 0; guard < 100 && reply.type !== 'DONE'; guard++) {
        if (reply.type === 'NEED_NEIGHBORS') {
          const [id, l] = [Number(reply.nodeId), reply.layer];
          requests.push(`NEED_NEIGHBORS ${id}@${l}`);
          reply = port.send({ type: 'LOAD_NEIGHBORS', msgId: msgId(), nodeId: reply.nodeId, layer: l, ids: (l === 0 ? base[id]! : upper[`${id}@${l}`]!).map(BigInt) });
        } else if (reply.type === 'NEED_BLOCK') {
          requests.push(`NEED_BLOCK ${reply.ids.join(',')}`);
          const [chunk] = blockChunks(blockStream(padBlockVectors(DTYPE_FP16, DIM, reply.ids.map((id) => vectors.get(Number(id))!)), reply.ids), { firstMsgId: msgId(), count: reply.ids.length, dtype: DTYPE_FP16, explicitIds: true });
          reply = port.send(chunk!);
        } else throw new Error(`unexpected ${reply.type}`);
      }
      requests.push('DONE');
      expect(requests).toEqual(ref.requests);
      expect(readTopK(port).map((e) => ({ id: Number(e.id), bits: f32Bits(e.dist), aux: e.aux }))).toEqual(ref.entries.map((e) => ({ id: e.id, bits: e.distBits, aux: e.expanded ? 1 : 0 })));
      expect(ref.entries.slice(1, 4).map((e) => e.id)).toEqual([2, 5, 7]); // equal distances, lower id first
    });
  }

  it('a graph with only layer 0 starts from the entry point as a seed block', () => {
    const tiny = dataset(6, 2);
    const index = PullIndex.obtain(tiny.decodedBase, DIM, 'l2', { ...DEFAULT_PULL, walks: 1, M: 16, efConstruction: 16, descent: 'tile', ef: 4 }, new Prng(1).derive('hnsw'), { seed: 1, cacheDir: null });
    expect(index.entry(0).layer).toBe(0);
    const driver = new PullWalkDriver(tiny, index);
    const walker = new PullLocalWalker(tiny, driver);
    for (const build of BUILDS) {
      const tile = tileWalk(freshPort(build, DTYPE_FP16, DIM), tiny, driver, unitOf(1, 0));
      const ref = walker.trace(unitOf(1, 0));
      expect(tile.requests).toEqual(ref.requests);
      expect(ref.descent).toEqual([]);
      expect(tile.entries.map((e) => e.id)).toEqual(ref.entries.map((e) => e.id));
    }
  });
});

describe('pull mode, tile-side descent on the tile', () => {
  const vec = (rng: Prng) => new Uint8Array(DIM * 2).map(() => rng.nextInt(0, 0x3b));
  for (const build of [...BUILDS, 'simd-strict'] as const) {
    it(`asks for the entry point with its list, then steps or descends; a block that does not match the list is an ERROR reply on ${build}`, () => {
      const rng = new Prng(12);
      const port = freshPort(build, DTYPE_FP16, DIM);
      const query = vec(rng);
      expect(port.send({ type: 'LOAD_QUERY', msgId: msgId(), dtype: DTYPE_FP16, metric: METRIC_L2, k: 8, flags: LQ_F_PULL, dim: DIM, vector: query }).type).toBe('DONE');
      // Entry 5 on layer 2 with neighbors 9 and 3: the tile does not know 5's distance yet.
      expect(port.send({ type: 'LOAD_NEIGHBORS', msgId: msgId(), nodeId: 5n, layer: 2, ids: [9n, 3n] })).toMatchObject({ type: 'NEED_BLOCK', ids: [5n, 9n, 3n] });
      // Node 3 is the query itself (distance 0): the walk moves there on layer 2.
      const block = (ids: bigint[], vs: Uint8Array[]) => blockChunks(blockStream(padBlockVectors(DTYPE_FP16, DIM, vs), ids), { firstMsgId: msgId(), count: ids.length, dtype: DTYPE_FP16, explicitIds: true });
      expect(port.send(block([5n, 9n, 3n], [vec(rng), vec(rng), query])[0]!)).toMatchObject({ type: 'NEED_NEIGHBORS', nodeId: 3n, layer: 2 });
      // 3's list on layer 2: only 5, which is farther, so it stays and goes down a layer; its
      // distance is known now, so the block holds just the list.
      expect(port.send({ type: 'LOAD_NEIGHBORS', msgId: msgId(), nodeId: 3n, layer: 2, ids: [5n] })).toMatchObject({ type: 'NEED_BLOCK', ids: [5n] });
      expect(port.send(block([5n], [vec(rng)])[0]!)).toMatchObject({ type: 'NEED_NEIGHBORS', nodeId: 3n, layer: 1 });
      // An empty list on layer 1: no block, the descent is over and the base-layer beam
      // starts from W's nearest entry (3, distance 0).
      expect(port.send({ type: 'LOAD_NEIGHBORS', msgId: msgId(), nodeId: 3n, layer: 1, ids: [] })).toMatchObject({ type: 'NEED_NEIGHBORS', nodeId: 3n, layer: 0 });
      const w = readTopK(port);
      expect(w.map((e) => Number(e.id)).sort()).toEqual([3, 5, 9]); // every node the descent evaluated
      expect([w[0]!.id, w[0]!.dist, w[0]!.aux]).toEqual([3n, 0, 1]); // the node reached, being expanded
      expect(w.slice(1).map((e) => e.aux)).toEqual([0, 0]);
      // A fresh walk: the hub answers NEED_BLOCK [5, 9, 3] with only two vectors.
      port.send({ type: 'LOAD_QUERY', msgId: msgId(), dtype: DTYPE_FP16, metric: METRIC_L2, k: 8, flags: LQ_F_PULL, dim: DIM, vector: query });
      expect(port.send({ type: 'LOAD_NEIGHBORS', msgId: msgId(), nodeId: 5n, layer: 2, ids: [9n, 3n] }).type).toBe('NEED_BLOCK');
      expect(port.send(block([5n, 9n], [vec(rng), vec(rng)])[0]!)).toMatchObject({ type: 'ERROR', code: ERR_BAD_COUNT, requestType: MSG_LOAD_BLOCK, detail: 2 });
      // The tile keeps serving: a new walk on layer 0 is the base-layer beam as before.
      port.send({ type: 'LOAD_QUERY', msgId: msgId(), dtype: DTYPE_FP16, metric: METRIC_L2, k: 8, flags: LQ_F_PULL, dim: DIM, vector: query });
      expect(port.send(block([3n], [query])[0]!)).toMatchObject({ type: 'NEED_NEIGHBORS', nodeId: 3n, layer: 0 });
    });
  }
});

function pullConfig(overrides: Partial<RunConfig> = {}, pull: Partial<RunConfig['pull']> = {}): RunConfig {
  return checkRunConfig({ ...DEFAULT_RUN, vectors: 2000, dim: 32, queries: 20, clusters: 8, tiles: 8, meshRows: 3, meshCols: 3, mode: 'pull', ...overrides, pull: { ...DEFAULT_RUN.pull, M: 8, efConstruction: 80, ...pull } });
}

const run = runPull;

describe('pull mode, --descent tile end to end', () => {
  it('reaches recall comparable to the hub descent on a small clustered set, without hub routing', () => {
    const hub = run(pullConfig({}, { descent: 'hub' }));
    const tile = run(pullConfig({}, { descent: 'tile' }));
    console.log(`recall@10 descent hub ${hub.summary.recallAtK.toFixed(4)} (${hub.summary.messagesPerQuery.toFixed(1)} msgs/query), tile ${tile.summary.recallAtK.toFixed(4)} (${tile.summary.messagesPerQuery.toFixed(1)} msgs/query)`);
    expect(tile.summary.recallAtK).toBeGreaterThanOrEqual(0.9);
    expect(tile.summary.recallAtK).toBeGreaterThanOrEqual(hub.summary.recallAtK - 0.03);
    expect(tile.summary.pull!.descent).toBe('tile');
    expect(tile.summary.pull!.hubRoutingDistancesPerQuery).toBe(0);
    expect(hub.summary.pull!.hubRoutingDistancesPerQuery).toBeGreaterThan(0);
    expect(tile.summary.pull!.descentStepsPerQuery).toBeGreaterThan(2 * 2); // 2 walks, >= 2 layers each
    expect(hub.summary.pull!.descentStepsPerQuery).toBe(0);
    expect(tile.summary.pull!.walkErrors).toBe(0);
    expect(tile.summary.hub.hubLocalUnits).toBe(0);
  });

  it('is deterministic: the same seed gives the same trace hash and answers; the descent changes the trace', () => {
    const a = run(pullConfig({ queries: 6 }, { descent: 'tile' }));
    const b = run(pullConfig({ queries: 6 }, { descent: 'tile' }));
    expect(b.summary.traceHash).toBe(a.summary.traceHash);
    expect(b.ids).toEqual(a.ids);
    const h = run(pullConfig({ queries: 6 }, { descent: 'hub' }));
    expect(h.summary.traceHash).not.toBe(a.summary.traceHash);
  });

  it('a corrupt upper-layer list fails the walk once; the retry gives the clean answer', () => {
    const clean = run(pullConfig({ queries: 4 }, { descent: 'tile' }));
    let injected = false;
    const faulty = run(pullConfig({ queries: 4 }, { descent: 'tile' }), (driver) => {
      const index = driver.index;
      const original = index.neighbors.bind(index);
      index.neighbors = (walk: number, id: number, layer = 0) => {
        const list = original(walk, id, layer);
        if (injected || layer === 0) return list;
        injected = true;
        return [...list, 99_999];
      };
    });
    expect(injected).toBe(true);
    expect(faulty.driver.errors).toHaveLength(1);
    expect(faulty.driver.errors[0]!.message).toMatch(/^tile \d+, query \d+, walk \d+: NEED_BLOCK asks for node 99999, which does not exist/);
    expect(faulty.ids).toEqual(clean.ids);
  });
});

describe('pull mode, --descent tile at 10% faults per message, every kind on', () => {
  it('loses no query and changes no answer: sealed messages, CRC-trailer-sized chunks, rebuilt walks and hub-side replays of the descent', () => {
    const run = checkRunConfig({
      ...DEFAULT_RUN, vectors: 1500, dim: 64, queries: 12, clusters: 16, tiles: 8, meshRows: 3, meshCols: 3, mode: 'pull', seed: 11,
      pull: { ...DEFAULT_RUN.pull, M: 8, efConstruction: 60, descent: 'tile' },
    });
    const r = runFaultExperiment({ run, rate: { numerator: 1, denominator: 10 }, kinds: DEFAULT_FAULT_KINDS }, () => 0);
    expect(r.stalled).toBeNull();
    expect(r.lost).toBe(0);
    expect(r.differing).toEqual([]);
    expect(r.ledger.undetected()).toEqual([]);
    expect(r.clean.pull!.descentStepsPerQuery).toBeGreaterThan(0);
    expect(r.faulty!.hub.retries).toBeGreaterThan(0);
  });
});

describe('pull mode, --descent tile bad input', () => {
  it('an upper-layer NEED_NEIGHBORS for a layer the node does not have fails the walk naming tile, query, node and layer', () => {
    const sim = buildSimulation(pullConfig({}, { descent: 'tile' }), { cacheDir: null });
    const driver = sim.pull!.driver;
    const index = driver.index;
    // A node of walk 1's region (odd ids) whose top layer is 0.
    const node = Array.from({ length: 200 }, (_, i) => 2 * i + 1).find((id) => index.regions[1]!.levelOf((id - 1) / 2) === 0)!;
    driver.begin(3, unitOf(5, 1));
    const r = driver.next(3, unitOf(5, 1), { type: 'NEED_NEIGHBORS', msgId: 1, nodeId: BigInt(node), layer: 1 });
    expect(r).toEqual({ fault: `tile 3, query 5, walk 1: NEED_NEIGHBORS asks for node ${node} on layer 1, which it does not have (its top layer is 0)` });
    const e = driver.errors.at(-1)!;
    expect(e).toBeInstanceOf(PullWalkError);
    expect([e.tileId, e.queryId, e.walk, e.nodeId, e.layer]).toEqual([3, 5, 1, BigInt(node), 1]);
    // The entry point has its top layer and not one above it.
    const entry = index.entry(1);
    driver.begin(3, unitOf(5, 1));
    expect(driver.next(3, unitOf(5, 1), { type: 'NEED_NEIGHBORS', msgId: 1, nodeId: BigInt(entry.id), layer: entry.layer + 1 })).toMatchObject({ fault: expect.stringContaining(`node ${entry.id} on layer ${entry.layer + 1}, which it does not have (its top layer is ${entry.layer})`) });
    driver.begin(3, unitOf(5, 1));
    expect(driver.next(3, unitOf(5, 1), { type: 'NEED_NEIGHBORS', msgId: 1, nodeId: BigInt(entry.id), layer: entry.layer })).toHaveProperty('send');
    // With the hub descent an upper layer is refused outright.
    const hubSim = buildSimulation(pullConfig({}, { descent: 'hub' }), { cacheDir: null });
    hubSim.pull!.driver.begin(2, unitOf(0, 0));
    expect(hubSim.pull!.driver.next(2, unitOf(0, 0), { type: 'NEED_NEIGHBORS', msgId: 1, nodeId: BigInt(entry.id - 1), layer: 1 })).toMatchObject({ fault: expect.stringMatching(/--descent hub serves layer 0 only/) });
  });

  it('cogsim run --descent tile reports the tile descent; another value is refused naming the flag', () => {
    const args = ['run', '--mode', 'pull', '--vectors', '400', '--dim', '16', '--queries', '3', '--clusters', '3', '--tiles', '4', '--M', '6'];
    const ok = cogsim([...args, '--descent', 'tile']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/\(shards\), tile descent,/);
    expect(ok.stdout).toMatch(/tile descent +[\d.]+ upper-layer lists, [\d.]+ vectors per query/);
    const bad = cogsim([...args, '--descent', 'both']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--descent/);
  });

  it('refuses --descent tile with several entry-split walks, naming the flags', () => {
    expect(() => pullConfig({}, { descent: 'tile', split: 'entries', walks: 2 })).toThrow(CliError);
    expect(() => pullConfig({}, { descent: 'tile', split: 'entries', walks: 2 })).toThrow(/--descent tile with --walk-split entries and --walks 2/);
    expect(() => pullConfig({}, { descent: 'tile', split: 'entries', walks: 1 })).not.toThrow();
    expect(() => pullConfig({}, { descent: 'hub', split: 'entries', walks: 2 })).not.toThrow();
  });
});
