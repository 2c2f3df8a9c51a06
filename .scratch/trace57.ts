import { Hub } from '../hub/hub.ts';
import { runFaultExperiment } from '../sim/run/fault-run.ts';
import { DEFAULT_RUN } from '../sim/run/run-config.ts';
import { FAULT_KINDS } from '../sim/faults/fault-kinds.ts';
const Q = Number(process.env.Q ?? 57);
const logs: Record<string, any[]> = { clean: [], faulty: [] };
let phase = 'clean';
let curTile = -1;
const hubs = new Map<any,string>();
const P: any = Hub.prototype;
const origReply = P.onReply;
P.onReply = function (t: number, b: Uint8Array) { curTile = t; try { return origReply.call(this, t, b); } finally { curTile = -1; } };
const origDeliver = P.deliverPartialTo;
P.deliverPartialTo = function (q: number, key: string, cands: any[]) {
  if (!hubs.has(this)) hubs.set(this, hubs.size === 0 ? 'clean' : 'faulty');
  phase = hubs.get(this);
  if (q === Q) {
    const qa = this.queries.get(q);
    const pending = qa ? qa.getSnapshot().context.pending.includes(key) : false;
    logs[phase].push({ key, tile: curTile, at: this.transport.nowCycles(), fresh: pending, ids: cands.map((c: any) => c.id + ':' + c.dist.toFixed(3)).join(' ') });
  }
  return origDeliver.call(this, q, key, cands);
};
const run = { ...DEFAULT_RUN, tiles: 16, meshRows: 4, meshCols: 4, vectors: 4000, dim: 128, queries: 100, seed: 7 };
const origRun = runFaultExperiment;
// mark phase switch: clean run happens first inside runFaultExperiment; detect by first outcome set
const r = runFaultExperiment({ run, rate: { numerator: 1, denominator: 10 }, kinds: FAULT_KINDS, hub: {} } as any, () => 0);
console.log('differing', r.differing);
console.log(JSON.stringify(logs, null, 1));
(globalThis as any).__ledger = r.ledger;
import { writeFileSync } from 'node:fs';
writeFileSync('/tmp/e/ledger.json', JSON.stringify(r.ledger.injections));
