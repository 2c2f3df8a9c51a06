// Binary file format of the HNSW index. All integers little-endian.
//
//   offset  size  field
//   0       8     magic "CGHNSW01"
//   8       4     version (1)
//   12      4     header bytes (64)
//   16      8     file bytes, including the trailing CRC32C
//   24      4     metric (0 l2sq, 1 ip, 2 cosine)
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
import { ByteReader, ByteWriter } from './cursor.ts';
import { crc32c } from './crc32c.ts';
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
  const w = new ByteWriter(fileBytes);
  w.raw(MAGIC_BYTES);
  w.u32(INDEX_VERSION);
  w.u32(HEADER.size);
  w.u64(fileBytes);
  w.u32(METRIC_CODE[params.metric]);
  w.u32(params.M);
  w.u32(params.M0);
  w.u32(params.efConstruction);
  w.u32(graph.size);
  w.u32(index.dim);
  w.u32(graph.entryPoint);
  w.i32(graph.maxLevel);
  w.u32(vectorsFingerprint(index.vectors));
  w.u32(0);
  w.raw(graph.levels);
  w.pad(4);
  for (let layer = 0; layer <= graph.maxLevel; layer++) {
    const adjacency = graph.layers[layer]!;
    w.u32(adjacency.nodeCount);
    w.u32(adjacency.stride);
    w.u32Array(adjacency.counts);
    w.u32Array(adjacency.ids);
  }
  w.u32(crc32c(w.bytes.subarray(0, w.offset)));
  if (w.offset !== fileBytes) throw new Error(`serializeIndex wrote ${w.offset} bytes, planned ${fileBytes}`);
  return w.bytes;
}

export interface LoadOptions {
  /** Name used in error messages; default '<buffer>'. */
  readonly fileName?: string;
}

/** Rebuilds an index from `bytes`, checking it against the `vectors` it was built on. */
export function deserializeIndex(bytes: Uint8Array, vectors: Float32Array, options: LoadOptions = {}): HnswIndex {
  const r = new ByteReader(bytes, options.fileName ?? '<buffer>');
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

function fail(r: ByteReader, offset: number, expected: string, actual: string, message: string): never {
  throw new IndexFormatError(r.fileName, offset, expected, actual, message);
}

/** Magic, version, declared length and CRC32C: everything after this is integrity-checked. */
function checkEnvelope(r: ByteReader): void {
  const length = r.bytes.length;
  const magic = r.bytes.subarray(0, Math.min(length, MAGIC_BYTES.length));
  if (length < MAGIC_BYTES.length || !magic.every((b, i) => b === MAGIC_BYTES[i])) {
    const actual = describeBytes(magic);
    fail(r, HEADER.magic, INDEX_MAGIC, actual, `magic ${actual} at byte 0 is not "${INDEX_MAGIC}": not a cogsim HNSW index`);
  }
  r.offset = HEADER.version;
  const version = r.u32();
  if (version !== INDEX_VERSION) {
    fail(r, HEADER.version, String(INDEX_VERSION), String(version),
      `version ${version} at byte ${HEADER.version} is not supported (expected ${INDEX_VERSION})`);
  }
  const minimum = HEADER.size + CRC_BYTES;
  if (length < minimum) {
    fail(r, length, `>= ${minimum} bytes`, `${length} bytes`, `truncated: file is ${formatBytes(length)} bytes, shorter than the ${minimum}-byte header and CRC32C`);
  }
  r.offset = HEADER.fileBytes;
  const fileBytes = r.u64();
  if (fileBytes !== length) {
    const what = fileBytes > length ? 'truncated' : 'trailing bytes';
    fail(r, HEADER.fileBytes, `${fileBytes} bytes`, `${length} bytes`,
      `${what}: header at byte ${HEADER.fileBytes} declares ${formatBytes(fileBytes)} bytes, file has ${formatBytes(length)}`);
  }
  const crcOffset = length - CRC_BYTES;
  r.offset = crcOffset;
  const stored = r.u32();
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

function readHeader(r: ByteReader): Header {
  r.offset = HEADER.fileBytes;
  const fileBytes = r.u64();
  const metricCode = r.u32();
  const M = r.u32();
  const M0 = r.u32();
  const efConstruction = r.u32();
  const n = r.u32();
  const dim = r.u32();
  const entryPoint = r.u32();
  const maxLevel = r.i32();
  const vectorsCrc32c = r.u32();
  const reserved = r.u32();
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

function readLevels(r: ByteReader, header: Header): Uint8Array {
  const { n, maxLevel, entryPoint, params, fileBytes } = header;
  r.offset = HEADER.size;
  if (HEADER.size + pad4(n) + CRC_BYTES > fileBytes) {
    fail(r, HEADER.size, `${HEADER.size + pad4(n) + CRC_BYTES} bytes`, `${fileBytes} bytes`,
      `file of ${formatBytes(fileBytes)} bytes is too short for ${n} node levels`);
  }
  const levels = r.raw(n);
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
  r.skipTo(4);
  const expectedBytes = fileBytesFor(levels, maxLevel, params.M, params.M0);
  if (expectedBytes !== fileBytes) {
    fail(r, HEADER.fileBytes, `${expectedBytes} bytes`, `${fileBytes} bytes`,
      `node levels imply ${formatBytes(expectedBytes)} bytes but the header at byte ${HEADER.fileBytes} declares ${formatBytes(fileBytes)}`);
  }
  return levels;
}

function readLayers(r: ByteReader, header: Header, levels: Uint8Array): LayerAdjacency[] {
  const layers: LayerAdjacency[] = [];
  const template = LayeredGraph.allocate(levels, header.params.M, header.params.M0);
  for (let layer = 0; layer <= header.maxLevel; layer++) {
    const expected = template.layers[layer]!;
    const layerOffset = r.offset;
    const nodeCount = r.u32();
    const stride = r.u32();
    if (nodeCount !== expected.nodeCount || stride !== expected.stride) {
      fail(r, layerOffset, `${expected.nodeCount} nodes x ${expected.stride}`, `${nodeCount} nodes x ${stride}`,
        `layer ${layer} at byte ${formatBytes(layerOffset)} has ${nodeCount} nodes of stride ${stride}, expected ${expected.nodeCount} of stride ${expected.stride}`);
    }
    const countsOffset = r.offset;
    const counts = r.u32Array(nodeCount);
    const idsOffset = r.offset;
    const ids = r.u32Array(nodeCount * stride);
    checkAdjacency(r, layer, levels, counts, ids, stride, countsOffset, idsOffset);
    layers.push({ nodeCount, stride, counts, ids, slotOf: expected.slotOf });
  }
  return layers;
}

/** Every edge points at a node present on the layer; unused slots are NO_NODE. */
function checkAdjacency(
  r: ByteReader, layer: number, levels: Uint8Array, counts: Uint32Array, ids: Uint32Array,
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
