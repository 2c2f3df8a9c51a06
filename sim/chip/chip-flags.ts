// The chip flags of `cogsim run` (docs/chips.md): --chips N --tiles-per-chip T organise the
// tiles as N chips of T; --chip-memory and --chip-cache shape each chip's shared memory;
// --chip-beam spreads a pull query over one chip's tiles, --chip-rounds walks per tile.
import { DEFAULT_CHIP_SHARED_BYTES, DEFAULT_TILES_PER_CHIP, type ChipLayout } from '../../hub/chip/chip-memory.ts';
import { UserError } from '../run/user-error.ts';

export interface ChipFlags {
  chips?: number;
  tilesPerChip: number;
  chipMemory: number;
  chipCache: 'on' | 'off';
  chipBeam?: boolean;
  /** --chip-beam: walks each of the chip's tiles runs per query, one after another (docs/pull-mode.md). */
  chipRounds?: number;
}

/** Rounds of the chip beam: two walks per tile per query (docs/pull-mode.md "Chip-wide beam"). */
export const DEFAULT_CHIP_ROUNDS = 2;

/** Walks per query are at most this (--walks' range); the chip beam's are rounds x tiles per chip. */
const MAX_WALKS = 64;

export const CHIP_FLAG_DEFAULTS = { tilesPerChip: DEFAULT_TILES_PER_CHIP, chipMemory: DEFAULT_CHIP_SHARED_BYTES, chipCache: 'on' as const };

/** --chip-rounds, or its default: 2, or 1 where 2 rounds of the chip's tiles would pass 64 walks. */
export function chipRounds(f: ChipFlags): number {
  return f.chipRounds ?? Math.max(1, Math.min(DEFAULT_CHIP_ROUNDS, Math.floor(MAX_WALKS / f.tilesPerChip)));
}

/** Pull walks per query with --chip-beam: every tile of the query's chip runs --chip-rounds walks. */
export function chipBeamWalks(f: ChipFlags): number {
  return chipRounds(f) * f.tilesPerChip;
}

/** The chip layout the flags ask for (none without --chips), and the tile count it sets. */
export function chipLayoutFrom(f: ChipFlags): ChipLayout | undefined {
  if (f.chips === undefined) return undefined;
  return { chips: f.chips, tilesPerChip: f.tilesPerChip, sharedBytes: f.chipMemory, cache: f.chipCache === 'on', ...(f.chipBeam ? { beam: true } : {}) };
}

/** Chip flags without --chips would be ignored; --tiles that disagrees with the chips is refused. */
export function refuseChipFlags(typed: Set<string>, f: ChipFlags & { tiles: number }): void {
  if (f.chips === undefined) {
    for (const flag of ['--tiles-per-chip', '--chip-memory', '--chip-cache', '--chip-beam', '--chip-rounds']) {
      if (typed.has(flag)) throw new UserError(`${flag} shapes the chips of --chips N; this run has no --chips (a flat mesh), so add --chips or drop ${flag}`);
    }
    return;
  }
  if (f.chipBeam) {
    for (const flag of ['--walks', '--walk-split']) {
      if (typed.has(flag)) throw new UserError(`${flag} with --chip-beam: the chip beam runs --chip-rounds x --tiles-per-chip walks per query over one index, so drop ${flag}`);
    }
    const walks = chipBeamWalks(f);
    const rounds = chipRounds(f);
    if (rounds < 1 || walks > MAX_WALKS) {
      throw new UserError(`--chip-rounds must be at least 1 with --chip-rounds x --tiles-per-chip at most ${MAX_WALKS} walks per query; got --chip-rounds ${rounds} x --tiles-per-chip ${f.tilesPerChip} = ${walks}`);
    }
  } else if (typed.has('--chip-rounds')) {
    throw new UserError('--chip-rounds sets the walks per tile of --chip-beam; this run has no --chip-beam, so add it or drop --chip-rounds');
  }
  const tiles = f.chips * f.tilesPerChip;
  if (typed.has('--tiles') && f.tiles !== tiles) {
    throw new UserError(`--chips ${f.chips} x --tiles-per-chip ${f.tilesPerChip} is ${tiles} tiles, --tiles asks for ${f.tiles}; drop --tiles (the chips set it) or make them agree`);
  }
}
