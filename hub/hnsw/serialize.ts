// Binary file format of the HNSW index. All integers little-endian.
//
//   offset  size  field
//   0       8     magic "CGHNSW01"
//   8       4     version (1)
//   12      4     header bytes (64)
//   16      8     file bytes, including the trailing CRC32C
//   24      4     metric (0 l2 = squared Euclidean, 1 ip, 2 cosine)
//   28      4     M
//   32      4     M0 (= 2 M)
//   36      4     efConstruction
//   40      4     n (nodes = vector rows)
//   44      4     dim
//   48      4     entry point (0xFFFFFFFF when n = 0)
//   52      4     max level, i32 (-1 when n = 0)
//   56      4     CRC32C of the vectors' f32 bytes: the fingerprint of the data built on
//   60      4     reserved, 0
//   64      n     per-node level, u8; zero-padded to a multiple of 4
//   then for each layer 0..max level:
//           4     nodes on the layer (those with level >= layer, ascending id)
//           4     stride (M0 on layer 0, M above)
//           4*k   neighbor count per node
//           4*k*s neighbor ids, unused slots 0xFFFFFFFF
//   end-4   4     CRC32C of every byte before it
//
// Loading verifies, in order: magic, version, declared length, CRC32C, header fields,
// levels, adjacency, then the data fingerprint, and throws IndexFormatError naming the
// file, the byte offset, and the expected and actual values.

import { readFileSync, writeFileSync } from 'node:fs';
import { WriteCursor } from '../../protocol/cursor.ts';
import { IndexReader } from './cursor.ts';
import { crc32c } from '../../protocol/crc32c.ts';
import { formatBytes, hex32, IndexFormatError } from './errors.ts';
import { HnswIndex } from './hnsw-index.ts';
import { countAtOrAbove, type LayerAdjacency, LayeredGraph, MAX_LEVEL, NO_NODE } from './layers.ts';
import { METRIC_BY_CODE, METRIC_CODE } from './metric.ts';
import { EF_CONSTRUCTION_MAX, M_MAX, M_MIN, type ResolvedParams } from './params.ts';

export const INDEX_MAGIC = 'CGHNSW01';
export const INDEX_VERSION = 1;

/** Byte offsets of the fixed header fields. */
export const HEADER = {
  magic: 0,
  version: 8,
  headerBytes: 12,
  fileBytes: 16,
  metric: 24,
  M: 28,
  M0: 32,
  efConstruction: 36,
  n: 40,
  dim: 44,
  entryPoint: 48,
  maxLevel: 52,
  vectorsCrc32c: 56,
  reserved: 60,
  size: 64,
} as const;

const CRC_BYTES = 4;
const LAYER_HEADER_BYTES = 8;
const MAGIC_BYTES = new TextEncoder().encode(INDEX_MAGIC);

/** CRC32C over the vectors' bytes as laid out in memory (little-endian hosts). */
export function vectorsFingerprint(vectors: Float32Array): number {
  return crc32c(new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength));
}

function pad4(count: number): number {
  return Math.ceil(count / 4) * 4;
}

/** Total file size for a graph with these levels, or -1 if it exceeds 2^53. */
function fileBytesFor(levels: Uint8Array, maxLevel: number, M: number, M0: number): number {
  let total = HEADER.size + pad4(levels.length);
  for (let layer = 0; layer <= maxLevel; layer++) {
    const nodes = countAtOrAbove(levels, layer);
    total += LAYER_HEADER_BYTES + 4 * nodes + 4 * nodes * (layer === 0 ? M0 : M);
  }
  return total + CRC_BYTES;
}

