// Memory per simulated tile: resident set and V8 external memory before and after making
// N tiles of the checked default image (each a TileNode: an instance, its own 2-page
// memory, rvf_init run), divided by N. Run with --expose-gc for steadier figures:
//   node --expose-gc --import tsx sim/bench/tile-memory.ts [N]
import { loadKernel } from '../../tile/kernel-module.ts';
import { DTYPE_FP16, METRIC_L2 } from '../../wat/layout.ts';
import { DEFAULT_COST_MODEL } from '../cost-model.ts';
import { TileNode } from '../tile-node.ts';

export interface TileMemory {
  tiles: number;
  rssBytesPerTile: number;
  externalBytesPerTile: number;
  heapBytesPerTile: number;
}

export function measureTileMemory(tiles: number, variant = 'simd-strict-fuel'): TileMemory {
  const kernel = loadKernel(variant);
  const boot = { dtype: DTYPE_FP16, metric: METRIC_L2, k: 10, dim: 384, requireMessageCrc: false };
  globalThis.gc?.();
  const before = process.memoryUsage();
  const nodes = Array.from({ length: tiles }, (_, t) => new TileNode(t, kernel, boot, DEFAULT_COST_MODEL, { metric: 'l2', k: 10 }));
  globalThis.gc?.();
  const after = process.memoryUsage();
  if (nodes.length !== tiles) throw new Error('tiles lost');
  return {
    tiles,
    rssBytesPerTile: (after.rss - before.rss) / tiles,
    externalBytesPerTile: (after.external + after.arrayBuffers - before.external - before.arrayBuffers) / tiles,
    heapBytesPerTile: (after.heapUsed - before.heapUsed) / tiles,
  };
}

if (process.argv[1]?.endsWith('tile-memory.ts')) {
  const m = measureTileMemory(Number(process.argv[2] ?? 2048));
  const k = (b: number): string => `${(b / 1024).toFixed(1)} KiB`;
  console.log(`${m.tiles} tiles: per tile ${k(m.rssBytesPerTile)} resident, ${k(m.heapBytesPerTile)} JS heap, ${k(m.externalBytesPerTile)} external (WebAssembly memory + buffers)`);
}
