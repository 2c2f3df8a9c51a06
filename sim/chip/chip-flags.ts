// The chip flags of `cogsim run` (docs/chips.md): --chips N --tiles-per-chip T organise the
// tiles as N chips of T; --chip-memory and --chip-cache shape each chip's shared memory.
import { DEFAULT_CHIP_SHARED_BYTES, DEFAULT_TILES_PER_CHIP, type ChipLayout } from '../../hub/chip/chip-memory.ts';
import { UserError } from '../run/user-error.ts';

export interface ChipFlags {
  chips?: number;
  tilesPerChip: number;
  chipMemory: number;
  chipCache: 'on' | 'off';
  chipBeam?: boolean;
}

export const CHIP_FLAG_DEFAULTS = { tilesPerChip: DEFAULT_TILES_PER_CHIP, chipMemory: DEFAULT_CHIP_SHARED_BYTES, chipCache: 'on' as const };

/** The chip layout the flags ask for (none without --chips), and the tile count it sets. */
export function chipLayoutFrom(f: ChipFlags): ChipLayout | undefined {
  if (f.chips === undefined) return undefined;
  return { chips: f.chips, tilesPerChip: f.tilesPerChip, sharedBytes: f.chipMemory, cache: f.chipCache === 'on', ...(f.chipBeam ? { beam: true } : {}) };
}

/** Chip flags without --chips would be ignored; --tiles that disagrees with the chips is refused. */
export function refuseChipFlags(typed: Set<string>, f: ChipFlags & { tiles: number }): void {
  if (f.chips === undefined) {
    for (const flag of ['--tiles-per-chip', '--chip-memory', '--chip-cache', '--chip-beam']) {
      if (typed.has(flag)) throw new UserError(`${flag} shapes the chips of --chips N; this run has no --chips (a flat mesh), so add --chips or drop ${flag}`);
    }
    return;
  }
  if (f.chipBeam) {
    for (const flag of ['--walks', '--walk-split']) {
      if (typed.has(flag)) throw new UserError(`${flag} with --chip-beam: the chip beam runs --tiles-per-chip walks per query over one index, so drop ${flag}`);
    }
  }
  const tiles = f.chips * f.tilesPerChip;
  if (typed.has('--tiles') && f.tiles !== tiles) {
    throw new UserError(`--chips ${f.chips} x --tiles-per-chip ${f.tilesPerChip} is ${tiles} tiles, --tiles asks for ${f.tiles}; drop --tiles (the chips set it) or make them agree`);
  }
}
