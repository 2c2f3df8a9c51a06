// The hub's side of a pull-mode walk, below the tile machine: the machine sends the walk
// step once and waits in 'computing'; this server answers each of the tile's requests
// until the tile says DONE (hub/modes/pull-mode.ts drives it).
//
//   begin            -> descent 'hub': the seed block (LOAD_BLOCK chunks, explicit ids): the
//                       walk's entry nodes, whose distances the tile computes and merges into W;
//                       descent 'tile': LOAD_NEIGHBORS(entry point, top layer, its list)
//   NEED_NEIGHBORS n -> LOAD_NEIGHBORS(n, layer, n's list on that layer; upper layers only
//                       with descent 'tile')
//   NEED_BLOCK ids   -> LOAD_BLOCK chunks carrying those vectors (explicit ids); the
//                       non-final chunks are acknowledged with DONE, the final one is
//                       answered by the tile's next request
//   DONE             -> the walk is over; the machine moves on to READ_TOPK
//
// A request for a node that does not exist (or lies outside the walk's region) fails the
// walk with a PullWalkError naming the tile, query, walk and id; the hub retries the unit,
// then reassigns it, and the hub-side replay (PullLocalWalker) answers it as a last resort.
import { encodeMessage } from '../../protocol/codec.ts';
import { LoadNeighbors } from '../../protocol/constants.ts';
import type { HubMessage, TileMessage } from '../../protocol/types.ts';
import { templateOf, templateSet, type TemplateSet } from '../../protocol/template-facts.ts';
import { strideBytes } from '../../protocol/vector-bytes.ts';
import { DTYPE_FP16, IMAGE_LAYOUT, MAX_BLOCK_VECTORS, type KernelImage } from '../../wat/layout.ts';
import type { Outgoing } from '../core/mode-driver.ts';
import { blankOutgoing, fillOutgoing } from '../core/outgoing.ts';
import type { EncodedDataset } from '../encoded-dataset.ts';
import type { Candidate } from '../topk-merge.ts';
import { explicitBlockChunks } from '../work/explicit-blocks.ts';
import type { WalkUnit } from '../work/job.ts';
import { METRIC_CODES } from '../work/message-builder.ts';
import { MsgIds, WALK_MSG_IDS_FIRST } from '../work/msg-ids.ts';
import type { ChipBeam } from '../chip/chip-beam.ts';
import type { ChipBlocks } from '../chip/chip-blocks.ts';
import { sharedSetCycles } from '../chip/chip-memory.ts';
import { MissingLayerError, PullIndex, UnknownNodeError } from './pull-index.ts';
import { bitsToF32, checkEf, replayTileDescentWalk, replayTileWalk, type WalkSource, type WalkTrace } from './tile-walk.ts';

/** A walk the hub cannot serve: the tile asked for something that does not exist. */
export class PullWalkError extends Error {
  override name = 'PullWalkError';
  constructor(
    readonly tileId: number,
    readonly queryId: number,
    readonly walk: number,
    readonly nodeId: bigint,
    readonly request: 'NEED_BLOCK' | 'NEED_NEIGHBORS' | 'reply',
    detail: string,
    /** The layer a NEED_NEIGHBORS asked for (null for other requests). */
    readonly layer: number | null = null,
  ) {
    super(`tile ${tileId}, query ${queryId}, walk ${walk}: ${request} ${detail}`);
  }
}

/** Vectors an explicit-id block of this dim can carry (the image's block region: Core 32 KB, Hot 28 KB). */
export function pullBlockCapacity(dim: number, image: KernelImage = 'core'): number {
  return Math.min(MAX_BLOCK_VECTORS, Math.floor(IMAGE_LAYOUT[image].IMG_BLOCK_BYTES / (strideBytes(DTYPE_FP16, dim) + 8)));
}

/** A walk's chunks before its first NEED_BLOCK or seed block. */
const NO_CHUNKS = templateSet([]);

/** What follows a tile's answer during a walk: the next message, the walk's end, or why it failed. */
export type WalkNext = { send: Outgoing } | { done: true } | { fault: string };