export function serializeIndex(index: HnswIndex): Uint8Array {
  const { graph, params } = index;
  const fileBytes = fileBytesFor(graph.levels, graph.maxLevel, params.M, params.M0);
  const w = new WriteCursor(new Uint8Array(fileBytes));
  w.raw(MAGIC_BYTES)
    .u32le(INDEX_VERSION)
    .u32le(HEADER.size)
    .u64le(BigInt(fileBytes))
    .u32le(METRIC_CODE[params.metric])
    .u32le(params.M)
    .u32le(params.M0)
    .u32le(params.efConstruction)
    .u32le(graph.size)
    .u32le(index.dim)
    .u32le(graph.entryPoint)
    .i32le(graph.maxLevel)
    .u32le(vectorsFingerprint(index.vectors))
    .u32le(0)
    .raw(graph.levels)
    .pad(4);
  for (let layer = 0; layer <= graph.maxLevel; layer++) {
    const adjacency = graph.layers[layer]!;
    w.u32le(adjacency.nodeCount).u32le(adjacency.stride).u32ArrayLe(adjacency.counts).u32ArrayLe(adjacency.ids);
  }
  w.u32le(crc32c(w.bytes.subarray(0, w.offset)));
  if (w.offset !== fileBytes) throw new Error(`serializeIndex wrote ${w.offset} bytes, planned ${fileBytes}`);
  return w.bytes;
}

export interface LoadOptions {
  /** Name used in error messages; default '<buffer>'. */
  readonly fileName?: string;
}

/** Rebuilds an index from `bytes`, checking it against the `vectors` it was built on. */
export function deserializeIndex(bytes: Uint8Array, vectors: Float32Array, options: LoadOptions = {}): HnswIndex {
  const r = new IndexReader(bytes, options.fileName ?? '<buffer>');
  checkEnvelope(r);
  const header = readHeader(r);
  const levels = readLevels(r, header);
  const layers = readLayers(r, header, levels);
  checkVectorsMatch(r.fileName, header, vectors);
  const graph = LayeredGraph.fromArrays(levels, layers, header.entryPoint, header.maxLevel);
  return new HnswIndex(vectors, header.dim, header.params, graph);
}

export function saveIndexFile(path: string, index: HnswIndex): void {
  writeFileSync(path, serializeIndex(index));
}

export function loadIndexFile(path: string, vectors: Float32Array): HnswIndex {
  return deserializeIndex(readFileSync(path), vectors, { fileName: path });
}

function fail(r: IndexReader, offset: number, expected: string, actual: string, message: string): never {
  throw new IndexFormatError(r.fileName, offset, expected, actual, message);
}

/** Magic, version, declared length and CRC32C: everything after this is integrity-checked. */
function checkEnvelope(r: IndexReader): void {
  const length = r.bytes.length;
  const magic = r.bytes.subarray(0, Math.min(length, MAGIC_BYTES.length));
  if (length < MAGIC_BYTES.length || !magic.every((b, i) => b === MAGIC_BYTES[i])) {
    const actual = describeBytes(magic);
    fail(r, HEADER.magic, INDEX_MAGIC, actual, `magic ${actual} at byte 0 is not "${INDEX_MAGIC}": not a cogsim HNSW index`);
  }
  r.offset = HEADER.version;
  const version = r.u32le('version');
  if (version !== INDEX_VERSION) {
    fail(r, HEADER.version, String(INDEX_VERSION), String(version),
      `version ${version} at byte ${HEADER.version} is not supported (expected ${INDEX_VERSION})`);
  }
  const minimum = HEADER.size + CRC_BYTES;
  if (length < minimum) {
    fail(r, length, `>= ${minimum} bytes`, `${length} bytes`, `truncated: file is ${formatBytes(length)} bytes, shorter than the ${minimum}-byte header and CRC32C`);
  }
  r.offset = HEADER.fileBytes;
  const fileBytes = r.u64Number('file bytes');
  if (fileBytes !== length) {
    const what = fileBytes > length ? 'truncated' : 'trailing bytes';
    fail(r, HEADER.fileBytes, `${fileBytes} bytes`, `${length} bytes`,
      `${what}: header at byte ${HEADER.fileBytes} declares ${formatBytes(fileBytes)} bytes, file has ${formatBytes(length)}`);
  }
  const crcOffset = length - CRC_BYTES;
  r.offset = crcOffset;
  const stored = r.u32le('CRC32C');
  const actual = crc32c(r.bytes.subarray(0, crcOffset));
  if (stored !== actual) {
    fail(r, crcOffset, hex32(stored), hex32(actual),
      `CRC32C ${hex32(actual)} does not match ${hex32(stored)} stored at byte ${formatBytes(crcOffset)}`);
  }
}

