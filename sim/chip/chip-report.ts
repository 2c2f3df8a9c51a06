// The chips' lines of the run summary (docs/chips.md): the layout, what each chip's shared
// memory holds, and the hub-link bytes the chips saved by serving vectors from it.
import type { Chips } from '../../hub/chip/chip-memory.ts';

export interface ChipSummary {
  chips: number;
  tilesPerChip: number;
  sharedBytes: number;
  cache: 'on' | 'off';
  /** Layer A pinned in every chip: upper-layer nodes and bytes. */
  layerANodes: number;
  layerABytes: number;
  /** Vectors each chip's cache holds at most. */
  cacheVectors: number;
  /** Vectors asked for that the chip held (Layer A or cache), and that crossed the hub link. */
  hits: number;
  misses: number;
  /** Bytes the chips served instead of the hub link, over the run and per query. */
  hubLinkBytesSaved: number;
  hubLinkBytesSavedPerQuery: number;
  /** --chip-beam: rounds (walks per tile per query), walks per query, and the chip's cycles on the shared visited set. */
  beam?: { rounds: number; walksPerQuery: number; sharedSetCyclesPerQuery: number };
}

/** `beamWalks`: with --chip-beam, the pull walks per query. */
export function chipSummary(chips: Chips, servedBytes: number, queries: number, beamWalks?: number): ChipSummary {
  const l = chips.layout;
  const q = Math.max(1, queries);
  return {
    chips: l.chips,
    tilesPerChip: l.tilesPerChip,
    sharedBytes: l.sharedBytes,
    cache: l.cache ? 'on' : 'off',
    layerANodes: chips.layerA.ids.size,
    layerABytes: chips.layerA.bytes,
    cacheVectors: chips.cacheVectors,
    hits: chips.hits,
    misses: chips.misses,
    hubLinkBytesSaved: servedBytes,
    hubLinkBytesSavedPerQuery: servedBytes / q,
    ...(l.beam && beamWalks !== undefined ? { beam: { rounds: beamWalks / l.tilesPerChip, walksPerQuery: beamWalks, sharedSetCyclesPerQuery: chips.ledger.workCycles / q } } : {}),
  };
}

const n = (x: number, digits = 0): string => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function formatChipLines(c: ChipSummary): string[] {
  const asked = c.hits + c.misses;
  return [
    `chips                    ${c.chips} x ${c.tilesPerChip} tiles, ${n(c.sharedBytes)} B shared memory each: Layer A ${n(c.layerANodes)} nodes (${n(c.layerABytes)} B), cache ${c.cache}${c.cache === 'on' ? ` (${n(c.cacheVectors)} vectors)` : ''}`,
    `  served by the chip     ${n(c.hits)} of ${n(asked)} vectors asked for (${((100 * c.hits) / Math.max(1, asked)).toFixed(1)}%)`,
    `  hub-link bytes saved   ${n(c.hubLinkBytesSaved)} B (${n(c.hubLinkBytesSavedPerQuery)} B per query; not in the traffic above)`,
    ...(c.beam ? [`  chip beam              ${c.beam.rounds} round${c.beam.rounds === 1 ? '' : 's'} x ${c.tilesPerChip} tiles: ${c.beam.walksPerQuery} walks per query; shared visited set ${n(c.beam.sharedSetCyclesPerQuery)} chip cycles per query`] : []),
  ];
}