export interface PullStats {
  walks: number;
  /** NEED_NEIGHBORS answered on layer 0: node expansions (hops). */
  expansions: number;
  /** Upper-layer lists sent (tile-side descent: the entry's, then each NEED_NEIGHBORS on layer >= 1). */
  descentSteps: number;
  /** Vectors sent for upper-layer lists (tile-side descent; included in `vectors`). */
  descentVectors: number;
  /** NEED_BLOCK answered. */
  blocks: number;
  /** Vectors sent in answer to NEED_BLOCK. */
  vectors: number;
  /** Vectors sent in seed blocks. */
  seedVectors: number;
  /** Distances the hub computed to route through the upper layers. */
  hubRoutingDistances: number;
}

interface WalkState {
  queryId: number;
  walk: number;
  /** Chunks of the block being streamed, and the next one to send. */
  chunks: TemplateSet;
  nextChunk: number;
  /** Layer of the last list sent (a NEED_BLOCK after an upper-layer list is a descent step's). */
  layer: number;
  /** Bytes of each chunk the tile's chip serves from its shared memory (chips; else empty). */
  chipBytes?: number[];
  /** Chip beam: ids the block's first chunk claims in the chip's shared visited set. */
  claims?: number;
}

export class PullWalkDriver {
  /** The walk's beam width: LOAD_QUERY's k for a pull query (the tile's W holds ef entries). */
  readonly ef: number;
  readonly stats: PullStats = { walks: 0, expansions: 0, descentSteps: 0, descentVectors: 0, blocks: 0, vectors: 0, seedVectors: 0, hubRoutingDistances: 0 };
  /** Every walk failure, in order (for tests and the report). */
  readonly errors: PullWalkError[] = [];
  private readonly active = new Map<number, WalkState>();
  private readonly seedCache = new Map<number, number[][]>();
  private readonly msgIds = new MsgIds(WALK_MSG_IDS_FIRST);
  private readonly capacity: number;

  constructor(
    private readonly data: EncodedDataset,
    readonly index: PullIndex,
    private readonly opts: { integrity?: boolean; verifyCrc?: boolean; chips?: ChipBlocks; beam?: ChipBeam } = {},
  ) {
    checkEf(index.settings.ef);
    this.ef = index.settings.ef;
    this.capacity = pullBlockCapacity(data.dim, data.image);
  }

  /** Seeds of every walk of a query (computed once per query). */
  seeds(queryId: number): number[][] {
    let s = this.seedCache.get(queryId);
    if (!s) {
      const plan = this.index.seeds(this.data.decodedQuery(queryId));
      this.stats.hubRoutingDistances += plan.hubDistances;
      s = plan.seeds.map((ids) => ids.slice(0, this.capacity));
      this.seedCache.set(queryId, s);
    }
    return s;
  }

  /** The first message of the walk (the seed block, or the entry point's neighbor list). */
  begin(tileId: number, unit: WalkUnit): Outgoing {
    if (this.index.descent === 'tile') {
      if (unit.walk < 0 || unit.walk >= this.index.walks) throw new RangeError(`query ${unit.queryId} has no walk ${unit.walk} (${this.index.walks} walks per query)`);
      const entry = this.index.entry(unit.walk);
      this.stats.walks++;
      const state: WalkState = { queryId: unit.queryId, walk: unit.walk, chunks: NO_CHUNKS, nextChunk: 0, layer: entry.layer };
      this.active.set(tileId, state);
      if (entry.layer < 1) {
        // Only layer 0: nothing to descend, the entry point is the seed.
        this.stats.seedVectors++;
        this.setBlock(tileId, state, [entry.id]);
        return this.sendChunk(state);
      }
      this.stats.descentSteps++;
      const ids = this.index.neighbors(unit.walk, entry.id, entry.layer).map(BigInt);
      return this.message({ type: 'LOAD_NEIGHBORS', msgId: 0, nodeId: BigInt(entry.id), layer: entry.layer, ids }, 'LOAD_NEIGHBORS');
    }
    const seeds = this.seeds(unit.queryId)[unit.walk];
    if (!seeds) throw new RangeError(`query ${unit.queryId} has no walk ${unit.walk} (${this.index.walks} walks per query)`);
    this.stats.walks++;
    this.stats.seedVectors += seeds.length;
    const state: WalkState = { queryId: unit.queryId, walk: unit.walk, chunks: NO_CHUNKS, nextChunk: 0, layer: 0 };
    this.setBlock(tileId, state, seeds);
    this.claim(state, seeds);
    this.active.set(tileId, state);
    return this.sendChunk(state);
  }

