// Visited set for graph traversals: one u32 mark per node and a generation counter, so
// starting a new traversal is O(1) instead of clearing an array or allocating a Set.

export class VisitedMarks {
  private readonly marks: Uint32Array;
  private generation = 0;

  constructor(nodeCount: number) {
    this.marks = new Uint32Array(nodeCount);
  }

  /** Forget every mark. Clears the array only when the 32-bit generation wraps. */
  reset(): void {
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) {
      this.marks.fill(0);
      this.generation = 1;
    }
  }

  /** Marks the node; returns true if it was not yet marked in this generation. */
  visit(id: number): boolean {
    if (this.marks[id] === this.generation) return false;
    this.marks[id] = this.generation;
    return true;
  }
}
