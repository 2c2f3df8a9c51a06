import { describe, expect, it } from 'vitest';
import { EncodedDataset } from '../hub/encoded-dataset.ts';
import { Prng } from '../hub/prng.ts';
import { PullIndex, DEFAULT_PULL, type PullSettings } from '../hub/pull/pull-index.ts';
import { PullLocalWalker, PullWalkDriver } from '../hub/pull/pull-driver.ts';
import { replayTileWalk } from '../hub/pull/tile-walk.ts';
import { VisitedFilter } from '../hub/pull/visited-filter.ts';
import { blockChunks, blockStream, padBlockVectors } from '../protocol/block-chunks.ts';
import type { TileMessage } from '../protocol/types.ts';
import { walkUnitKey, type WalkUnit } from '../hub/work/job.ts';
import { f32Bits } from '../tile/reference/fp16.ts';
import { DTYPE_FP16, LQ_F_PULL, METRIC_L2 } from '../wat/layout.ts';
import { freshPort, msgId, readTopK, sendAllDone } from './protocol-fixtures.ts';
import type { TilePort } from '../protocol/tile-port.ts';
import { stampedCopy } from '../protocol/stamped-message.ts';
import { pullDataset } from './helpers/pull.ts';

const BUILDS = ['simd', 'scalar'] as const;
const DIM = 24;

const dataset = pullDataset;

function pullIndex(enc: EncodedDataset, s: Partial<PullSettings>): PullIndex {
  return PullIndex.obtain(enc.decodedBase, DIM, 'l2', { ...DEFAULT_PULL, M: 8, efConstruction: 64, ...s }, new Prng(9).derive('hnsw'), { seed: 9, cacheDir: null });
}

/** Drives one walk on a real tile: LOAD_QUERY(PULL), then the driver answers until DONE. */
function tileWalk(port: TilePort, enc: EncodedDataset, driver: PullWalkDriver, unit: WalkUnit): { expanded: number[]; entries: { id: number; bits: number; aux: number }[] } {
  const q = port.send({ type: 'LOAD_QUERY', msgId: msgId(), dtype: DTYPE_FP16, metric: METRIC_L2, k: driver.ef, flags: LQ_F_PULL, dim: DIM, vector: enc.queryBytes(unit.queryId) });
  expect(q.type).toBe('DONE');
  const expanded: number[] = [];
  let out = driver.begin(0, unit);
  for (let guard = 0; guard < 10_000; guard++) {
    const reply: TileMessage = port.sendRaw(stampedCopy(out.template, out.msgId, out.sealed), out.msgId);
    if (reply.type === 'NEED_NEIGHBORS') expanded.push(Number(reply.nodeId));
    const next = driver.next(0, unit, reply);
    if ('fault' in next) throw new Error(next.fault);
    if ('done' in next) break;
    out = next.send;
  }
  return { expanded, entries: readTopK(port).map((e) => ({ id: Number(e.id), bits: f32Bits(e.dist), aux: e.aux })) };
}

describe('pull mode: the tile walk equals the hub-side replay', () => {
  const enc = dataset(900, 6);
  for (const build of BUILDS) {
    for (const [split, walks, ef] of [['shards', 2, 16], ['entries', 3, 10], ['shards', 1, 4]] as const) {
      it(`gives the same W (ids, distance bits, expanded flags) and expansion order on ${build}, ${split} x ${walks}, ef ${ef}`, () => {
        const index = pullIndex(enc, { split, walks, ef });
        const driver = new PullWalkDriver(enc, index);
        const walker = new PullLocalWalker(enc, driver);
        let compared = 0;
        for (let q = 0; q < enc.queryCount; q++) {
          for (let w = 0; w < index.walks; w++) {
            const unit: WalkUnit = { kind: 'walk', queryId: q, walk: w, key: walkUnitKey(q, w) };
            const tile = tileWalk(freshPort(build, DTYPE_FP16, DIM), enc, driver, unit);
            const ref = replayTileWalk(walker.source(w), enc.queryBytes(q), driver.seeds(q)[w]!, ef);
            expect(tile.expanded).toEqual(ref.expanded);
            expect(tile.entries).toEqual(ref.entries.map((e) => ({ id: e.id, bits: e.distBits, aux: e.expanded ? 1 : 0 })));
            expect(tile.entries).toHaveLength(ef);
            expect(tile.entries.every((e) => e.aux === 1)).toBe(true); // DONE only when W is fully expanded
            compared++;
          }
        }
        expect(compared).toBe(enc.queryCount * index.walks);
      });
    }
  }

  it('reuses one tile for walk after walk: LOAD_QUERY(PULL) starts each with a fresh filter and W', () => {
    const index = pullIndex(enc, { split: 'shards', walks: 2, ef: 12 });
    const driver = new PullWalkDriver(enc, index);
    const walker = new PullLocalWalker(enc, driver);
    const port = freshPort('simd', DTYPE_FP16, DIM);
    for (let q = 0; q < 3; q++) {
      const unit: WalkUnit = { kind: 'walk', queryId: q, walk: 1, key: walkUnitKey(q, 1) };
      const got = tileWalk(port, enc, driver, unit).entries.map((e) => e.id);
      expect(got).toEqual(walker.walk(unit).candidates.map((c) => c.id));
    }
  });
});