  /** The tile's answer to the last message: what to send next, done, or why the walk failed. */
  next(tileId: number, unit: WalkUnit, reply: TileMessage): WalkNext {
    const st = this.active.get(tileId);
    if (!st || st.queryId !== unit.queryId || st.walk !== unit.walk) return { fault: `tile ${tileId}: walk reply for ${unit.key} with no walk in progress` };
    try {
      if (st.nextChunk < st.chunks.count) {
        if (reply.type !== 'DONE') throw this.error(tileId, st, 0n, 'reply', `answered block chunk ${st.nextChunk - 1} with ${reply.type}, expected DONE`);
        return { send: this.sendChunk(st) };
      }
      if (reply.type === 'DONE') {
        this.active.delete(tileId);
        this.opts.beam?.walkDone(st.queryId, this.index.walks);
        return { done: true };
      }
      if (reply.type === 'NEED_NEIGHBORS') {
        if (reply.layer !== 0 && this.index.descent !== 'tile') {
          throw this.error(tileId, st, reply.nodeId, 'NEED_NEIGHBORS', `for node ${reply.nodeId} on layer ${reply.layer}: pull mode with --descent hub serves layer 0 only`, reply.layer);
        }
        const { list, lookups } = this.neighborsOf(tileId, st, reply.nodeId, reply.layer);
        st.layer = reply.layer;
        if (reply.layer === 0) this.stats.expansions++;
        else this.stats.descentSteps++;
        const out = this.message({ type: 'LOAD_NEIGHBORS', msgId: 0, nodeId: reply.nodeId, layer: reply.layer, ids: list.map(BigInt) }, 'LOAD_NEIGHBORS');
        // The chip looks every id of the list up in the query's shared visited set on the way.
        this.opts.chips?.ledger.noteWork(out.msgId, sharedSetCycles(lookups));
        return { send: out };
      }
      if (reply.type === 'NEED_BLOCK') {
        if (reply.ids.length === 0 || reply.ids.length > this.capacity) {
          throw this.error(tileId, st, 0n, 'NEED_BLOCK', `asks for ${reply.ids.length} vectors; a block carries 1..${this.capacity}`);
        }
        const ids = reply.ids.map((id) => this.checkId(tileId, st, id, 'NEED_BLOCK'));
        this.stats.blocks++;
        this.stats.vectors += ids.length;
        if (st.layer > 0) this.stats.descentVectors += ids.length;
        this.setBlock(tileId, st, ids);
        this.claim(st, ids);
        return { send: this.sendChunk(st) };
      }
      throw this.error(tileId, st, 0n, 'reply', `unexpected ${reply.type} during a walk`);
    } catch (err) {
      if (!(err instanceof PullWalkError)) throw err;
      this.errors.push(err);
      this.active.delete(tileId);
      return { fault: err.message };
    }
  }

  private error(tileId: number, st: WalkState, id: bigint, request: PullWalkError['request'], detail: string, layer: number | null = null): PullWalkError {
    return new PullWalkError(tileId, st.queryId, st.walk, id, request, detail, layer);
  }

  private checkId(tileId: number, st: WalkState, id: bigint, request: 'NEED_BLOCK' | 'NEED_NEIGHBORS'): number {
    if (id >= BigInt(this.index.n)) throw this.error(tileId, st, id, request, `asks for node ${id}, which does not exist (ids 0..${this.index.n - 1})`);
    return Number(id);
  }

