// The run summary: accuracy against exact ground truth, simulated performance, traffic,
// utilization, and the trace hash that pins the run down.
import { groundTruth, type GroundTruth, type KnnMetric } from '../../hub/data/ground-truth.ts';
import type { Simulation } from './simulation.ts';
import type { Chips } from '../../hub/chip/chip-memory.ts';
import { chipSummary, formatChipLines, type ChipSummary } from '../chip/chip-report.ts';
import type { BlockChunkStats } from '../../hub/hub-stats.ts';
import type { EncodedDataset } from '../../hub/encoded-dataset.ts';
import { encodeMessage } from '../../protocol/codec.ts';
import { countEqualToReference, referenceHnswSearch } from '../../hub/push-hnsw/reference-search.ts';
import { answersHash } from './answers-hash.ts';
import { pq6BruteForce } from './pq6-data.ts';
import type { RunConfig } from './run-config.ts';
import { tileWorkSummary, type TileWorkSummary } from './work-summary.ts';
import type { HubWorkTotals } from '../../hub/core/hub-work.ts';
import type { DatasetIdentity, EffectiveConfig, KernelIdentity } from './run-identity.ts';
import { LQ_HEADER_BYTES, MSG_HEADER_BYTES, REPLY_BYTES, RESULT_ENTRY_BYTES, TOPK_RESULT_HEADER_BYTES } from '../../wat/layout.ts';

export interface RunSummary {
  seed: number;
  data: string;
  derived: { vectorsPerBlock: number; blocks: number; kernel: string; schedule: string; dtype: string };
  queries: number;
  k: number;
  /** recall@k against exact search over the values the tiles hold (the fp16-encoded queries
   *  and vectors, or the i8 codes dequantized): what the search itself loses. */
  recallAtK: number;
  /** recall@k against exact search over the original float data: what the search and the
   *  encoding (fp16 rounding, i8 quantization) lose together. */
  recallAtKFloat: number;
  exactMatches: number;
  exactMatchNote: string;
  simulatedSeconds: number;
  simulatedQps: number;
  latencyUsP50: number;
  latencyUsP99: number;
  messagesToTiles: number;
  bytesToTiles: number;
  messagesToHub: number;
  bytesToHub: number;
  bytesPerQuery: number;
  messagesPerQuery: number;
  sentByType: Record<string, { messages: number; bytes: number }>;
  tileUtilization: { mean: number; min: number; max: number };
  hub: { retries: number; restarts: number; retirements: number; reassignedUnits: number; hubLocalUnits: number; staleReplies: number; errorReplies: number; faultsByKind: Record<string, number> };
  events: number;
  wallSeconds: number;
  traceHash: string;
  /** Dataset content, queries and answers only (no kernel identity): equal for any conformant kernel. */
  answersHash: string;
  kernel: KernelIdentity;
  dataset: DatasetIdentity;
  /** The settings the run really used (a data file's rows and dim, the index's own M). */
  config: EffectiveConfig;
  /** What the tiles' kernels did (their work counters), summed over tiles, and its cycles. */
  tileWork: TileWorkSummary;
  /** What the hub computed itself (routing, fallback distances, merges, the push-hnsw walk) and its cycles. */
  hubWork: HubWorkTotals;
  /** Peak resident set of the process (set by the CLI, sim/cli/peak-memory.ts). */
  memory?: RunMemory;
  /** --groundtruth: recall@k against the user's own ground truth file (set by the CLI). */
  groundTruthFile?: { path: string; recallAtK: number; rows: number; idsPerRow: number };
  /** Pull mode only. */
  pull?: PullSummary;
  /** Push-hnsw only. */
  pushHnsw?: PushHnswSummary;
  /** With --chips only. */
  chips?: ChipSummary;
  /** With --lz4 only: the LOAD_BLOCK chunks sent, LZ4 and plain (docs/protocol.md "LZ4 chunks"). */
  lz4?: BlockChunkStats;
}

export interface RunMemory {
  /** The process's peak resident set over the whole run (tile creation, data and hub included). */
  peakRssBytes: number;
  /** peakRssBytes over the tiles: the whole process's share per tile, not a tile's own cost. */
  bytesPerTile: number;
}

