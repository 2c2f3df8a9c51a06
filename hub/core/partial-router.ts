// Where a unit's partial top-K goes once a tile (or the hub) produced it: straight to its
// query, or, with redundancy, through the vote of its copies (redundancy.ts). An answer that
// is not used (its unit already answered, a vote already settled) and a partial outvoted are
// reported to the hub's listener: they are hub reactions a fault ledger matches to faults.
import type { HubListener } from '../work/tile-fault.ts';
import type { UnitRef } from './job-shape.ts';
import type { Partial } from './mode-driver.ts';
import type { QueryBook } from './query-book.ts';
import { baseKey, type Redundancy, type Source } from './redundancy.ts';

export interface PartialRouterParts {
  queries: QueryBook;
  redundancy: Redundancy | null;
  listener: HubListener | null;
  /** A unit's first answer reached its query (the driver may take its next steps). */
  answered(p: Partial): void;
  /** Places a third copy on a tile that computed neither of the first two. */
  placeCopy(unit: UnitRef, avoid: number[]): void;
  computeOnHub(units: UnitRef[]): void;
}

export class PartialRouter {
  constructor(private readonly parts: PartialRouterParts) {}

  deliver(p: Partial, from: Source): void {
    const { redundancy, listener } = this.parts;
    const vote = redundancy?.offer(p, from);
    if (vote === undefined) return this.merge(p, from);
    if (vote.kind === 'unused') this.discard(from, 'its unit was already answered');
    else if (vote.kind === 'third') this.parts.placeCopy(vote.unit, vote.avoid);
    else if (vote.kind === 'hub') this.parts.computeOnHub([vote.unit]);
    else if (vote.kind === 'settled') {
      for (const l of vote.losers) if (l.tile >= 0) listener?.reacted(l.tile, { kind: 'outvoted', msgId: l.msgId, detail: `${p.queryId}/${baseKey(p.unitKey)}: partial differs from the majority` });
      this.merge(vote.partial, from);
    }
  }

  /** Whether a unit (or a redundant copy) still owes its answer. */
  owed(u: UnitRef): boolean {
    return this.parts.queries.isPending(u.queryId, baseKey(u.key)) && (this.parts.redundancy?.owes(u) ?? true);
  }

  private merge(p: Partial, from: Source): void {
    if (this.parts.queries.deliver(p)) this.parts.answered(p);
    else this.discard(from, 'its unit was already answered');
  }

  private discard(from: Source, why: string): void {
    if (from.tile >= 0) this.parts.listener?.reacted(from.tile, { kind: 'unused', msgId: from.msgId, detail: why });
  }
}
