#!/usr/bin/env node
// The cogsim command. The sources are TypeScript run through tsx, so a fresh clone needs
// no compile step before `npx cogsim`.
//
// Above 8,192 tiles (TRAP_HANDLER_TILES in tile-ceiling.ts) the command re-runs itself
// under `node --disable-wasm-trap-handler`: with V8's trap handler each tile's
// WebAssembly.Memory reserves ~10 GiB of address space and a process stops near 13,000
// tiles (README "Tile ceiling").
import { spawnSync } from 'node:child_process';
import { register } from 'tsx/esm/api';

const TRAP_HANDLER_TILES = 8192;
const FLAG = '--disable-wasm-trap-handler';

function tilesAsked(argv) {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const text = a === '--tiles' ? argv[i + 1] : a.startsWith('--tiles=') ? a.slice(8) : undefined;
    if (text !== undefined && /^\d+$/.test(text.trim())) return Number(text);
  }
  return 0;
}

if (tilesAsked(process.argv.slice(2)) > TRAP_HANDLER_TILES && !process.execArgv.includes(FLAG)) {
  const r = spawnSync(process.execPath, [FLAG, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  if (r.signal) process.kill(process.pid, r.signal);
  process.exit(r.status ?? 1);
}

register();
await import('./main.ts');
