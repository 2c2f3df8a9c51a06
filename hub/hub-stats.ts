// Counters the hub keeps while it runs; the report is built from them.

export class HubStats {
  messagesSent = 0;
  bytesSent = 0;
  readonly sentByType = new Map<string, { messages: number; bytes: number }>();
  readonly faultsByKind = new Map<string, number>();
  retries = 0;
  restarts = 0;
  retirements = 0;
  reassignedUnits = 0;
  hubLocalUnits = 0;
  partials = 0;
  staleReplies = 0;
  errorReplies = 0;
  duplicatePartials = 0;
  jobsFinished = 0;

  countSent(type: string, bytes: number): void {
    this.messagesSent++;
    this.bytesSent += bytes;
    const e = this.sentByType.get(type) ?? { messages: 0, bytes: 0 };
    e.messages++;
    e.bytes += bytes;
    this.sentByType.set(type, e);
  }

  countFault(kind: string): void {
    this.faultsByKind.set(kind, (this.faultsByKind.get(kind) ?? 0) + 1);
  }
}
