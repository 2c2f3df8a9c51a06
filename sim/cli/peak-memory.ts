// Peak memory of this process, read at the CLI edge after a run: like wall time it
// differs between machines and runs, so it goes in the summary but never in the trace.
// `process.resourceUsage().maxRSS` is the kernel's high-water mark of the resident set
// (getrusage ru_maxrss, KiB on Linux), so it covers the whole run, tile creation included.
import type { RunMemory } from '../run/report.ts';

export function peakMemory(tiles: number): RunMemory {
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  return { peakRssBytes, bytesPerTile: peakRssBytes / Math.max(1, tiles) };
}
