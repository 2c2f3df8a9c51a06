// NumPy .npy reader/writer for 2-D float matrices.
//
// Layout: magic "\x93NUMPY", major, minor, header length (u16 LE in v1.0, u32 LE in v2.0),
// then an ASCII Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (n, d), }
// padded with spaces and ending in '\n', then the raw array bytes.
// Accepted: v1.0 and v2.0, dtype '<f4' or '<f2' (fp16 is widened to f32 exactly), C order,
// 2-D shape. Everything else is rejected with a DataFormatError naming what was found.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DataFormatError, groupDigits } from './data-format-error.ts';
import { fp16ArrayToF32 } from './fp16.ts';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const PREAMBLE_V1_BYTES = 10; // magic 6 + version 2 + u16 header length
const PREAMBLE_V2_BYTES = 12; // magic 6 + version 2 + u32 header length
const MAX_HEADER_BYTES = 1 << 16; // real headers are < 200 bytes; guards against garbage lengths
const HEADER_ALIGN_BYTES = 64;
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export type NpyDtype = '<f4' | '<f2';
const ITEM_BYTES: Record<NpyDtype, number> = { '<f4': 4, '<f2': 2 };

export interface NpyMatrix {
  /** Row-major rows * cols values, always f32 (fp16 input is widened exactly). */
  data: Float32Array;
  rows: number;
  cols: number;
  /** The dtype the file stored. */
  dtype: NpyDtype;
}

interface NpyHeader {
  dtype: NpyDtype;
  rows: number;
  cols: number;
  dataOffset: number;
}

function readHeader(bytes: Uint8Array, fileName: string): NpyHeader {
  if (bytes.length < PREAMBLE_V1_BYTES || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new DataFormatError(fileName, `not a .npy file: expected magic \\x93NUMPY at byte 0 (${bytes.length} bytes in file)`, 0);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6] as number;
  const minor = bytes[7] as number;
  if ((major !== 1 && major !== 2) || minor !== 0) {
    throw new DataFormatError(fileName, `npy format version ${major}.${minor} at byte 6 is not supported (1.0 or 2.0)`, 6);
  }
  const preamble = major === 1 ? PREAMBLE_V1_BYTES : PREAMBLE_V2_BYTES;
  if (bytes.length < preamble) throw new DataFormatError(fileName, `truncated npy preamble: ${bytes.length} bytes, need ${preamble}`, 8);
  const headerBytes = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerBytes > MAX_HEADER_BYTES) {
    throw new DataFormatError(fileName, `npy header length ${groupDigits(headerBytes)} at byte 8 exceeds the limit ${groupDigits(MAX_HEADER_BYTES)}`, 8);
  }
  const dataOffset = preamble + headerBytes;
  if (bytes.length < dataOffset) {
    throw new DataFormatError(fileName, `truncated npy header: declares ${headerBytes} bytes at byte ${preamble}, file ends at byte ${groupDigits(bytes.length)}`, preamble);
  }
  const text = new TextDecoder('latin1').decode(bytes.subarray(preamble, dataOffset));
  return { ...parseHeaderDict(text, fileName, preamble), dataOffset };
}

/** Parses the three keys we need out of the Python dict literal; rejects what we cannot load. */
function parseHeaderDict(text: string, fileName: string, at: number): Omit<NpyHeader, 'dataOffset'> {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new DataFormatError(fileName, `npy header at byte ${at} lacks descr, fortran_order or shape: ${JSON.stringify(text.trim())}`, at);
  }
  if (descr !== '<f4' && descr !== '<f2') {
    throw new DataFormatError(fileName, `npy dtype '${descr}' is not supported; expected '<f4' (float32) or '<f2' (float16)`, at);
  }
  if (fortran === 'True') {
    throw new DataFormatError(fileName, `npy array is in Fortran (column-major) order; save it C-ordered (np.ascontiguousarray)`, at);
  }
  const dims = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (dims.length !== 2 || !dims.every((d) => /^\d+$/.test(d))) {
    throw new DataFormatError(fileName, `npy shape (${shapeText.trim()}) is not 2-D (rows, cols)`, at);
  }
  const rows = Number(dims[0]);
  const cols = Number(dims[1]);
  if (!Number.isSafeInteger(rows * cols) || cols === 0) {
    throw new DataFormatError(fileName, `npy shape (${rows}, ${cols}) is unusable: cols must be > 0 and rows * cols a safe integer`, at);
  }
  return { dtype: descr, rows, cols };
}

