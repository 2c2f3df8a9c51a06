// Peak memory of this process, read at the CLI edge after a run: like wall time it
// differs between machines and runs, so it goes in the summary but never in the trace.
//
// On Linux it is `VmHWM` of /proc/self/status: the high-water mark of this process's own
// resident set since it started its program, so it covers the whole run, tile creation
// included. Not getrusage's ru_maxrss (`process.resourceUsage().maxRSS`): Linux carries that
// one across fork and exec, so a run started by a large process (the bench, a test runner,
// a script holding data) reported its parent's size instead of its own (a 1,024-tile run
// spawned by the bench read 838.8 MiB, alone 349-378 MiB). Elsewhere, ru_maxrss is all
// there is.
import { readFileSync } from 'node:fs';
import type { RunMemory } from '../run/report.ts';

export function peakMemory(tiles: number): RunMemory {
  const peakRssBytes = ownPeakRssBytes() ?? process.resourceUsage().maxRSS * 1024;
  return { peakRssBytes, bytesPerTile: peakRssBytes / Math.max(1, tiles) };
}

/** VmHWM in bytes, or null where /proc/self/status does not give it. */
export function ownPeakRssBytes(): number | null {
  let status: string;
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    return null;
  }
  const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  return m ? Number(m[1]) * 1024 : null;
}
