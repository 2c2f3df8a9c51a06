// A serial link modelled as a resource: one message at a time, busy while its bytes are
// serialized. Used for the hub's injection (egress) and ejection (ingress) links so the
// hub cannot send or absorb infinitely fast.

export class Link {
  readonly bytesPerCycle: number;
  private freeAtCycle = 0;
  private busyCycles = 0;

  constructor(bytesPerCycle: number) {
    this.bytesPerCycle = bytesPerCycle;
  }

  /** Cycles to push `bytes` through this link: ceil(bytes / bytesPerCycle). */
  serializationCycles(bytes: number): number {
    return Math.ceil(bytes / this.bytesPerCycle);
  }

  /**
   * Reserves the link for a message that is ready at `readyCycle`. It starts when both the
   * message is ready and the previous message has left (FIFO, no preemption).
   */
  reserve(readyCycle: number, bytes: number): { startCycle: number; doneCycle: number } {
    const startCycle = this.reserveStart(readyCycle, bytes);
    return { startCycle, doneCycle: this.freeAtCycle };
  }

  /** `reserve` returning only the start cycle (the done cycle is `nextFreeCycle`): no object per message. */
  reserveStart(readyCycle: number, bytes: number): number {
    const startCycle = Math.max(readyCycle, this.freeAtCycle);
    const cycles = this.serializationCycles(bytes);
    this.freeAtCycle = startCycle + cycles;
    this.busyCycles += cycles;
    return startCycle;
  }

  /** First cycle at which a new message could start. */
  get nextFreeCycle(): number {
    return this.freeAtCycle;
  }

  /** Total cycles spent serializing, for utilisation reports. */
  get totalBusyCycles(): number {
    return this.busyCycles;
  }
}