function describeBytes(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `0x${hex || '(empty)'}`;
}

interface Header {
  readonly params: ResolvedParams;
  readonly n: number;
  readonly dim: number;
  readonly entryPoint: number;
  readonly maxLevel: number;
  readonly vectorsCrc32c: number;
  readonly fileBytes: number;
}

function readHeader(r: IndexReader): Header {
  r.offset = HEADER.fileBytes;
  const fileBytes = r.u64Number('file bytes');
  const metricCode = r.u32le('metric');
  const M = r.u32le('M');
  const M0 = r.u32le('M0');
  const efConstruction = r.u32le('efConstruction');
  const n = r.u32le('n');
  const dim = r.u32le('dim');
  const entryPoint = r.u32le('entry point');
  const maxLevel = r.i32le('max level');
  const vectorsCrc32c = r.u32le('vectors CRC32C');
  const reserved = r.u32le('reserved');
  const metric = METRIC_BY_CODE[metricCode];
  const field = (offset: number, name: string, ok: boolean, expected: string, actual: number): void => {
    if (!ok) fail(r, offset, expected, String(actual), `${name} ${actual} at byte ${offset} is invalid (expected ${expected})`);
  };
  field(HEADER.metric, 'metric', metric !== undefined, '0, 1 or 2', metricCode);
  field(HEADER.M, 'M', M >= M_MIN && M <= M_MAX, `${M_MIN}..${M_MAX}`, M);
  field(HEADER.M0, 'M0', M0 === 2 * M, `2 * M = ${2 * M}`, M0);
  field(HEADER.efConstruction, 'efConstruction', efConstruction >= 1 && efConstruction <= EF_CONSTRUCTION_MAX, `1..${EF_CONSTRUCTION_MAX}`, efConstruction);
  field(HEADER.n, 'n', n < NO_NODE, `< ${NO_NODE}`, n);
  field(HEADER.dim, 'dim', dim >= 1, '>= 1', dim);
  const emptyOk = n === 0 ? maxLevel === -1 : maxLevel >= 0 && maxLevel <= MAX_LEVEL;
  field(HEADER.maxLevel, 'max level', emptyOk, n === 0 ? '-1 for an empty index' : `0..${MAX_LEVEL}`, maxLevel);
  field(HEADER.entryPoint, 'entry point', n === 0 ? entryPoint === NO_NODE : entryPoint < n,
    n === 0 ? `${NO_NODE} for an empty index` : `0..${n - 1}`, entryPoint);
  field(HEADER.reserved, 'reserved', reserved === 0, '0', reserved);
  const params: ResolvedParams = { M, M0, efConstruction, metric: metric!, mL: 1 / Math.log(M) };
  return { params, n, dim, entryPoint, maxLevel, vectorsCrc32c, fileBytes };
}

function readLevels(r: IndexReader, header: Header): Uint8Array {
  const { n, maxLevel, entryPoint, params, fileBytes } = header;
  r.offset = HEADER.size;
  if (HEADER.size + pad4(n) + CRC_BYTES > fileBytes) {
    fail(r, HEADER.size, `${HEADER.size + pad4(n) + CRC_BYTES} bytes`, `${fileBytes} bytes`,
      `file of ${formatBytes(fileBytes)} bytes is too short for ${n} node levels`);
  }
  const levels = r.bytesCopy(n, 'node levels');
  let top = -1;
  for (let id = 0; id < n; id++) {
    const level = levels[id]!;
    if (level > maxLevel) {
      fail(r, HEADER.size + id, `<= ${maxLevel}`, String(level), `node ${id} has level ${level} above the max level ${maxLevel}`);
    }
    if (level > top) top = level;
  }
  if (top !== maxLevel) fail(r, HEADER.maxLevel, String(top), String(maxLevel), `max level ${maxLevel} at byte ${HEADER.maxLevel} is not the highest node level ${top}`);
  if (n > 0 && levels[entryPoint] !== maxLevel) {
    fail(r, HEADER.size + entryPoint, String(maxLevel), String(levels[entryPoint]), `entry point ${entryPoint} has level ${levels[entryPoint]}, not the max level ${maxLevel}`);
  }
  r.skipTo(4, 'level padding');
  const expectedBytes = fileBytesFor(levels, maxLevel, params.M, params.M0);
  if (expectedBytes !== fileBytes) {
    fail(r, HEADER.fileBytes, `${expectedBytes} bytes`, `${fileBytes} bytes`,
      `node levels imply ${formatBytes(expectedBytes)} bytes but the header at byte ${HEADER.fileBytes} declares ${formatBytes(fileBytes)}`);
  }
  return levels;
}