export interface PushHnswSummary {
  ef: number;
  M: number;
  efConstruction: number;
  index: string;
  /** Expansion rounds per query (each a wait for the tiles). */
  roundsPerQuery: number;
  batchesPerQuery: number;
  /** Distances the tiles computed per query. */
  distancesPerQuery: number;
  /** Neighbor lists the hub read per query. */
  expansionsPerQuery: number;
  /** Queries whose answer equals the reference HNSW search (hub/hnsw, tile arithmetic), ids and distance bits in order. */
  referenceEqual: number;
  referenceDiffering: number[];
  pushBytesPerQuery: number;
}

export interface PullSummary {
  ef: number;
  walks: number;
  split: string;
  /** Who descends the upper layers: hub (routes and seeds) or tile (rvf_greedy_step). */
  descent: string;
  M: number;
  efConstruction: number;
  index: string;
  /** Layer-0 node expansions (NEED_NEIGHBORS answered) per query: the walk's hops. */
  hopsPerQuery: number;
  /** Tile-side descent: upper-layer lists sent per query (the entry's, then NEED_NEIGHBORS on layers >= 1). */
  descentStepsPerQuery: number;
  /** Tile-side descent: vectors sent for upper-layer lists per query (included in vectorsPerQuery). */
  descentVectorsPerQuery: number;
  /** NEED_BLOCK answered per query. */
  blocksPerQuery: number;
  /** Vectors sent per query (seed blocks + NEED_BLOCK answers). */
  vectorsPerQuery: number;
  /** Distances the hub computed per query to route through the upper layers. */
  hubRoutingDistancesPerQuery: number;
  walkErrors: number;
  /** What push mode moves per query over the same data (hub <-> tiles, both ways), computed from the block streams. */
  pushBytesPerQuery: number;
}

/**
 * Bytes push mode (query-stationary, fp16 or i8, no faults) moves per query, both ways:
 * per tile slot a LOAD_QUERY, every chunk of its blocks, a READ_TOPK; each answered by a
 * DONE or the TOPK_RESULT. Equal to a push run's measured bytes per query (tested).
 */
export function pushBytesPerQuery(encoded: EncodedDataset, tiles: number, k: number, verifyCrc: boolean): number {
  const slots = Math.min(tiles, encoded.blockCount);
  let bytes = 0;
  for (let b = 0; b < encoded.blockCount; b++) {
    for (const c of encoded.blockChunks(b, false, verifyCrc)) bytes += encodeMessage(c).length + REPLY_MESSAGE_BYTES;
  }
  const query = MSG_HEADER_BYTES + LQ_HEADER_BYTES + encoded.queryBytes(0).length + REPLY_MESSAGE_BYTES;
  let results = 0;
  for (let t = 0; t < slots; t++) {
    let held = 0;
    for (let b = t; b < encoded.blockCount; b += tiles) held += encoded.block(b).count;
    results += MSG_HEADER_BYTES + MSG_HEADER_BYTES + TOPK_RESULT_HEADER_BYTES + RESULT_ENTRY_BYTES * Math.min(k, held);
  }
  return bytes + slots * query + results;
}

const REPLY_MESSAGE_BYTES = MSG_HEADER_BYTES + REPLY_BYTES;

