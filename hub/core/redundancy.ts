// Redundant computation (`redundancy: 2`): every unit is placed on two different tiles and
// its partial top-K is taken only when both copies agree, bit for bit (ids and f32
// distances). A disagreement places a third copy on a third tile; two equal partials of the
// three win. With no majority the hub computes the unit itself (the reference kernel, the
// tile's arithmetic bit for bit) and that answer wins. A partial that loses is reported as
// outvoted. This catches a silent compute error (a wrong distance with intact framing) that
// nothing else can see. In the core's terms only: a copy is the driver's unit with its own
// key (`key|rN`), which the driver carries into its partial like any other key.
import type { Candidate } from '../topk-merge.ts';
import type { UnitRef } from './job-shape.ts';
import type { Partial } from './mode-driver.ts';

const SEP = '|r';

/** Where a partial came from: the tile and the msg_id of its reply (tile -1: the hub). */
export interface Source {
  tile: number;
  msgId: number | null;
}

interface Offered {
  candidates: Candidate[];
  from: Source;
}

interface Vote {
  offered: Map<number, Offered>;
  /** Copies placed so far (2, then 3 after a disagreement). */
  copies: number;
  settled: boolean;
  /** Tiles the copies were placed on, so a third copy goes elsewhere. */
  tiles: number[];
  /** The unit as the driver made it: further copies are built from it. */
  unit: UnitRef;
}

/** What the core does with an offered partial. */
export type VoteResult =
  | { kind: 'wait' }
  /** Place this copy on a tile other than those in `avoid`. */
  | { kind: 'third'; unit: UnitRef; avoid: number[] }
  /** No majority: the hub computes the unit. */
  | { kind: 'hub'; unit: UnitRef }
  /** The unit's answer (under its base key), and the partials that lost. */
  | { kind: 'settled'; partial: Partial; losers: Source[] }
  /** The unit was already answered: this partial is not used. */
  | { kind: 'unused' };

export class RedundancyStats {
  units = 0;
  agreed = 0;
  disagreements = 0;
  thirdCopies = 0;
  hubBreaks = 0;
  outvoted = 0;
}

export function baseKey(key: string): string {
  const i = key.indexOf(SEP);
  return i < 0 ? key : key.slice(0, i);
}

function copyIndex(key: string): number {
  const i = key.indexOf(SEP);
  return i < 0 ? 0 : Number(key.slice(i + SEP.length));
}

function copyOf(u: UnitRef, copy: number): UnitRef {
  return { ...u, key: copy === 0 ? u.key : `${u.key}${SEP}${copy}` };
}

function same(a: readonly Candidate[], b: readonly Candidate[]): boolean {
  return a.length === b.length && a.every((c, i) => c.id === b[i]!.id && Object.is(Math.fround(c.dist), Math.fround(b[i]!.dist)));
}

export class Redundancy {
  readonly stats = new RedundancyStats();
  private readonly votes = new Map<string, Vote>();

  /** The second copy of each unit, for the tile `partner`; the votes start here. */
  copies(tileId: number, partner: number, units: readonly UnitRef[]): UnitRef[] {
    for (const u of units) {
      this.votes.set(`${u.queryId}/${u.key}`, { offered: new Map(), copies: 2, settled: false, tiles: [tileId, partner], unit: u });
      this.stats.units++;
    }
    return units.map((u) => copyOf(u, 1));
  }

  /** Whether this copy still owes its answer (its vote is open and it has not offered one). */
  owes(u: UnitRef): boolean {
    const v = this.votes.get(`${u.queryId}/${baseKey(u.key)}`);
    return v === undefined || (!v.settled && !v.offered.has(copyIndex(u.key)));
  }

  /** A copy moved to another tile (reassignment): the third copy avoids it too. */
  moved(u: UnitRef, tileId: number): void {
    this.votes.get(`${u.queryId}/${baseKey(u.key)}`)?.tiles.push(tileId);
  }

  offer(p: Partial, from: Source): VoteResult {
    const base = baseKey(p.unitKey);
    const v = this.votes.get(`${p.queryId}/${base}`);
    if (!v) return { kind: 'settled', partial: { ...p, unitKey: base }, losers: [] };
    if (v.settled) return { kind: 'unused' };
    const copy = copyIndex(p.unitKey);
    if (v.offered.has(copy)) return { kind: 'unused' };
    v.offered.set(copy, { candidates: p.candidates, from });
    if (from.tile < 0) return this.settle(v, p.queryId, base, p.candidates); // the hub's own answer decides
    const all = [...v.offered.values()];
    const winner = all.find((a, i) => all.some((b, j) => j !== i && same(a.candidates, b.candidates)));
    if (winner) return this.settle(v, p.queryId, base, winner.candidates);
    if (all.length < v.copies) return { kind: 'wait' };
    if (v.copies === 2) {
      this.stats.disagreements++;
      this.stats.thirdCopies++;
      v.copies = 3;
      return { kind: 'third', unit: copyOf(v.unit, 2), avoid: v.tiles };
    }
    this.stats.hubBreaks++;
    return { kind: 'hub', unit: copyOf(v.unit, 3) };
  }

  private settle(v: Vote, queryId: number, base: string, winner: Candidate[]): VoteResult {
    v.settled = true;
    if (v.copies === 2 && v.offered.size === 2) this.stats.agreed++;
    const losers = [...v.offered.values()].filter((o) => !same(o.candidates, winner)).map((o) => o.from);
    this.stats.outvoted += losers.length;
    return { kind: 'settled', partial: { queryId, unitKey: base, candidates: winner }, losers };
  }
}
