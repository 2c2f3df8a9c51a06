import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  MAX_VECS_DIM,
  loadFvecs,
  parseBvecs,
  parseFvecs,
  parseIvecs,
  writeBvecs,
  writeFvecs,
  writeIvecs,
} from '../hub/data/fvecs.ts';
import { DataFormatError, groupDigits } from '../hub/data/data-format-error.ts';
import { tempDirs } from './helpers/temp-dir.ts';

/** Builds a file from raw records: each [declaredDim, payloadBytes]. */
function rawFile(records: [number, number][]): Uint8Array {
  const total = records.reduce((sum, [, payload]) => sum + 4 + payload, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const [dim, payload] of records) {
    view.setInt32(offset, dim, true);
    offset += 4 + payload;
  }
  return out;
}

function errorOf(fn: () => unknown): DataFormatError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DataFormatError);
    return e as DataFormatError;
  }
  throw new Error('expected a DataFormatError');
}

describe('vecs round trips', () => {
  const tempDir = tempDirs('cogsim-vecs-');

  it('round-trips .fvecs including negative, fractional and extreme floats', () => {
    const data = new Float32Array([1.5, -2.25, 3e-39, 3.4e38, 0, -0, 7, 8]);
    const parsed = parseFvecs(writeFvecs(data, 4), 'a.fvecs');
    expect(parsed.count).toBe(2);
    expect(parsed.dim).toBe(4);
    expect(Array.from(parsed.data)).toEqual(Array.from(data));
  });

  it('round-trips .ivecs and .bvecs', () => {
    const ids = new Int32Array([5, -1, 2_000_000_000, 0, 9, 3]);
    expect(Array.from(parseIvecs(writeIvecs(ids, 3), 'gt.ivecs').data)).toEqual(Array.from(ids));
    const bytes = new Uint8Array([0, 255, 128, 1]);
    const b = parseBvecs(writeBvecs(bytes, 2), 'b.bvecs');
    expect([b.count, b.dim, Array.from(b.data)]).toEqual([2, 2, [0, 255, 128, 1]]);
  });

  it('lays records out as int32 dim then little-endian payload', () => {
    const bytes = writeFvecs(new Float32Array([1]), 1);
    expect(Array.from(bytes)).toEqual([1, 0, 0, 0, 0, 0, 0x80, 0x3f]);
  });

  it('reads a prefix with maxRecords while still validating the whole file', () => {
    const file = writeFvecs(new Float32Array([1, 2, 3, 4, 5, 6]), 2);
    expect(Array.from(parseFvecs(file, 'a.fvecs', { maxRecords: 2 }).data)).toEqual([1, 2, 3, 4]);
    expect(parseFvecs(file, 'a.fvecs', { maxRecords: 10 }).count).toBe(3);
    expect(() => parseFvecs(file.subarray(0, file.length - 1), 'a.fvecs', { maxRecords: 1 })).toThrow(DataFormatError);
  });

  it('loads from disk and names errors by the file name', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'base.fvecs'), writeFvecs(new Float32Array([1, 2]), 2));
    expect(Array.from(loadFvecs(join(dir, 'base.fvecs')).data)).toEqual([1, 2]);
    writeFileSync(join(dir, 'empty.fvecs'), new Uint8Array(0));
    expect(() => loadFvecs(join(dir, 'empty.fvecs'))).toThrow(/^empty\.fvecs: /);
  });
});

describe('vecs bad input', () => {
  it('rejects an empty file', () => {
    const e = errorOf(() => parseFvecs(new Uint8Array(0), 'base.fvecs'));
    expect(e.message).toBe('base.fvecs: file is empty (0 bytes); a fvecs file needs at least one record');
    expect(e.byteOffset).toBe(0);
  });

  it('rejects a record whose dim disagrees with the first, naming record, offset and both dims', () => {
    // 96-dim fvecs records are 388 bytes; record 3 starts at byte 1,164.
    const file = rawFile([[96, 384], [96, 384], [96, 384], [128, 384]]);
    const e = errorOf(() => parseFvecs(file, 'base.fvecs'));
    expect(e.message).toBe("base.fvecs: record 3 at byte 1,164 declares dim 128, the file's first record has dim 96");
    expect(e.byteOffset).toBe(1164);
  });

  it('rejects a truncated record payload with the bytes needed and remaining', () => {
    const file = rawFile([[4, 16], [4, 16]]).subarray(0, 20 + 10);
    expect(() => parseFvecs(file, 'q.fvecs')).toThrow('q.fvecs: record 1 at byte 20 is truncated: dim 4 needs 20 bytes, only 10 remain');
  });

  it('rejects a truncated record header', () => {
    const file = new Uint8Array(20 + 2);
    new DataView(file.buffer).setInt32(0, 4, true);
    expect(() => parseFvecs(file, 'q.fvecs')).toThrow('q.fvecs: record 1 at byte 20 is truncated: 2 bytes left, a record header needs 4');
  });

  it('rejects dim 0 and negative dims, accepts dim 1', () => {
    expect(parseFvecs(rawFile([[1, 4]]), 'a.fvecs').dim).toBe(1);
    expect(() => parseFvecs(rawFile([[0, 0]]), 'a.fvecs')).toThrow('a.fvecs: record 0 at byte 0 declares dim 0, dims must be 1..65,536');
    expect(() => parseFvecs(rawFile([[-5, 0]]), 'a.fvecs')).toThrow('declares dim -5');
  });

  it('accepts dim MAX_VECS_DIM and rejects one past it before allocating', () => {
    expect(parseBvecs(rawFile([[MAX_VECS_DIM, MAX_VECS_DIM]]), 'big.bvecs').dim).toBe(MAX_VECS_DIM);
    const absurd = rawFile([[MAX_VECS_DIM + 1, 0]]);
    expect(() => parseFvecs(absurd, 'a.fvecs')).toThrow(`declares dim ${MAX_VECS_DIM + 1}, dims must be 1..65,536`);
    // A garbage header claiming 2^31-1 floats fails on the dim check, not on allocation.
    expect(() => parseFvecs(rawFile([[0x7fffffff, 0]]), 'a.fvecs')).toThrow('declares dim 2147483647');
  });

  it('checks .ivecs and .bvecs record sizes with their own element widths', () => {
    expect(() => parseIvecs(rawFile([[2, 4]]), 'gt.ivecs')).toThrow('gt.ivecs: record 0 at byte 0 is truncated: dim 2 needs 12 bytes, only 8 remain');
    expect(parseBvecs(rawFile([[2, 2], [2, 2]]), 'b.bvecs').count).toBe(2);
    expect(() => parseBvecs(rawFile([[2, 2], [3, 3]]), 'b.bvecs')).toThrow("b.bvecs: record 1 at byte 6 declares dim 3, the file's first record has dim 2");
  });

  it('groups digits in offsets without depending on the locale', () => {
    expect(groupDigits(0)).toBe('0');
    expect(groupDigits(999)).toBe('999');
    expect(groupDigits(1552)).toBe('1,552');
    expect(groupDigits(1234567)).toBe('1,234,567');
    expect(groupDigits(-1000)).toBe('-1,000');
  });
});
