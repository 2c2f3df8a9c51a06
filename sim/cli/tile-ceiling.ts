// How many tiles one process can hold. Each tile owns a WebAssembly.Memory; with V8's
// WebAssembly trap handler (Node's default) every Memory reserves about 10 GiB of address
// space for guard regions, so a process runs out of address space near 13,000 tiles
// (measured: the 13,085th Memory fails on this machine's 47-bit address space). Under
// `node --disable-wasm-trap-handler` a Memory reserves only its own 128 KiB and the
// kernel checks bounds in code instead; the ceiling is then memory: MAX_TILES below.
// cogsim.js re-runs itself with that flag when --tiles is above TRAP_HANDLER_TILES
// (README "Tile ceiling"), so every run up to MAX_TILES works from the command line.
// The bounds checks cost ~3% on the SIMD kernel's distances and ~18% on the scalar
// kernel's (CPU time), nothing measurable on a whole run; smaller runs keep the handler.
// MAX_TILES was run (`cogsim run --tiles 65536 --mesh 256x256 --vectors 2000 --dim 64
// --queries 2`): 1.66 GiB peak resident set, 186 s of wall time on a loaded machine, mostly
// creating tiles; peak RSS at 1,024 / 4,096 / 16,384 / 65,536 tiles of that run grows by
// 23-25 KiB per tile (docs/performance.md "Large arrays and memory per tile").
import { UserError } from '../run/user-error.ts';

/** Largest --tiles run with the trap handler on (re-exec threshold in cogsim.js: keep equal). */
export const TRAP_HANDLER_TILES = 8_192;
/** Largest --tiles cogsim accepts: measured to run in a few GiB (README "Tile ceiling"). */
export const MAX_TILES = 65_536;
/** Measured at MAX_TILES (above): the whole process's peak resident set, GiB. */
export const MAX_TILES_PEAK_GIB = 1.66;
/** Measured: what one more idle tile (holding no block) adds to the peak resident set, KiB. */
export const KIB_PER_TILE = 24;

export const NO_TRAP_HANDLER_FLAG = '--disable-wasm-trap-handler';

function trapHandlerOff(): boolean {
  return process.execArgv.includes(NO_TRAP_HANDLER_FLAG) || (process.env.NODE_OPTIONS ?? '').split(/\s+/).includes(NO_TRAP_HANDLER_FLAG);
}

/** Refuses --tiles above what this process can hold, with the figure and what to do. */
export function refuseOverTileCeiling(tiles: number): void {
  const n = (x: number) => x.toLocaleString('en-US');
  if (tiles > MAX_TILES) {
    throw new UserError(`--tiles ${n(tiles)} is above the ${n(MAX_TILES)} tiles one cogsim process holds (measured: ${n(MAX_TILES)} tiles peak at ${MAX_TILES_PEAK_GIB} GiB resident, ~${KIB_PER_TILE} KiB per idle tile, each a WebAssembly instance with its own 128 KiB memory); use at most ${n(MAX_TILES)}`);
  }
  if (tiles > TRAP_HANDLER_TILES && !trapHandlerOff()) {
    throw new UserError(`--tiles ${n(tiles)} is above ${n(TRAP_HANDLER_TILES)}, which needs node ${NO_TRAP_HANDLER_FLAG} (each WebAssembly memory otherwise reserves ~10 GiB of address space); run it through sim/cli/cogsim.js, which adds the flag, or pass the flag to node`);
  }
}
