// A set of keys that only grows, as an immutable value with O(1) membership and append: the
// query machine's known and reported units (query-machine.ts), where a partial used to filter
// and copy an array of every unit (O(units) per partial: 33 us a send at 4,096 units).
//
// Every log of one line shares one Map from key to its position; a log is that map and its
// own size, and holds the keys placed below its size. Appending to the newest log of a line
// adds one entry that no older log sees (its position is past their sizes), so an older log,
// like an older xstate snapshot holding it, keeps its value. Appending to an older log (a
// second future from the same snapshot: never in an actor, possible with xstate's pure
// `transition`) copies its own keys first, so the two futures never mix.
export class KeyLog {
  private constructor(
    private readonly positions: Map<string, number>,
    /** How many keys this log holds. */
    readonly size: number,
  ) {}

  static of(keys: Iterable<string>): KeyLog {
    let log = new KeyLog(new Map(), 0);
    for (const key of keys) log = log.with(key);
    return log;
  }

  has(key: string): boolean {
    const at = this.positions.get(key);
    return at !== undefined && at < this.size;
  }

  /** This log with `key` added last (this very log when it holds `key` already). */
  with(key: string): KeyLog {
    if (this.has(key)) return this;
    const positions = this.positions.size === this.size ? this.positions : this.ownPositions();
    positions.set(key, this.size);
    return new KeyLog(positions, this.size + 1);
  }

  /** The keys in the order they were added (O(size): for reports and tests, not per event). */
  keys(): string[] {
    const out: string[] = [];
    for (const [key, at] of this.positions) if (at < this.size) out.push(key);
    return out;
  }

  /** A map of this log's own keys only, for a line that forks here. */
  private ownPositions(): Map<string, number> {
    const own = new Map<string, number>();
    for (const [key, at] of this.positions) if (at < this.size) own.set(key, at);
    return own;
  }
}