function readLayers(r: IndexReader, header: Header, levels: Uint8Array): LayerAdjacency[] {
  const layers: LayerAdjacency[] = [];
  const template = LayeredGraph.allocate(levels, header.params.M, header.params.M0);
  for (let layer = 0; layer <= header.maxLevel; layer++) {
    const expected = template.layers[layer]!;
    const layerOffset = r.offset;
    const nodeCount = r.u32le('layer node count');
    const stride = r.u32le('layer stride');
    if (nodeCount !== expected.nodeCount || stride !== expected.stride) {
      fail(r, layerOffset, `${expected.nodeCount} nodes x ${expected.stride}`, `${nodeCount} nodes x ${stride}`,
        `layer ${layer} at byte ${formatBytes(layerOffset)} has ${nodeCount} nodes of stride ${stride}, expected ${expected.nodeCount} of stride ${expected.stride}`);
    }
    const countsOffset = r.offset;
    const counts = r.u32ArrayLe(nodeCount, 'neighbor counts');
    const idsOffset = r.offset;
    const ids = r.u32ArrayLe(nodeCount * stride, 'neighbor ids');
    checkAdjacency(r, layer, levels, counts, ids, stride, countsOffset, idsOffset);
    layers.push({ nodeCount, stride, counts, ids, slotOf: expected.slotOf });
  }
  return layers;
}

/** Every edge points at a node present on the layer; unused slots are NO_NODE. */
function checkAdjacency(
  r: IndexReader, layer: number, levels: Uint8Array, counts: Uint32Array, ids: Uint32Array,
  stride: number, countsOffset: number, idsOffset: number,
): void {
  for (let row = 0; row < counts.length; row++) {
    const count = counts[row]!;
    if (count > stride) {
      fail(r, countsOffset + 4 * row, `<= ${stride}`, String(count), `layer ${layer} row ${row} has ${count} neighbors, more than the stride ${stride}`);
    }
    for (let j = 0; j < stride; j++) {
      const id = ids[row * stride + j]!;
      const offset = idsOffset + 4 * (row * stride + j);
      const ok = j < count ? id < levels.length && levels[id]! >= layer : id === NO_NODE;
      if (!ok) {
        const expected = j < count ? `a node on layer ${layer}` : hex32(NO_NODE);
        fail(r, offset, expected, hex32(id), `layer ${layer} row ${row} slot ${j} holds ${hex32(id)} at byte ${formatBytes(offset)}, expected ${expected}`);
      }
    }
  }
}

function checkVectorsMatch(fileName: string, header: Header, vectors: Float32Array): void {
  const rows = vectors.length / header.dim;
  if (vectors.length !== header.n * header.dim) {
    throw new IndexFormatError(fileName, HEADER.n, `${header.n} x ${header.dim} floats`, `${vectors.length} floats`,
      `index was built on ${header.n} vectors of dim ${header.dim} (byte ${HEADER.n}), the supplied data has ${vectors.length} floats (${rows} rows)`);
  }
  const actual = vectorsFingerprint(vectors);
  if (actual !== header.vectorsCrc32c) {
    throw new IndexFormatError(fileName, HEADER.vectorsCrc32c, hex32(header.vectorsCrc32c), hex32(actual),
      `vectors fingerprint CRC32C ${hex32(actual)} does not match ${hex32(header.vectorsCrc32c)} stored at byte ${HEADER.vectorsCrc32c}: the index was built on different data`);
  }
}