export function parseNpy(bytes: Uint8Array, fileName: string): NpyMatrix {
  const { dtype, rows, cols, dataOffset } = readHeader(bytes, fileName);
  const expected = rows * cols * ITEM_BYTES[dtype];
  const actual = bytes.length - dataOffset;
  if (actual !== expected) {
    const what = actual < expected ? 'truncated' : 'has trailing bytes';
    throw new DataFormatError(
      fileName,
      `npy data ${what}: shape (${rows}, ${cols}) of ${dtype} needs ${groupDigits(expected)} bytes from byte ${groupDigits(dataOffset)}, found ${groupDigits(actual)}`,
      dataOffset,
    );
  }
  // Copy to a fresh, aligned buffer: the file's data offset need not be a multiple of 4.
  const raw = bytes.slice(dataOffset, dataOffset + expected);
  if (HOST_LITTLE_ENDIAN) {
    // Fast path: the copy already holds little-endian values in host order.
    if (dtype === '<f4') return { data: new Float32Array(raw.buffer), rows, cols, dtype };
    return { data: fp16ArrayToF32(new Uint16Array(raw.buffer)), rows, cols, dtype };
  }
  const view = new DataView(raw.buffer);
  if (dtype === '<f4') {
    const data = new Float32Array(rows * cols);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(i * 4, true);
    return { data, rows, cols, dtype };
  }
  const halves = new Uint16Array(rows * cols);
  for (let i = 0; i < halves.length; i++) halves[i] = view.getUint16(i * 2, true);
  return { data: fp16ArrayToF32(halves), rows, cols, dtype };
}

export function loadNpy(path: string): NpyMatrix {
  return parseNpy(readFileSync(path), basename(path));
}

/**
 * Encodes a C-ordered 2-D matrix. `<f4` takes Float32Array values; `<f2` takes fp16 bit
 * patterns (Uint16Array, e.g. from f32ArrayToFp16). `version` 2 is for tests of the v2 path.
 */
export function writeNpy(data: Float32Array | Uint16Array, rows: number, cols: number, dtype: NpyDtype, version: 1 | 2 = 1): Uint8Array {
  if (data.length !== rows * cols) throw new RangeError(`npy data has ${data.length} values, shape (${rows}, ${cols}) needs ${rows * cols}`);
  if ((dtype === '<f4') !== data instanceof Float32Array) throw new TypeError(`dtype ${dtype} does not match a ${data.constructor.name}`);
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const preamble = version === 1 ? PREAMBLE_V1_BYTES : PREAMBLE_V2_BYTES;
  // Pad with spaces so the data starts on a 64-byte boundary, newline last (as NumPy does).
  const padded = dict.padEnd(Math.ceil((preamble + dict.length + 1) / HEADER_ALIGN_BYTES) * HEADER_ALIGN_BYTES - preamble - 1, ' ') + '\n';
  const itemBytes = ITEM_BYTES[dtype];
  const out = new Uint8Array(preamble + padded.length + data.length * itemBytes);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  if (version === 1) view.setUint16(8, padded.length, true);
  else view.setUint32(8, padded.length, true);
  for (let i = 0; i < padded.length; i++) out[preamble + i] = padded.charCodeAt(i);
  let offset = preamble + padded.length;
  for (let i = 0; i < data.length; i++, offset += itemBytes) {
    if (dtype === '<f4') view.setFloat32(offset, data[i] as number, true);
    else view.setUint16(offset, data[i] as number, true);
  }
  return out;
}