  /** The list to send, and how many ids the chip beam looked up in its shared set for it. */
  private neighborsOf(tileId: number, st: WalkState, id: bigint, layer: number): { list: number[]; lookups: number } {
    const n = this.checkId(tileId, st, id, 'NEED_NEIGHBORS');
    try {
      const all = layer === 0 ? this.index.neighbors(st.walk, n) : this.index.neighbors(st.walk, n, layer);
      // A chip-wide beam: ids another walk of the query evaluated (this round or an earlier one) stay with it.
      const beam = this.opts.beam && layer === 0;
      const list = beam ? this.opts.beam!.filter(st.queryId, st.walk, all) : all;
      return { list: list.length > LoadNeighbors.maxIds ? list.slice(0, LoadNeighbors.maxIds) : list, lookups: beam ? all.length : 0 };
    } catch (err) {
      if (err instanceof UnknownNodeError) throw this.error(tileId, st, id, 'NEED_NEIGHBORS', `asks for ${err.message}`, err instanceof MissingLayerError ? err.layer : layer);
      throw err;
    }
  }

  /** The block of `ids` the walk streams next; with chips, which of its bytes the tile's chip holds. */
  private setBlock(tileId: number, st: WalkState, ids: readonly number[]): void {
    const integrity = this.opts.integrity ?? false;
    st.chunks = templateSet(explicitBlockChunks(this.data, ids, { verifyCrc: this.opts.verifyCrc ?? false, integrity, freshTopk: false }));
    st.nextChunk = 0;
    const chips = this.opts.chips;
    if (chips) st.chipBytes = chips.heldChunkBytes(tileId, ids, integrity);
  }

  /** Chip beam: the block's ids become the walk's in the shared set, written as its first chunk passes the chip. */
  private claim(st: WalkState, ids: readonly number[]): void {
    if (!this.opts.beam) return;
    this.opts.beam.claim(st.queryId, st.walk, ids);
    st.claims = ids.length;
  }

  private sendChunk(st: WalkState): Outgoing {
    const at = st.nextChunk++;
    const out = this.finish(st.chunks, at, 'LOAD_BLOCK'); // the chunk is the template: never written to
    this.opts.chips?.ledger.note(out.msgId, st.chipBytes?.[at] ?? 0);
    if (at === 0 && st.claims) this.opts.chips?.ledger.noteWork(out.msgId, sharedSetCycles(st.claims));
    return out;
  }

  private message(m: HubMessage, requestType: string): Outgoing {
    return this.finish(templateOf(encodeMessage(m)), 0, requestType);
  }

  /** Template `index` of `set` sent with a fresh msg_id stamped where it is delivered (Outgoing). */
  private finish(set: TemplateSet, index: number, requestType: string): Outgoing {
    // A record of its own per message: a lost walk message is re-sent as this very record (pull-mode.ts).
    return fillOutgoing(blankOutgoing(), set.table, set.first + index, this.msgIds.take(), this.opts.integrity ?? false, requestType);
  }
}

/** The hub-side replay of a walk (the hub-local path): the tile's result, bit for bit. */
export class PullLocalWalker {
  constructor(
    private readonly data: EncodedDataset,
    private readonly driver: PullWalkDriver,
  ) {}

  source(walk: number): WalkSource {
    return {
      dim: this.data.dim,
      metricCode: METRIC_CODES[this.data.spec.metric],
      neighbors: (id) => this.driver.index.neighbors(walk, id),
      upperNeighbors: (id, layer) => this.driver.index.neighbors(walk, id, layer),
      vectorBytes: (id) => this.data.computeVectorBytes(id),
    };
  }

  /** The tile's walk for this unit, replayed (either descent). */
  trace(unit: WalkUnit): WalkTrace {
    const query = this.data.queryBytes(unit.queryId);
    if (this.driver.index.descent === 'tile') return replayTileDescentWalk(this.source(unit.walk), query, this.driver.index.entry(unit.walk), this.driver.ef);
    return replayTileWalk(this.source(unit.walk), query, this.driver.seeds(unit.queryId)[unit.walk]!, this.driver.ef);
  }

  walk(unit: WalkUnit): { candidates: Candidate[]; distances: number } {
    const t = this.trace(unit);
    return { candidates: t.entries.map((e) => ({ id: e.id, dist: bitsToF32(e.distBits) })), distances: t.distances };
  }
}
