import { describe, it, expect } from 'vitest';
import { parseNpy, writeNpy } from '../hub/data/npy.ts';
import { DataFormatError } from '../hub/data/data-format-error.ts';
import { f32ArrayToFp16 } from '../hub/data/fp16.ts';

/** A hand-built .npy with an arbitrary header dict and payload length. */
function npyWith(dict: string, payloadBytes: number, major = 1): Uint8Array {
  const preamble = major === 1 ? 10 : 12;
  const header = dict.padEnd(Math.ceil((preamble + dict.length + 1) / 64) * 64 - preamble - 1, ' ') + '\n';
  const out = new Uint8Array(preamble + header.length + payloadBytes);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[preamble + i] = header.charCodeAt(i);
  return out;
}

describe('npy loader', () => {
  it('round-trips a <f4 matrix through format v1.0', () => {
    const data = new Float32Array([1, -2.5, 3e-30, 4, 5, 6]);
    const bytes = writeNpy(data, 2, 3, '<f4');
    expect((bytes.length - 6 * 4) % 64).toBe(0); // data starts 64-byte aligned
    const m = parseNpy(bytes, 'x.npy');
    expect([m.rows, m.cols, m.dtype]).toEqual([2, 3, '<f4']);
    expect(Array.from(m.data)).toEqual(Array.from(data));
  });

  it('round-trips through format v2.0', () => {
    const m = parseNpy(writeNpy(new Float32Array([7, 8]), 1, 2, '<f4', 2), 'x.npy');
    expect(Array.from(m.data)).toEqual([7, 8]);
  });

  it('widens <f2 to f32 exactly', () => {
    const values = new Float32Array([1, -0.5, 65504, 2 ** -24, 1023 * 2 ** -24, -0]);
    const m = parseNpy(writeNpy(f32ArrayToFp16(values), 3, 2, '<f2'), 'h.npy');
    expect(m.dtype).toBe('<f2');
    expect(Array.from(m.data)).toEqual(Array.from(values));
    expect(Object.is(m.data[5], -0)).toBe(true);
  });

  it('reads headers written with double quotes and no trailing comma', () => {
    const bytes = npyWith(`{"descr": "<f4", "fortran_order": False, "shape": (1, 1)}`, 4);
    new DataView(bytes.buffer).setFloat32(bytes.length - 4, 2.5, true);
    expect(Array.from(parseNpy(bytes, 'x.npy').data)).toEqual([2.5]);
  });

  it('accepts an empty 0-row matrix', () => {
    expect(parseNpy(writeNpy(new Float32Array(0), 0, 4, '<f4'), 'x.npy').rows).toBe(0);
  });

  it('rejects a file without the magic', () => {
    expect(() => parseNpy(new Uint8Array(20), 'x.npy')).toThrow('x.npy: not a .npy file: expected magic \\x93NUMPY at byte 0 (20 bytes in file)');
  });

  it('rejects versions other than 1.0 and 2.0', () => {
    expect(() => parseNpy(npyWith(`{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }`, 4, 3), 'x.npy')).toThrow('npy format version 3.0 at byte 6 is not supported (1.0 or 2.0)');
  });

  it('rejects Fortran order', () => {
    const bytes = npyWith(`{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }`, 16);
    expect(() => parseNpy(bytes, 'x.npy')).toThrow(/Fortran \(column-major\) order/);
  });

  it('rejects other dtypes, naming the dtype', () => {
    for (const descr of ['<f8', '>f4', '<i4', '|u1']) {
      const bytes = npyWith(`{'descr': '${descr}', 'fortran_order': False, 'shape': (1, 1), }`, 8);
      expect(() => parseNpy(bytes, 'x.npy')).toThrow(`x.npy: npy dtype '${descr}' is not supported; expected '<f4' (float32) or '<f2' (float16)`);
    }
  });

  it('rejects shapes that are not 2-D', () => {
    for (const shape of ['(4,)', '(2, 2, 1)', '()']) {
      const bytes = npyWith(`{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`, 16);
      expect(() => parseNpy(bytes, 'x.npy')).toThrow(/is not 2-D \(rows, cols\)/);
    }
  });

  it('rejects data one byte short or one byte long, accepts it exact', () => {
    const dict = `{'descr': '<f2', 'fortran_order': False, 'shape': (2, 3), }`;
    expect(parseNpy(npyWith(dict, 12), 'x.npy').data.length).toBe(6);
    const short = (): unknown => parseNpy(npyWith(dict, 11), 'x.npy');
    expect(short).toThrow('x.npy: npy data truncated: shape (2, 3) of <f2 needs 12 bytes from byte 128, found 11');
    expect(() => parseNpy(npyWith(dict, 13), 'x.npy')).toThrow('npy data has trailing bytes');
    try {
      short();
    } catch (e) {
      expect(e).toBeInstanceOf(DataFormatError);
      expect((e as DataFormatError).byteOffset).toBe(128);
    }
  });

  it('rejects a header length that runs past the end of the file', () => {
    const bytes = writeNpy(new Float32Array([1]), 1, 1, '<f4').subarray(0, 30);
    expect(() => parseNpy(bytes, 'x.npy')).toThrow('x.npy: truncated npy header: declares 118 bytes at byte 10, file ends at byte 30');
  });

  it('rejects a header missing required keys', () => {
    expect(() => parseNpy(npyWith(`{'descr': '<f4'}`, 0), 'x.npy')).toThrow(/lacks descr, fortran_order or shape/);
  });
});
