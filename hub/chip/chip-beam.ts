// A chip-wide beam for pull mode (issue 17, docs/pull-mode.md "Chip-wide beam"): one
// query's walks all run on one chip's tiles (walk w on the chip's tile w), over one index,
// each seeded from a different layer-1 node, and they share a visited set in the chip's
// shared memory. An id one tile of the chip has asked for (its vector evaluated) is dropped
// from the neighbor lists the chip passes to its other tiles for that query: the tiles'
// beams partition the region they explore instead of converging on the same nodes, so the
// query's beam is the union of T 16-entry buffers (16 x T) rather than one.
//
// Rounds (--chip-rounds R): the query has R x T walks and each tile runs R of them, one
// after another (walk w + T right after walk w, seeded from the layer-1 node ranked w + T).
// The set lasts until the query's last walk: a later round's walk is kept off everything an
// earlier one evaluated, so it widens the region explored instead of repeating it (the
// union of R x T buffers), on the same tiles.
//
// The chip's work on the set is charged by the cost model (docs/cost-model.md, "Chips"):
// one shared-memory access per id a list is checked for, and per id a block claims.
//
// The hub mirrors the shared set (same requests, same order), so it filters the lists it
// sends. Deterministic: the simulator orders the tiles' requests.

export class ChipBeam {
  /** Per query: id -> the walk that claimed it (asked for its vector, or was seeded with it). */
  private readonly claimed = new Map<number, Map<number, number>>();
  /** Ids dropped from lists because another tile of the chip had them. */
  dropped = 0;

  /** Marks `ids` as evaluated by walk `walk` of `queryId` (first claim wins). */
  claim(queryId: number, walk: number, ids: readonly number[]): void {
    let m = this.claimed.get(queryId);
    if (!m) this.claimed.set(queryId, (m = new Map()));
    for (const id of ids) if (!m.has(id)) m.set(id, walk);
  }

  /** The list without the ids another walk of the query has claimed. */
  filter(queryId: number, walk: number, list: readonly number[]): number[] {
    const m = this.claimed.get(queryId);
    if (!m) return [...list];
    const out = list.filter((id) => {
      const owner = m.get(id);
      return owner === undefined || owner === walk;
    });
    this.dropped += list.length - out.length;
    return out;
  }

  private readonly walksDone = new Map<number, number>();

  /** One walk of the query is over; after the last of its `walks` its set leaves shared memory. */
  walkDone(queryId: number, walks: number): void {
    const done = (this.walksDone.get(queryId) ?? 0) + 1;
    if (done < walks) {
      this.walksDone.set(queryId, done);
      return;
    }
    this.walksDone.delete(queryId);
    this.claimed.delete(queryId);
  }
}