export interface QueryAnswers {
  /** queryCount * k ids per query, nearest first. */
  ids: number[][];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** The values a tile compares, by wire dtype: every vector reaches it as fp16 or as i8 codes it dequantizes. */
function tileValues(dtype: string): string {
  return dtype === 'i8' ? 'dequantized i8' : 'fp16';
}

export function answers(s: Simulation): QueryAnswers {
  const ids: number[][] = [];
  for (let q = 0; q < s.encoded.queryCount; q++) ids.push((s.hub.outcomes.get(q)?.best ?? []).map((c) => c.id));
  return { ids };
}

/** Exact k-NN over the values the tiles compare: the decoded fp16 (or dequantized i8) base and the fp16-encoded queries. */
export function groundTruthOverTileValues(encoded: EncodedDataset, k: number, metric: KnnMetric): GroundTruth {
  const nq = encoded.queryCount;
  const queries = new Float32Array(nq * encoded.dim);
  for (let q = 0; q < nq; q++) queries.set(encoded.decodedQuery(q), q * encoded.dim);
  return groundTruth({ base: encoded.decodedBase, queries, dim: encoded.dim, k, metric });
}

/** What the exact-match check brute-forces over, per wire dtype. */
const SAME_DATA: Readonly<Record<RunConfig['dtype'], string>> = { fp16: 'fp16 data', i8: 'dequantized i8 data', pq6: 'PQ6 codes (the tiles\' asymmetric distances, tile/reference/pq6.ts)' };

export function summarize(s: Simulation, events: number, wallSeconds: number): RunSummary {
  const { encoded, config, hub, transport, sim } = s;
  const k = config.k;
  const nq = encoded.queryCount;
  const got = answers(s).ids;
  const truth = groundTruth({ base: s.data.base, queries: s.data.queries, dim: encoded.dim, k, metric: config.metric });
  // PQ6: "the same data" is the codes the tiles score, so the exact answer is brute force over the PQ6 reference distances.
  const sameIds = encoded.pq6 ? pq6BruteForce(encoded, k) : null;
  // Recall is over the fp16 values the hub encoded (for PQ6 the vectors its codes stand for), so PQ's own loss shows.
  const tileTruth = groundTruthOverTileValues(encoded, k, config.metric);
  let hits = 0;
  let floatHits = 0;
  let exact = 0;
  for (let q = 0; q < nq; q++) {
    const t = new Set(Array.from(truth.ids.subarray(q * k, (q + 1) * k)));
    floatHits += got[q]!.filter((id) => t.has(id)).length;
    const tileSet = new Set(Array.from(tileTruth.ids.subarray(q * k, (q + 1) * k)));
    hits += got[q]!.filter((id) => tileSet.has(id)).length;
    const same = sameIds ? sameIds[q]! : Array.from(tileTruth.ids.subarray(q * k, (q + 1) * k));
    if (same.length === got[q]!.length && same.every((id, i) => id === got[q]![i])) exact++;
  }
  const outcomes = [...hub.outcomes.values()];
  const latencies = outcomes.map((o) => o.doneAtCycles - o.dispatchedAtCycles).sort((a, b) => a - b);
  const makespan = Math.max(1, ...outcomes.map((o) => o.doneAtCycles));
  const seconds = sim.clock.cyclesToSeconds(makespan);
  const usPerCycle = sim.clock.cyclesToSeconds(1) * 1e6;
  const util = s.nodes.map((n) => n.busyCycles / makespan);
  return {
    seed: config.seed,
    data: s.data.name,
    derived: { vectorsPerBlock: encoded.vectorsPerBlock, blocks: encoded.blockCount, kernel: config.kernel, schedule: config.schedule, dtype: config.dtype },
    queries: nq,
    k,
    recallAtK: hits / (nq * k),
    recallAtKFloat: floatHits / (nq * k),
    exactMatches: exact,
    exactMatchNote: `queries whose top-${k} equals brute force over the same ${SAME_DATA[config.dtype]}, ids and order`,
    simulatedSeconds: seconds,
    simulatedQps: nq / seconds,
    latencyUsP50: percentile(latencies, 50) * usPerCycle,
    latencyUsP99: percentile(latencies, 99) * usPerCycle,
    messagesToTiles: hub.stats.messagesSent,
    bytesToTiles: transport.bytesToTiles,
    messagesToHub: transport.messagesToHub,
    bytesToHub: transport.bytesToHub,
    bytesPerQuery: (transport.bytesToTiles + transport.bytesToHub) / nq,
    messagesPerQuery: (hub.stats.messagesSent + transport.messagesToHub) / nq,
    sentByType: Object.fromEntries([...hub.stats.sentByType.entries()].sort()),
    tileUtilization: { mean: util.reduce((a, b) => a + b, 0) / util.length, min: Math.min(...util), max: Math.max(...util) },
    hub: {
      retries: hub.stats.retries,
      restarts: hub.stats.restarts,
      retirements: hub.stats.retirements,
      reassignedUnits: hub.stats.reassignedUnits,
      hubLocalUnits: hub.stats.hubLocalUnits,
      staleReplies: hub.stats.staleReplies,
      errorReplies: hub.stats.errorReplies,
      faultsByKind: Object.fromEntries([...hub.stats.faultsByKind.entries()].sort()),
    },
    events,
    wallSeconds,
    traceHash: s.trace.hashHex(),
    answersHash: answersHash(s.identity.dataset.sha256, s.identity.dataset.queriesSha256, Array.from({ length: nq }, (_, q) => hub.outcomes.get(q)?.best ?? [])),
    kernel: s.identity.kernel,
    dataset: s.identity.dataset,
    config: s.identity.config,
    tileWork: tileWorkSummary(s.nodes),
    hubWork: { ...s.hub.hubWork },
    ...(s.pull ? { pull: pullSummary(s) } : {}),
    ...(s.pushHnsw ? { pushHnsw: pushHnswSummary(s) } : {}),
    ...(chipsOf(s) ? { chips: chipSummary(chipsOf(s)!, transport.chipBytesToTiles, nq, s.pull ? s.config.pull.walks : undefined) } : {}),
    ...(config.lz4 ? { lz4: { ...hub.stats.blockChunks } } : {}),
  };
}

function chipsOf(s: Simulation): Chips | undefined {
  return s.pull?.chips ?? s.pushHnsw?.chips;
}

function pushHnswSummary(s: Simulation): PushHnswSummary {
  const { driver, index, indexFrom } = s.pushHnsw!;
  const nq = s.encoded.queryCount;
  const st = driver.stats;
  const answered = new Map([...s.hub.outcomes.entries()].map(([q, o]) => [q, o.best]));
  const ref = countEqualToReference(answered, (q) => referenceHnswSearch(index, s.encoded, q, driver.settings.ef, s.config.k));
  return {
    ef: driver.settings.ef,
    M: index.params.M,
    efConstruction: index.params.efConstruction,
    index: indexFrom,
    roundsPerQuery: st.rounds / nq,
    batchesPerQuery: st.batches / nq,
    distancesPerQuery: st.distances / nq,
    expansionsPerQuery: st.expansions / nq,
    referenceEqual: ref.equal,
    referenceDiffering: ref.differing,
    pushBytesPerQuery: pushBytesPerQuery(s.encoded, s.config.tiles, s.config.k, s.config.verifyCrc),
  };
}

function pullSummary(s: Simulation): PullSummary {
  const { driver, index } = s.pull!;
  const nq = s.encoded.queryCount;
  const p = index.settings;
  const from = [...new Set(index.sources.map((x) => x.from))].join('+');
  return {
    ef: p.ef,
    walks: index.walks,
    split: p.split,
    descent: index.descent,
    // The index's own parameters: a loaded --index file may have been built with another M.
    M: index.regions[0]!.params.M,
    efConstruction: index.regions[0]!.params.efConstruction,
    index: `${from}${index.sources[0]?.path ? ` (${index.sources.length > 1 ? `${index.sources.length} regions, ` : ''}${index.sources[0].path})` : ''}`,
    hopsPerQuery: driver.stats.expansions / nq,
    descentStepsPerQuery: driver.stats.descentSteps / nq,
    descentVectorsPerQuery: driver.stats.descentVectors / nq,
    blocksPerQuery: driver.stats.blocks / nq,
    vectorsPerQuery: (driver.stats.vectors + driver.stats.seedVectors) / nq,
    hubRoutingDistancesPerQuery: driver.stats.hubRoutingDistances / nq,
    walkErrors: driver.errors.length,
    pushBytesPerQuery: pushBytesPerQuery(s.encoded, s.config.tiles, s.config.k, s.config.verifyCrc),
  };
}

const n = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function formatSummary(r: RunSummary): string {
  const lines = [
    `seed ${r.seed}  data: ${r.data}`,
    `  ${n(r.dataset.rows)} x ${r.dataset.dim} ${r.derived.dtype} vectors, ${r.derived.vectorsPerBlock} per block, ${n(r.derived.blocks)} blocks, schedule ${r.derived.schedule}-stationary, kernel ${r.derived.kernel}`,
    `  ${r.config.tiles} tiles on a ${r.config.mesh} mesh, metric ${r.config.metric}, concurrency ${r.config.concurrency}, mode ${r.config.mode}`,
    `queries ${n(r.queries)}, k ${r.k}`,
    `  recall@${r.k}              ${r.recallAtK.toFixed(4)} (against exact search over the ${tileValues(r.derived.dtype)} values the tiles hold)`,
    `  recall@${r.k}, float data  ${r.recallAtKFloat.toFixed(4)} (against exact search over the original float data: the search and the ${r.derived.dtype} encoding together)`,
    ...(r.groundTruthFile ? [`  recall@${r.k}              ${r.groundTruthFile.recallAtK.toFixed(4)} (against ${r.groundTruthFile.path}, ${n(r.groundTruthFile.rows)} x ${r.groundTruthFile.idsPerRow})`] : []),
    `  exact top-${r.k}            ${n(r.exactMatches)} / ${n(r.queries)} ${r.exactMatchNote}`,
    `simulated time           ${(r.simulatedSeconds * 1e3).toFixed(3)} ms`,
    `  QPS                    ${n(r.simulatedQps, 1)}`,
    `  latency p50 / p99      ${n(r.latencyUsP50, 1)} us / ${n(r.latencyUsP99, 1)} us`,
    `traffic`,
    `  hub -> tiles           ${n(r.messagesToTiles)} messages, ${n(r.bytesToTiles)} B`,
    `  tiles -> hub           ${n(r.messagesToHub)} messages, ${n(r.bytesToHub)} B`,
    `  per query              ${n(r.messagesPerQuery, 1)} messages, ${n(r.bytesPerQuery)} B`,
    ...Object.entries(r.sentByType).map(([t, v]) => `    ${t.padEnd(20)} ${n(v.messages)} messages, ${n(v.bytes)} B`),
    ...(r.lz4
      ? [`  LZ4 block chunks       ${n(r.lz4.lz4Chunks)} of ${n(r.lz4.chunks)} chunks as LZ4: ${n(r.lz4.streamBytes)} B of block streams in ${n(r.lz4.dataBytes)} B of chunk data (${(r.lz4.dataBytes / Math.max(1, r.lz4.streamBytes)).toFixed(4)})`]
      : []),
    ...(r.pull
      ? [
          `pull mode                ef ${r.pull.ef}, ${r.pull.walks} walk${r.pull.walks > 1 ? 's' : ''} per query (${r.pull.split}), ${r.pull.descent} descent, HNSW M ${r.pull.M}, efConstruction ${r.pull.efConstruction}; index ${r.pull.index}`,
          `  hops per query         ${n(r.pull.hopsPerQuery, 1)} (NEED_NEIGHBORS), ${n(r.pull.blocksPerQuery, 1)} NEED_BLOCK, ${n(r.pull.vectorsPerQuery, 1)} vectors sent`,
          r.pull.descent === 'tile'
            ? `  tile descent           ${n(r.pull.descentStepsPerQuery, 1)} upper-layer lists, ${n(r.pull.descentVectorsPerQuery, 1)} vectors per query (rvf_greedy_step on the tile)`
            : `  hub routing            ${n(r.pull.hubRoutingDistancesPerQuery, 1)} distances per query (upper layers, on the hub)`,
          `  bytes per query        pull ${n(r.bytesPerQuery)} B vs push ${n(r.pull.pushBytesPerQuery)} B on the same data (${(r.pull.pushBytesPerQuery / Math.max(1, r.bytesPerQuery)).toFixed(1)}x less)`,
          ...(r.pull.walkErrors > 0 ? [`  walk errors            ${r.pull.walkErrors}`] : []),
        ]
      : []),
    ...(r.pushHnsw
      ? [
          `push-hnsw                ef ${r.pushHnsw.ef}, HNSW M ${r.pushHnsw.M}, efConstruction ${r.pushHnsw.efConstruction}; index ${r.pushHnsw.index}`,
          `  per query              ${n(r.pushHnsw.roundsPerQuery, 1)} rounds, ${n(r.pushHnsw.batchesPerQuery, 1)} batches, ${n(r.pushHnsw.distancesPerQuery, 1)} distances on tiles, ${n(r.pushHnsw.expansionsPerQuery, 1)} neighbor lists read by the hub`,
          `  reference check        ${n(r.pushHnsw.referenceEqual)}/${n(r.queries)} queries equal the reference HNSW search${r.pushHnsw.referenceDiffering.length > 0 ? ` (differing: ${r.pushHnsw.referenceDiffering.slice(0, 10).join(', ')}; reproduce with --seed ${r.seed})` : ''}`,
          `  bytes per query        push-hnsw ${n(r.bytesPerQuery)} B vs push ${n(r.pushHnsw.pushBytesPerQuery)} B on the same data (${(r.pushHnsw.pushBytesPerQuery / Math.max(1, r.bytesPerQuery)).toFixed(1)}x less)`,
        ]
      : []),
    `tile work                ${n(r.tileWork.distances)} distances, ${n(r.tileWork.merges)} candidates merged, ${n(r.tileWork.crcBytes)} B checked by CRC32C`,
    `  tile cycles            ${n(r.tileWork.cycles.total)}: distances ${n(r.tileWork.cycles.distance)}, merges ${n(r.tileWork.cycles.merge)}, CRC ${n(r.tileWork.cycles.crc)}, I/O ${n(r.tileWork.cycles.io + r.tileWork.cycles.dequant)}, dispatch ${n(r.tileWork.cycles.dispatch)}${r.tileWork.cycles.pq > 0 ? `, PQ ${n(r.tileWork.cycles.pq)}` : ''}${r.tileWork.cycles.lz4 > 0 ? `, LZ4 sequences ${n(r.tileWork.cycles.lz4)}` : ''}`,
    `hub work                 ${n(r.hubWork.cycles)} cycles: ${n(r.hubWork.distances)} distances (${n(r.hubWork.routingDistances)} routing, ${n(r.hubWork.localDistances)} hub-local), ${n(r.hubWork.merged)} candidates merged${r.hubWork.expansions > 0 ? `, ${n(r.hubWork.expansions)} HNSW expansions, ${n(r.hubWork.beamCandidates)} beam inserts` : ''}`,
    ...(r.chips ? formatChipLines(r.chips) : []),
    `tile utilization         mean ${(r.tileUtilization.mean * 100).toFixed(1)}%, min ${(r.tileUtilization.min * 100).toFixed(1)}%, max ${(r.tileUtilization.max * 100).toFixed(1)}%`,
    `recovery                 ${r.hub.retries} retries, ${r.hub.restarts} restarts, ${r.hub.retirements} retirements, ${r.hub.reassignedUnits} units reassigned, ${r.hub.hubLocalUnits} hub-local`,
    `simulator                ${n(r.events)} events in ${r.wallSeconds.toFixed(2)} s wall (${n(r.events / Math.max(r.wallSeconds, 1e-9))} events/s)`,
    ...(r.memory ? [`  peak memory            ${n(r.memory.peakRssBytes / 2 ** 20, 1)} MiB resident, ${n(r.memory.bytesPerTile / 1024, 1)} KiB per tile (the whole process over ${n(r.config.tiles)} tiles, data and hub included)`] : []),
    `kernel                   ${r.kernel.build}, image sha256 ${r.kernel.sha256}${r.kernel.image ? ` (its checked image ${r.kernel.image}: window checks and watchdog)` : ''}`,
    `dataset                  ${r.dataset.source}, ${n(r.dataset.rows)} x ${r.dataset.dim}, ${n(r.dataset.queries)} queries; vectors sha256 ${r.dataset.sha256}`,
    `trace sha256             ${r.traceHash}`,
    `answers sha256           ${r.answersHash} (data, queries and answers only; the same for any conformant kernel)`,
  ];
  return lines.join('\n');
}