describe('pull mode: the visited filter', () => {
  for (const build of BUILDS) {
    it(`drops exactly the neighbors the TypeScript filter drops, false positives included, on ${build}`, () => {
      const port = freshPort(build, DTYPE_FP16, DIM);
      const rng = new Prng(3);
      const seeds = Array.from({ length: 40 }, (_, i) => i * 7919 + 11);
      // Ids the filter wrongly reports as seen once the seeds are marked (both bits set).
      const filter = new VisitedFilter();
      for (const id of seeds) filter.visit(id);
      const falsePositives: number[] = [];
      for (let id = 1_000_000; falsePositives.length < 3; id++) {
        const probe = new VisitedFilter();
        for (const s of seeds) probe.visit(s);
        if (!probe.visit(id)) falsePositives.push(id);
      }
      const fresh = [5, 6, 7, 123_456, 4_000_000_000];
      const query = new Uint8Array(DIM * 2).map(() => rng.nextInt(0, 0x3b));
      expect(port.send({ type: 'LOAD_QUERY', msgId: msgId(), dtype: DTYPE_FP16, metric: METRIC_L2, k: 16, flags: LQ_F_PULL, dim: DIM, vector: query }).type).toBe('DONE');
      const vectors = seeds.map(() => new Uint8Array(DIM * 2).map(() => rng.nextInt(0, 0x3b)));
      const chunks = blockChunks(blockStream(padBlockVectors(DTYPE_FP16, DIM, vectors), seeds.map(BigInt)), { firstMsgId: msgId(), count: seeds.length, dtype: DTYPE_FP16, explicitIds: true });
      sendAllDone(port, chunks.slice(0, -1));
      const first = port.send(chunks.at(-1)!);
      expect(first.type).toBe('NEED_NEIGHBORS');
      const list = [seeds[3]!, fresh[0]!, falsePositives[0]!, fresh[1]!, seeds[0]!, falsePositives[1]!, fresh[2]!, fresh[3]!, falsePositives[2]!, fresh[4]!, fresh[0]!];
      const node = first.type === 'NEED_NEIGHBORS' ? first.nodeId : 0n;
      const reply = port.send({ type: 'LOAD_NEIGHBORS', msgId: msgId(), nodeId: node, layer: 0, ids: list.map(BigInt) });
      expect(reply).toMatchObject({ type: 'NEED_BLOCK', ids: fresh.map(BigInt) }); // the repeated fresh id is asked for once
      const expected = list.filter((id) => filter.visit(id));
      expect(expected).toEqual(fresh);
    });
  }

  it('a list with nothing unseen makes the tile pick its next node, then DONE when W is expanded', () => {
    const port = freshPort('simd', DTYPE_FP16, DIM);
    const rng = new Prng(4);
    const seeds = [10, 20];
    const vec = () => new Uint8Array(DIM * 2).map(() => rng.nextInt(0, 0x3b));
    port.send({ type: 'LOAD_QUERY', msgId: msgId(), dtype: DTYPE_FP16, metric: METRIC_L2, k: 4, flags: LQ_F_PULL, dim: DIM, vector: vec() });
    const [chunk] = blockChunks(blockStream(padBlockVectors(DTYPE_FP16, DIM, seeds.map(vec)), seeds.map(BigInt)), { firstMsgId: msgId(), count: 2, dtype: DTYPE_FP16, explicitIds: true });
    const a = port.send(chunk!);
    expect(a.type).toBe('NEED_NEIGHBORS');
    const b = port.send({ type: 'LOAD_NEIGHBORS', msgId: msgId(), nodeId: a.type === 'NEED_NEIGHBORS' ? a.nodeId : 0n, layer: 0, ids: [10n, 20n] });
    expect(b.type).toBe('NEED_NEIGHBORS');
    const c = port.send({ type: 'LOAD_NEIGHBORS', msgId: msgId(), nodeId: b.type === 'NEED_NEIGHBORS' ? b.nodeId : 0n, layer: 0, ids: [] });
    expect(c).toMatchObject({ type: 'DONE', requestType: 0x03 });
    expect(readTopK(port).map((e) => [Number(e.id), e.aux]).sort()).toEqual([[10, 1], [20, 1]]);
  });

  it('without the PULL flag a block and a neighbor list are answered as in push mode', () => {
    const port = freshPort('scalar', DTYPE_FP16, DIM);
    const rng = new Prng(6);
    const vec = () => new Uint8Array(DIM * 2).map(() => rng.nextInt(0, 0x3b));
    port.send({ type: 'LOAD_QUERY', msgId: msgId(), dtype: DTYPE_FP16, metric: METRIC_L2, k: 4, dim: DIM, vector: vec() });
    const [chunk] = blockChunks(blockStream(padBlockVectors(DTYPE_FP16, DIM, [vec()]), [7n]), { firstMsgId: msgId(), count: 1, dtype: DTYPE_FP16, explicitIds: true });
    expect(port.send(chunk!)).toMatchObject({ type: 'DONE', value: 1 });
    expect(port.send({ type: 'LOAD_NEIGHBORS', msgId: msgId(), nodeId: 7n, layer: 0, ids: [1n, 2n] })).toMatchObject({ type: 'DONE', value: 2 });
  });
});
