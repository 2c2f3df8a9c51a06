// Profile detection (spec section 5): which reader may read which file, and which profile
// a dataset needs. profile_id 0 generic (needs Full), 1 core, 2 hot, 3 full. Core reads
// Core; Hot reads Core and Hot; Full reads everything. A dataset needs Core when a tile can
// hold it (fp16 dim <= 384, i8 dim <= 768, no PQ), Hot up to dim 1024 and with PQ, and
// Full beyond. The hub checks the data against the profile its tiles offer before a run.
import { HOT_IMAGE_MAX_DIM_FP16, MAX_DIM_FP16, MAX_DIM_I8 } from '../../wat/layout.ts';
import { PROFILE_CORE, PROFILE_FULL, PROFILE_GENERIC, PROFILE_HOT, readerReads } from '../reference/segment-header.ts';

export { readerReads };
import { PROFILE_NAMES, type ProfileName } from './pack-format.ts';

/** The Hot profile's largest dim: what the Hot image serves (wat/layout.ts; chips, docs/chips.md). */
export const MAX_DIM_HOT = HOT_IMAGE_MAX_DIM_FP16;

export function profileName(id: number): string {
  return PROFILE_NAMES[id] ?? `unknown profile 0x${id.toString(16).padStart(2, '0')}`;
}

export function profileId(name: ProfileName): number {
  return PROFILE_NAMES.indexOf(name);
}

export interface DataShape {
  dtype: 'fp16' | 'i8';
  dim: number;
  /** PQ codes (a Hot feature) */
  pq?: boolean;
  /** the file's own profile_id, when it declares one */
  declaredProfile?: number;
}

export interface DataProfile {
  /** the least profile that reads the data */
  profile: number;
  /** why not Core / not Hot, one phrase each */
  needs: { profile: number; why: string }[];
}

/** The least profile that can read the data, with every reason it is not a lower one. */
export function dataProfile(d: DataShape): DataProfile {
  const needs: { profile: number; why: string }[] = [];
  const coreLimit = d.dtype === 'fp16' ? MAX_DIM_FP16 : MAX_DIM_I8;
  if (d.dim > MAX_DIM_HOT) needs.push({ profile: PROFILE_FULL, why: `dim ${d.dim} is above Hot's ${MAX_DIM_HOT}` });
  else if (d.dim > coreLimit) needs.push({ profile: PROFILE_HOT, why: `dim ${d.dim} ${d.dtype} is above Core's ${coreLimit} (${d.dtype})` });
  if (d.pq) needs.push({ profile: PROFILE_HOT, why: 'PQ codes are a Hot feature (Core has i8 scalar quantization only)' });
  if (d.declaredProfile !== undefined && d.declaredProfile !== PROFILE_CORE) {
    const p = d.declaredProfile === PROFILE_GENERIC ? PROFILE_FULL : d.declaredProfile;
    needs.push({ profile: p, why: `the file declares profile ${profileName(d.declaredProfile)}${d.declaredProfile === PROFILE_GENERIC ? ' (generic files need Full)' : ''}` });
  }
  return { profile: Math.max(PROFILE_CORE, ...needs.map((n) => n.profile)), needs };
}

/** What the reader lacks for the data, one phrase each; empty when it reads it. */
export function missingFor(reader: number, d: DataShape): string[] {
  const { profile, needs } = dataProfile(d);
  if (readerReads(reader, profile)) return [];
  return needs.filter((n) => !readerReads(reader, n.profile)).map((n) => `${n.why} (needs ${profileName(n.profile)})`);
}

export class ProfileMismatchError extends Error {
  override name = 'ProfileMismatchError';
  /** The user's data or environment: the CLI exits 2 for errors with a code. */
  readonly code = 'EPROFILE';
}

/** Refuses data the tiles' profile cannot read, saying everything that is missing. */
export function checkDataProfile(tiles: number, d: DataShape, tilesSource: string): void {
  const missing = missingFor(tiles, d);
  if (missing.length > 0) throw new ProfileMismatchError(`the data needs the ${profileName(dataProfile(d).profile)} profile, the tiles (${tilesSource}) offer ${profileName(tiles)}: ${missing.join('; ')}`);
}
