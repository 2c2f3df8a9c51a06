// Profile detection (spec section 5): every reader/file combination, the profile a dataset
// needs (each limit on both sides), and the hub's check before a run that says what is
// missing instead of failing later.
import { describe, expect, it } from 'vitest';
import { checkDataProfile, dataProfile, missingFor, ProfileMismatchError, readerReads } from '../tile/pack/profile.ts';
import { decodeSegmentHeader, encodeSegment, encodeSegmentHeader, PROFILE_CORE, PROFILE_FULL, PROFILE_GENERIC, PROFILE_HOT, verifySegmentHeader } from '../tile/reference/segment-header.ts';
import { DATA_BASE, MEMORY_BYTES } from '../wat/layout.ts';
import { ERR_BAD_HEADER, OK } from '../wat/status.ts';
import { buildSimulation } from '../sim/run/simulation.ts';
import { pushConfig } from './helpers/push-run.ts';

const FILES = [PROFILE_GENERIC, PROFILE_CORE, PROFILE_HOT, PROFILE_FULL];

describe('profiles', () => {
  it('every reader/file combination reads as the spec says', () => {
    const table = [PROFILE_CORE, PROFILE_HOT, PROFILE_FULL].map((reader) => FILES.map((file) => readerReads(reader, file)));
    expect(table).toEqual([
      // generic core   hot    full
      [false, true, false, false], // Core reads Core
      [false, true, true, false], // Hot reads Core and Hot
      [true, true, true, true], // Full reads all (generic files need Full)
    ]);
    expect(() => readerReads(PROFILE_GENERIC, PROFILE_CORE)).toThrow('profile 0 is not a reader profile');
  });

  it('a segment header is accepted by exactly the readers of its profile (the tile is a Core reader)', () => {
    const memory = new Uint8Array(MEMORY_BYTES);
    const accepted = (reader: number | undefined, file: number): boolean => {
      memory.set(encodeSegment(new Uint8Array(96).fill(7), { profileId: file }), DATA_BASE);
      const status = reader === undefined ? verifySegmentHeader(memory, DATA_BASE) : verifySegmentHeader(memory, DATA_BASE, reader);
      expect([OK, ERR_BAD_HEADER]).toContain(status);
      return status === OK;
    };
    expect(FILES.map((f) => accepted(undefined, f))).toEqual([false, true, false, false]);
    expect([PROFILE_CORE, PROFILE_HOT, PROFILE_FULL].map((r) => FILES.map((f) => accepted(r, f)))).toEqual([
      [false, true, false, false],
      [false, true, true, false],
      [true, true, true, true],
    ]);
  });

  it('the segment header carries the profile id in byte 0x22', () => {
    for (const p of FILES) {
      const h = encodeSegmentHeader(new Uint8Array(8), { profileId: p });
      expect(h[0x22]).toBe(p);
      expect(decodeSegmentHeader(h).profileId).toBe(p);
    }
  });

  it('a dataset needs Core up to 384 fp16 / 768 i8 dims, Hot above and up to 1024, Full beyond', () => {
    expect(dataProfile({ dtype: 'fp16', dim: 384 }).profile).toBe(PROFILE_CORE);
    expect(dataProfile({ dtype: 'fp16', dim: 385 }).profile).toBe(PROFILE_HOT);
    expect(dataProfile({ dtype: 'i8', dim: 768 }).profile).toBe(PROFILE_CORE);
    expect(dataProfile({ dtype: 'i8', dim: 769 }).profile).toBe(PROFILE_HOT);
    expect(dataProfile({ dtype: 'fp16', dim: 1024 }).profile).toBe(PROFILE_HOT);
    expect(dataProfile({ dtype: 'fp16', dim: 1025 }).profile).toBe(PROFILE_FULL);
    expect(dataProfile({ dtype: 'fp16', dim: 64, pq: true }).profile).toBe(PROFILE_HOT);
    expect(dataProfile({ dtype: 'fp16', dim: 64, declaredProfile: PROFILE_GENERIC }).profile).toBe(PROFILE_FULL);
  });

  it('the dataset as cogsim loads it carries the profile it needs', () => {
    expect(buildSimulation(pushConfig({ tiles: 1, meshRows: 1, meshCols: 1 })).dataProfile).toBe(PROFILE_CORE);
  });

  it('says everything a reader lacks for the data', () => {
    expect(missingFor(PROFILE_CORE, { dtype: 'fp16', dim: 512, pq: true })).toEqual([
      "dim 512 fp16 is above Core's 384 (fp16) (needs hot)",
      'PQ codes are a Hot feature (Core has i8 scalar quantization only) (needs hot)',
    ]);
    expect(missingFor(PROFILE_HOT, { dtype: 'fp16', dim: 512, pq: true })).toEqual([]);
    expect(missingFor(PROFILE_HOT, { dtype: 'i8', dim: 64, declaredProfile: PROFILE_GENERIC })).toEqual(['the file declares profile generic (generic files need Full) (needs full)']);
    expect(missingFor(PROFILE_FULL, { dtype: 'fp16', dim: 5000, declaredProfile: PROFILE_GENERIC })).toEqual([]);
  });

  it('the check before a run refuses data the tiles cannot read with one line naming both profiles', () => {
    expect(() => checkDataProfile(PROFILE_CORE, { dtype: 'fp16', dim: 64, pq: true }, 'pack p')).toThrow(
      new ProfileMismatchError('the data needs the hot profile, the tiles (pack p) offer core: PQ codes are a Hot feature (Core has i8 scalar quantization only) (needs hot)'),
    );
    expect(() => checkDataProfile(PROFILE_CORE, { dtype: 'fp16', dim: 64 }, 'pack p')).not.toThrow();
  });

  it('a simulation is refused before any tile is built when its tiles offer less than the data needs', () => {
    // generic is no reader: tiles offering it read nothing, so the run stops at the check.
    expect(() => buildSimulation(pushConfig({ tiles: 1, meshRows: 1, meshCols: 1 }), { tilesProfile: { id: PROFILE_GENERIC, source: 'pack g' } })).toThrow('profile 0 is not a reader profile');
    expect(buildSimulation(pushConfig({ tiles: 1, meshRows: 1, meshCols: 1 }), { tilesProfile: { id: PROFILE_HOT, source: 'pack h' } }).nodes).toHaveLength(1);
  });
});
