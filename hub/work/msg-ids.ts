// The hub's msg_id allocator. Each message the hub sends carries a fresh id its reply must
// echo; ids count up from `first` and wrap back to it (never 0, which no reply may carry).
// Pull walks draw from their own range (0x80000000 up) so a walk's ids never meet the ids
// of the steps around it. The id is written into the message where it is delivered
// (protocol/stamped-message.ts), not into a copy the hub makes.
export const STEP_MSG_IDS_FIRST = 1;
export const WALK_MSG_IDS_FIRST = 0x80000000;

export class MsgIds {
  private nextId: number;

  constructor(private readonly first: number) {
    this.nextId = first;
  }

  take(): number {
    const id = this.nextId;
    this.nextId = (id + 1) >>> 0 || this.first;
    return id;
  }
}
