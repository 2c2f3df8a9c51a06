// The trace as canonical JSON lines: what `--trace FILE` writes and `keepLines` keeps. The
// lines hold everything the binary records (trace-records.ts) hold, so the trace hash can
// be rebuilt from the file alone (`traceHashOfJsonl`): the file pins the run as the hash
// does. Made only on request; a run without a trace file never builds a JSON line per event.
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';
import { TraceRecordWriter, type MessageKind } from './trace-records.ts';

/** A dispatched event's line, keys in sorted order (kind, payload, seq, t): equals canonicalJson of the same object. */
export function eventLine(timeCycles: number, sequence: number, kind: string, payloadJson: string | undefined): string {
  const payload = payloadJson === undefined ? '' : `"payload":${payloadJson},`;
  return `{"kind":${JSON.stringify(kind)},${payload}"seq":${sequence},"t":${timeCycles}}`;
}

/** A message's line: the payload {bytes, msgId, tile, type}, and for a reply `body`, its bytes in hex. */
export function messageLine(kind: MessageKind, timeCycles: number, sequence: number, tile: number, type: number, msgId: number, length: number, body: Uint8Array | null): string {
  const hex = body === null ? '' : `"body":"${Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('hex')}",`;
  return eventLine(timeCycles, sequence, kind, `{${hex}"bytes":${length},"msgId":${msgId},"tile":${tile},"type":${type}}`);
}

export class TraceJsonlError extends Error {
  override name = 'TraceJsonlError';
}

const EVENT_KEYS = new Set(['kind', 'payload', 'seq', 't']);

/**
 * SHA-256 of the binary records the lines stand for: equals the trace hash of the run that
 * wrote them. A line whose keys are `kind`, `seq`, `t` (and maybe `payload`) is an event
 * (`deliver` and `reply` are messages); any other line is an entry (the config, a fault...).
 */
export function traceHashOfJsonl(text: string): string {
  const hash = createHash('sha256');
  const w = new TraceRecordWriter((b) => hash.update(b), 64 * 1024);
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, i) => {
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new TraceJsonlError(`trace line ${i + 1} is not JSON`); // never echoed: it may be any bytes
    }
    const keys = Object.keys(o);
    const isEvent = typeof o.seq === 'number' && typeof o.t === 'number' && typeof o.kind === 'string' && keys.every((k) => EVENT_KEYS.has(k));
    if (!isEvent) return w.entry(canonicalJson(o));
    const kind = o.kind as string;
    if (kind === 'deliver' || kind === 'reply') {
      const p = messagePayload(o.payload, kind, i + 1);
      return w.message(kind, o.t as number, o.seq as number, p.tile, p.type, p.msgId, p.bytes, p.body);
    }
    w.event(o.t as number, o.seq as number, kind, o.payload === undefined ? undefined : canonicalJson(o.payload));
  });
  w.drain();
  return hash.digest('hex');
}

interface MessageFields {
  bytes: number;
  msgId: number;
  tile: number;
  type: number;
  body: Uint8Array | null;
}

/** A deliver or reply line's payload, checked: numbers where the record has numbers, a reply's body in hex. */
function messagePayload(payload: unknown, kind: MessageKind, line: number): MessageFields {
  const p = (payload ?? {}) as Record<string, unknown>;
  for (const key of ['bytes', 'msgId', 'tile', 'type']) {
    if (typeof p[key] !== 'number') throw new TraceJsonlError(`trace line ${line}: a ${kind} payload needs a number "${key}", got ${JSON.stringify(p[key]) ?? 'nothing'}`);
  }
  const hex = p.body;
  if (kind === 'reply' && (typeof hex !== 'string' || !/^([0-9a-f]{2})*$/.test(hex))) {
    throw new TraceJsonlError(`trace line ${line}: a reply payload needs "body", its bytes in lowercase hex`);
  }
  const body = typeof hex === 'string' ? Uint8Array.from(Buffer.from(hex, 'hex')) : null;
  return { bytes: p.bytes as number, msgId: p.msgId as number, tile: p.tile as number, type: p.type as number, body };
}
