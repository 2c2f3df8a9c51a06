// Loaders and writers for the TEXMEX vector formats (the SIFT/GIST benchmark files):
//   .fvecs  per record: int32 dim (LE), then dim float32 (LE)
//   .ivecs  per record: int32 dim (LE), then dim int32 (LE)   (usually ground-truth ids)
//   .bvecs  per record: int32 dim (LE), then dim uint8
// Every record must declare the same dim. The whole file is validated (headers only)
// before anything is allocated, so a corrupt or hostile file cannot make us allocate
// gigabytes first and fail later.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DataFormatError, groupDigits } from './data-format-error.ts';

/** Dims above this are treated as corrupt headers, not data (GIST, the widest common set, is 960). */
export const MAX_VECS_DIM = 65_536;
const HEADER_BYTES = 4;

export type VecsKind = 'fvecs' | 'ivecs' | 'bvecs';

interface ElementInfo {
  bytes: number;
}
const ELEMENT: Record<VecsKind, ElementInfo> = { fvecs: { bytes: 4 }, ivecs: { bytes: 4 }, bvecs: { bytes: 1 } };

export interface VecsData<T> {
  /** Row-major, count * dim elements. */
  data: T;
  count: number;
  dim: number;
}

export interface VecsReadOptions {
  /** Read at most this many records (e.g. a 10K prefix of SIFT1M); the rest is still validated. */
  maxRecords?: number;
}

/** Validates layout; returns { count, dim } without touching the payload. */
function scanRecords(bytes: Uint8Array, fileName: string, kind: VecsKind): { count: number; dim: number } {
  if (bytes.length === 0) throw new DataFormatError(fileName, `file is empty (0 bytes); a ${kind} file needs at least one record`, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const elementBytes = ELEMENT[kind].bytes;
  let dim = 0;
  let recordBytes = 0;
  let count = 0;
  for (let offset = 0; offset < bytes.length; offset += recordBytes, count++) {
    const at = groupDigits(offset);
    const remaining = bytes.length - offset;
    if (remaining < HEADER_BYTES) {
      throw new DataFormatError(fileName, `record ${count} at byte ${at} is truncated: ${remaining} bytes left, a record header needs ${HEADER_BYTES}`, offset);
    }
    const declared = view.getInt32(offset, true);
    if (count === 0) {
      if (declared <= 0 || declared > MAX_VECS_DIM) {
        throw new DataFormatError(fileName, `record 0 at byte 0 declares dim ${declared}, dims must be 1..${groupDigits(MAX_VECS_DIM)}`, 0);
      }
      dim = declared;
      recordBytes = HEADER_BYTES + dim * elementBytes;
    } else if (declared !== dim) {
      throw new DataFormatError(fileName, `record ${count} at byte ${at} declares dim ${declared}, the file's first record has dim ${dim}`, offset);
    }
    if (remaining < recordBytes) {
      throw new DataFormatError(
        fileName,
        `record ${count} at byte ${at} is truncated: dim ${dim} needs ${groupDigits(recordBytes)} bytes, only ${groupDigits(remaining)} remain`,
        offset,
      );
    }
  }
  return { count, dim };
}

function recordLimit(count: number, options: VecsReadOptions): number {
  const max = options.maxRecords ?? count;
  if (!Number.isSafeInteger(max) || max < 0) throw new RangeError(`maxRecords must be an integer >= 0, got ${max}`);
  return Math.min(count, max);
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Copies each record's payload (skipping headers) into `out`'s bytes; byte-swaps on big-endian hosts. */
function gatherPayload(bytes: Uint8Array, count: number, dim: number, elementBytes: number, out: Uint8Array): void {
  const recordBytes = HEADER_BYTES + dim * elementBytes;
  const payloadBytes = dim * elementBytes;
  for (let r = 0; r < count; r++) {
    const start = r * recordBytes + HEADER_BYTES;
    out.set(bytes.subarray(start, start + payloadBytes), r * payloadBytes);
  }
  if (!HOST_LITTLE_ENDIAN && elementBytes === 4) {
    for (let i = 0; i < out.length; i += 4) {
      const a = out[i] as number;
      const b = out[i + 1] as number;
      out[i] = out[i + 3] as number;
      out[i + 1] = out[i + 2] as number;
      out[i + 2] = b;
      out[i + 3] = a;
    }
  }
}

export function parseFvecs(bytes: Uint8Array, fileName: string, options: VecsReadOptions = {}): VecsData<Float32Array> {
  const { count, dim } = scanRecords(bytes, fileName, 'fvecs');
  const n = recordLimit(count, options);
  const data = new Float32Array(n * dim);
  gatherPayload(bytes, n, dim, 4, new Uint8Array(data.buffer));
  return { data, count: n, dim };
}

export function parseIvecs(bytes: Uint8Array, fileName: string, options: VecsReadOptions = {}): VecsData<Int32Array> {
  const { count, dim } = scanRecords(bytes, fileName, 'ivecs');
  const n = recordLimit(count, options);
  const data = new Int32Array(n * dim);
  gatherPayload(bytes, n, dim, 4, new Uint8Array(data.buffer));
  return { data, count: n, dim };
}

export function parseBvecs(bytes: Uint8Array, fileName: string, options: VecsReadOptions = {}): VecsData<Uint8Array> {
  const { count, dim } = scanRecords(bytes, fileName, 'bvecs');
  const n = recordLimit(count, options);
  const data = new Uint8Array(n * dim);
  gatherPayload(bytes, n, dim, 1, data);
  return { data, count: n, dim };
}

export function loadFvecs(path: string, options: VecsReadOptions = {}): VecsData<Float32Array> {
  return parseFvecs(readFileSync(path), basename(path), options);
}

export function loadIvecs(path: string, options: VecsReadOptions = {}): VecsData<Int32Array> {
  return parseIvecs(readFileSync(path), basename(path), options);
}

export function loadBvecs(path: string, options: VecsReadOptions = {}): VecsData<Uint8Array> {
  return parseBvecs(readFileSync(path), basename(path), options);
}

/** Encodes records; `data.length` must be a multiple of `dim`. */
function writeVecs(data: ArrayLike<number>, dim: number, kind: VecsKind): Uint8Array {
  if (!Number.isSafeInteger(dim) || dim <= 0 || dim > MAX_VECS_DIM) throw new RangeError(`dim must be 1..${MAX_VECS_DIM}, got ${dim}`);
  if (data.length % dim !== 0) throw new RangeError(`${data.length} values are not a whole number of dim-${dim} records`);
  const count = data.length / dim;
  const elementBytes = ELEMENT[kind].bytes;
  const recordBytes = HEADER_BYTES + dim * elementBytes;
  const out = new Uint8Array(count * recordBytes);
  const view = new DataView(out.buffer);
  for (let r = 0; r < count; r++) {
    let offset = r * recordBytes;
    view.setInt32(offset, dim, true);
    offset += HEADER_BYTES;
    for (let j = 0; j < dim; j++, offset += elementBytes) {
      const value = data[r * dim + j] as number;
      if (kind === 'fvecs') view.setFloat32(offset, value, true);
      else if (kind === 'ivecs') view.setInt32(offset, value, true);
      else view.setUint8(offset, value);
    }
  }
  return out;
}

export function writeFvecs(data: Float32Array, dim: number): Uint8Array {
  return writeVecs(data, dim, 'fvecs');
}

export function writeIvecs(data: Int32Array, dim: number): Uint8Array {
  return writeVecs(data, dim, 'ivecs');
}

export function writeBvecs(data: Uint8Array, dim: number): Uint8Array {
  return writeVecs(data, dim, 'bvecs');
}
